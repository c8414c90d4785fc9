using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>A sign-in: the account, its password, and the page to go back to.</summary>
public sealed record SignInRequest(string? Username, string? Password, string? ReturnUrl = null);

/// <summary>The answer to a sign-in: who signed in, with which role, and the (local) page to go to.</summary>
internal sealed record SignedIn(string Username, string DisplayName, string Role, string ReturnUrl);

/// <summary>The signed-in user (<c>GET /api/session</c>) and the CSRF token every write sends back.</summary>
internal sealed record SessionView(string? Username, string? DisplayName, string? Role, string? CsrfToken);

/// <summary>401 <c>locked</c>: the account takes no sign-in until then.</summary>
internal sealed record AccountLocked(string Error, DateTime? LockedUntil);

/// <summary>
/// The session resource: <c>POST /api/session</c> signs in (throttled per address, no body read past
/// <see cref="RequestBodyLimits.Anonymous"/>), <c>GET /api/session</c> says who is signed in, <c>POST /api/session/logout</c>
/// signs out.
/// </summary>
internal static class SessionEndpoints
{
    public static void MapSession(this WebApplication app, ConsoleSources sources, CredentialCheck credentials, SignInThrottle throttle, ISessionStore sessions)
    {
        var session = app.MapGroup("/api/session");
        session.MapPost("", async (HttpContext context, CancellationToken ct) =>
        {
            // A throttled address is refused before its body is read.
            if (throttle.Refused(context.Connection.RemoteIpAddress) is { } wait) return ErrorAnswers.TooManyAttempts(context, wait);
            var (body, unread) = await ReadSignInAsync(context.Request, ct);
            if (body is null) return unread!;
            string returnUrl = LocalReturnPath.Sanitize(body.ReturnUrl);
            if (string.IsNullOrWhiteSpace(body.Username) || string.IsNullOrEmpty(body.Password)) return WrongCredentials();
            var result = await credentials.CheckAsync(body.Username, body.Password, context.Connection.RemoteIpAddress, ct);
            switch (result.Refusal)
            {
                case SignInRefusal.TooManyAttempts:
                    return ErrorAnswers.TooManyAttempts(context, result.RetryAfter!.Value);
                case SignInRefusal.Locked:
                    return Results.Json(new AccountLocked("locked", result.LockedUntil?.UtcDateTime), statusCode: StatusCodes.Status401Unauthorized);
                case SignInRefusal.WrongCredentials:
                    return WrongCredentials();
                case SignInRefusal.Disabled:
                    return ErrorAnswers.Explained("disabled", "this account is disabled: ask an admin", StatusCodes.Status401Unauthorized);
            }
            var account = result.Account!;
            await ConsoleAuthentication.SignInAsync(context, account, sessions, sources.Clock);
            return Results.Json(new SignedIn(account.Username, account.DisplayName, account.Role.ToWire(), returnUrl));
        }).WithBodyLimit(RequestBodyLimits.Anonymous);
        session.MapGet("", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var user = context.User;
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Json(new SessionView(user.Identity!.Name, user.FindFirst(ClaimTypes.GivenName)?.Value, user.FindFirst(ClaimTypes.Role)?.Value, tokens.RequestToken));
        }).RequireAuthorization();
        session.MapPost("/logout", async (HttpContext context) =>
        {
            await ConsoleAuthentication.SignOutAsync(context, sessions, sources.Clock);
            return Results.NoContent();
        }).RequireAuthorization().AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
    }

    private static IResult WrongCredentials() => Results.Json(new ErrorBody("wrong_credentials"), statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>The sign-in body, or the answer when there is none to use: 413 past the limit, 400 when it is not JSON.</summary>
    private static async Task<(SignInRequest? Body, IResult? Refusal)> ReadSignInAsync(HttpRequest request, CancellationToken ct)
    {
        var notJson = ErrorAnswers.Explained("bad_request", "send {\"username\": …, \"password\": …} as application/json", StatusCodes.Status400BadRequest);
        if (!request.HasJsonContentType()) return (null, notJson);
        try
        {
            return await request.ReadFromJsonAsync<SignInRequest>(ct) is { } body ? (body, null) : (null, notJson);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, RequestBodyLimits.TooLarge(RequestBodyLimits.Anonymous));
        }
        catch (System.Text.Json.JsonException)
        {
            return (null, notJson);
        }
    }
}
