using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// Sign-in for the console: local accounts with ASP.NET Core Identity's password hasher (PBKDF2, per-user salt),
/// cookie sessions (HttpOnly, SameSite=Strict, 8 h sliding), CSRF tokens on every change, and a lock-out of
/// <see cref="LockoutDuration"/> after <see cref="MaxFailedSignIns"/> failures in a row. API calls without a session
/// get 401 and pages redirect to /login; a role that may not see something gets 403.
/// </summary>
public static class ConsoleAuthentication
{
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    public const string CsrfHeader = "X-CSRF-TOKEN";
    public const string EngineerPolicy = "engineer", AdminPolicy = "admin";

    private static readonly PasswordHasher<ConsoleAccount> Hasher = new();

    public static IServiceCollection AddVisionConsole(this IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "vision.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(EngineerPolicy, p => p.RequireRole(ConsoleRole.Engineer.ToWire(), ConsoleRole.Admin.ToWire()))
            .AddPolicy(AdminPolicy, p => p.RequireRole(ConsoleRole.Admin.ToWire()));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "vision.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        return services;
    }

    public static string HashPassword(ConsoleAccount account, string password) => Hasher.HashPassword(account, password);

    /// <summary>The outcome of a sign-in attempt: the account, or why not (without telling which of name or password was wrong).</summary>
    public sealed record SignInResult(ConsoleAccount? Account, string? Error, DateTimeOffset? LockedUntil);

    public static async Task<SignInResult> CheckCredentialsAsync(UserStore users, string username, string password, TimeProvider clock, CancellationToken ct)
    {
        var account = await users.FindAsync(username.Trim(), ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        if (account is null) return new SignInResult(null, "wrong_credentials", null);
        if (account.LockedUntil is { } until && until > now) return new SignInResult(null, "locked", until);
        var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            await users.RecordFailureAsync(account.Username, MaxFailedSignIns, now + LockoutDuration, ct).ConfigureAwait(false);
            var after = await users.FindAsync(account.Username, ct).ConfigureAwait(false);
            return after?.LockedUntil is { } locked && locked > now ? new SignInResult(null, "locked", locked) : new SignInResult(null, "wrong_credentials", null);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            await users.SetPasswordHashAsync(account.Username, Hasher.HashPassword(account, password), ct).ConfigureAwait(false);
        await users.RecordSuccessAsync(account.Username, ct).ConfigureAwait(false);
        return new SignInResult(account, null, null);
    }

    public static Task SignInAsync(HttpContext context, ConsoleAccount account)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, account.Username),
            new Claim(ClaimTypes.GivenName, account.DisplayName),
            new Claim(ClaimTypes.Role, account.Role.ToWire()),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        return context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>Rejects a change that lacks a valid CSRF token (sent by the console as the X-CSRF-TOKEN header).</summary>
    public static async ValueTask<object?> RequireCsrf(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context.HttpContext).ConfigureAwait(false))
            return Results.Json(new { error = "csrf", message = $"missing or wrong {CsrfHeader}: reload the page" }, statusCode: StatusCodes.Status400BadRequest);
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// API and evidence calls get the status. A page the role may not see gets the console itself with 403, which shows
    /// "not allowed" in the officer's language; a page without a session goes to the sign-in page and comes back after.
    /// </summary>
    private static async Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        bool api = path.StartsWithSegments("/api") || path.StartsWithSegments("/evidence");
        if (api || status == StatusCodes.Status403Forbidden)
        {
            context.Response.StatusCode = status;
            if (!api && ConsoleEndpoints.OpenAsset("index.html") is { } page)
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
