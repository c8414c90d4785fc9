using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vision.ReviewConsole;

/// <summary>
/// The bearer token that lets a machine (a Prometheus scraper, a monitoring probe) read the operations endpoints
/// (/api/cameras, /api/status, /metrics) without a console session. It comes from <see cref="Variable"/> or from the
/// file named by <see cref="FileVariable"/>; only its SHA-256 is kept, compared in constant time, never logged.
/// </summary>
public sealed class OpsToken
{
    public const string Variable = "VISION_OPS_TOKEN", FileVariable = "VISION_OPS_TOKEN_FILE";
    public const int MinLength = 16;

    private readonly byte[]? _digest;

    private OpsToken(string? token) => _digest = token is null ? null : Digest(token);

    /// <summary>No token: only signed-in admins read the operations endpoints.</summary>
    public static OpsToken None { get; } = new(null);

    public bool IsConfigured => _digest is not null;

    /// <summary>Reads the token from the environment; <see cref="None"/> when neither variable is set.</summary>
    /// <exception cref="ArgumentException">a variable is set but unusable (the message names it, never the token)</exception>
    public static OpsToken FromEnvironment()
    {
        string? token = Environment.GetEnvironmentVariable(Variable);
        string? file = Environment.GetEnvironmentVariable(FileVariable);
        if (!string.IsNullOrEmpty(token) && !string.IsNullOrEmpty(file)) throw new ArgumentException($"set {Variable} or {FileVariable}, not both");
        if (!string.IsNullOrEmpty(file))
        {
            try { token = File.ReadAllText(file).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ArgumentException($"{FileVariable}: cannot read {file} ({e.Message})"); }
        }
        if (string.IsNullOrEmpty(token)) return None;
        if (token.Length < MinLength || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException($"the ops token ({(file is null ? Variable : FileVariable)}) must be at least {MinLength} characters without spaces, e.g. from 'openssl rand -hex 32'");
        return new OpsToken(token);
    }

    public static OpsToken Of(string token) => new(token);

    public bool Matches(string presented) => _digest is not null && CryptographicOperations.FixedTimeEquals(Digest(presented), _digest);

    // Comparing digests keeps the comparison constant-time whatever the presented length.
    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

/// <summary>Options of <see cref="OpsTokenHandler"/>.</summary>
public sealed class OpsTokenOptions : AuthenticationSchemeOptions
{
    public OpsToken Token { get; set; } = OpsToken.None;
}

/// <summary>Authenticates <c>Authorization: Bearer &lt;ops token&gt;</c> as the operations role; challenges with 401 and <c>WWW-Authenticate: Bearer</c>.</summary>
public sealed class OpsTokenHandler(IOptionsMonitor<OpsTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<OpsTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "ops-token", Role = "ops";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        if (!Options.Token.Matches(header["Bearer ".Length..].Trim())) return Task.FromResult(AuthenticateResult.Fail("the bearer token is not the ops token"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "ops-token"), new Claim(ClaimTypes.Role, Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
