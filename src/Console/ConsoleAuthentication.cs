using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// Sign-in for the console: local accounts with ASP.NET Core Identity's password hasher (PBKDF2, per-user salt), cookie
/// sessions (HttpOnly, SameSite=Strict, Secure over https) backed by a server-side session record that sign-out revokes,
/// CSRF tokens on every change, and the sign-in policy of <see cref="CredentialCheck"/>. Every request checks its
/// session in the database — not ended, within <see cref="ConsoleConfig.SessionIdle"/> of its last use and
/// <see cref="ConsoleConfig.SessionLifetime"/> of its sign-in, its account there and enabled — and takes the role from
/// the account, never from the cookie: a disabled, deleted or re-roled account's open sessions change at once. The
/// operations endpoints take a signed-in admin or the ops bearer token (<see cref="OpsToken"/>). API calls without a
/// session get 401 and pages redirect to /login; a role that may not see something gets 403.
/// </summary>
public static class ConsoleAuthentication
{
    public const string CsrfHeader = "X-CSRF-TOKEN";
    public const string EngineerPolicy = "engineer", AdminPolicy = "admin", OpsPolicy = "ops";
    public const string SessionIdClaim = "vision:sid";

    // A session's last use is written at most this often: every request reads the record, few write it.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);
    private static readonly PasswordHasher<ConsoleAccount> Hasher = new();

    public static IServiceCollection AddVisionConsole(this IServiceCollection services, ISessionStore sessions, OpsToken opsToken, ConsoleConfig config)
    {
        services.AddSingleton(sessions);
        services.AddSingleton(config);
        services.AddSingleton<SignInThrottle>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "vision.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = config.SessionIdle;
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.Events.OnValidatePrincipal = ValidateSessionAsync;
            o.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
        }).AddScheme<OpsTokenOptions, OpsTokenHandler>(OpsTokenHandler.SchemeName, o => o.Token = opsToken);
        services.AddAuthorizationBuilder()
            .AddPolicy(EngineerPolicy, p => p.RequireRole(ConsoleRole.Engineer.ToWire(), ConsoleRole.Admin.ToWire()))
            .AddPolicy(AdminPolicy, p => p.RequireRole(ConsoleRole.Admin.ToWire()))
            .AddPolicy(OpsPolicy, p => p.AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme, OpsTokenHandler.SchemeName)
                .RequireRole(ConsoleRole.Admin.ToWire(), OpsTokenHandler.Role));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "vision.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    public static string HashPassword(ConsoleAccount account, string password) => Hasher.HashPassword(account, password);

    /// <summary>Starts a session: a new random id, recorded server-side, carried in the (encrypted) cookie.</summary>
    public static async Task SignInAsync(HttpContext context, ConsoleAccount account, ISessionStore sessions, TimeProvider clock)
    {
        string sessionId = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await sessions.CreateAsync(sessionId, account.Username, SignInThrottle.Key(context.Connection.RemoteIpAddress), clock.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Principal(account.Username, account.DisplayName, account.Role, sessionId)).ConfigureAwait(false);
    }

    /// <summary>The session id the cookie carries; null for another kind of caller (the ops token).</summary>
    public static string? SessionId(this ClaimsPrincipal user) => user.FindFirst(SessionIdClaim)?.Value;

    /// <summary>The session as the database has it now (see <see cref="ISessionStore.FindActiveAsync"/>); null when it no longer counts.</summary>
    internal static Task<ConsoleSession?> FindSessionAsync(ISessionStore sessions, ConsoleConfig config, string sessionId, DateTimeOffset now, CancellationToken ct) =>
        sessions.FindActiveAsync(sessionId, now - config.SessionIdle, now - config.SessionLifetime, ct);

    private static ClaimsPrincipal Principal(string username, string displayName, ConsoleRole role, string sessionId) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, username),
        new Claim(ClaimTypes.GivenName, displayName),
        new Claim(ClaimTypes.Role, role.ToWire()),
        new Claim(SessionIdClaim, sessionId),
    ], CookieAuthenticationDefaults.AuthenticationScheme));

    /// <summary>Ends the session for every copy of its cookie (the record is revoked), then clears this one.</summary>
    public static async Task SignOutAsync(HttpContext context, ISessionStore sessions, TimeProvider clock)
    {
        if (context.User.SessionId() is { } sessionId)
            await sessions.RevokeAsync(sessionId, clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
    }

    /// <summary>
    /// A cookie is only as good as its server-side record: ended, idle or old too long, unknown, or its account deleted or
    /// disabled, and the request is anonymous. Otherwise the request runs with the account's role and name as the
    /// database has them now (one lookup by primary keys), and a cookie that says otherwise is reissued.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var sessions = services.GetRequiredService<ISessionStore>();
        var config = services.GetService<ConsoleConfig>() ?? ConsoleConfig.Default;
        var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        string? sessionId = context.Principal?.SessionId();
        var session = sessionId is null ? null : await FindSessionAsync(sessions, config, sessionId, now, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (session is null || !string.Equals(session.Username, context.Principal?.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return;
        }
        var principal = context.Principal!;
        if (principal.FindFirst(ClaimTypes.Role)?.Value != session.Role.ToWire() || principal.FindFirst(ClaimTypes.GivenName)?.Value != session.DisplayName)
        {
            context.ReplacePrincipal(Principal(session.Username, session.DisplayName, session.Role, sessionId!));
            context.ShouldRenew = true;
        }
        if (now - session.SeenAt > TouchInterval) await sessions.TouchAsync(sessionId!, now, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Rejects a change that lacks a valid CSRF token (sent by the console as the X-CSRF-TOKEN header).</summary>
    public static async ValueTask<object?> RequireCsrf(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context.HttpContext).ConfigureAwait(false))
            return ErrorAnswers.Explained("csrf", $"missing or wrong {CsrfHeader}: reload the page", StatusCodes.Status400BadRequest);
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// API, evidence and metrics calls get the status. A page the role may not see gets the console itself with 403, which
    /// shows "not allowed" in the officer's language; a page without a session goes to the sign-in page and comes back after.
    /// </summary>
    private static async Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        bool api = path.StartsWithSegments("/api") || path.StartsWithSegments("/evidence") || path.StartsWithSegments("/metrics");
        if (api || status == StatusCodes.Status403Forbidden)
        {
            context.Response.StatusCode = status;
            if (!api && ConsoleAssets.Open("index.html") is { } page)
            {
                await using (page)
                {
                    context.Response.ContentType = "text/html; charset=utf-8";
                    await page.CopyToAsync(context.Response.Body).ConfigureAwait(false);
                }
            }
            return;
        }
        context.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(path + context.Request.QueryString));
    }

    public static string Username(this ClaimsPrincipal user) => user.Identity?.Name ?? "?";
}
