using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>An admin's new role for an account: <c>officer</c>, <c>engineer</c> or <c>admin</c>.</summary>
public sealed record RoleChangeRequest(string? Role);

/// <summary>An admin's new password for an account.</summary>
public sealed record PasswordResetRequest(string? Password);

/// <summary>A user's own password change: the password now and the new one.</summary>
public sealed record PasswordChangeRequest(string? CurrentPassword, string? NewPassword);

/// <summary>A new account as an admin makes it.</summary>
public sealed record NewUserRequest(string? Username, string? DisplayName, string? Role, string? Password);

/// <summary>An account as the user administration shows it; <see cref="Sessions"/> only in the list.</summary>
internal sealed record AccountView(
    string Username, string DisplayName, string Role, bool Enabled, DateTime? DisabledAt, DateTime? LockedUntil, int FailedSignIns, DateTime CreatedAt, int? Sessions);

/// <summary>201: the account was made.</summary>
internal sealed record AccountCreated(string Username, string Role);

/// <summary>One audited account change: who did what to which account, when and from where.</summary>
internal sealed record AccountChangeRow(DateTime At, string Actor, string? Address, string Username, string Action, string? Detail);

/// <summary>
/// Accounts and their sessions: the admins' user administration (<c>/api/users</c>: list, add, disable and enable,
/// delete, role, password reset, end sessions, and the audit of all these) and a user's own password change
/// (<c>/api/session/password</c>). Every change is audited in <c>account_changes</c> with who, when and from where, in
/// the transaction of the change; a change that takes access away ends the account's sessions, and the last enabled
/// admin cannot be disabled, deleted or demoted (409 <c>last_admin</c>).
/// </summary>
internal static class AccountEndpoints
{
    private const int MaxChangesShown = 500;

    public static void MapAccounts(this WebApplication app, ConsoleSources sources, CredentialCheck credentials)
    {
        var sessions = app.Services.GetRequiredService<ISessionStore>();
        var config = app.Services.GetService<ConsoleConfig>() ?? ConsoleConfig.Default;
        var changes = new AccountChangeLog(sources.Cases.Database);
        AccountActor Actor(HttpContext context) => new(context.User.Username(), context.Connection.RemoteIpAddress?.ToString(), sources.Clock.GetUtcNow());

        var users = app.MapGroup("/api/users").RequireAuthorization(ConsoleAuthentication.AdminPolicy);
        users.MapGet("", async (CancellationToken ct) =>
        {
            var now = sources.Clock.GetUtcNow();
            var open = await sessions.CountActiveAsync(now - config.SessionIdle, now - config.SessionLifetime, ct);
            return Results.Json((await sources.Users.ListAsync(ct)).Select(u => View(u, now, open.GetValueOrDefault(u.Username))));
        });
        users.MapPost("", async (NewUserRequest body, HttpContext context, CancellationToken ct) =>
        {
            if (ConsoleEndpoints.CheckNewUser(body.Username, body.Role, body.Password) is { } problem) return ErrorAnswers.BadRequest(problem);
            ConsoleRoleNames.TryParse(body.Role, out var role);
            var account = new ConsoleAccount(body.Username!.Trim(), string.IsNullOrWhiteSpace(body.DisplayName) ? body.Username.Trim() : body.DisplayName.Trim(), role, "", 0, null, sources.Clock.GetUtcNow());
            account = account with { PasswordHash = ConsoleAuthentication.HashPassword(account, body.Password!) };
            return await sources.Users.AddAsync(account, Actor(context), ct)
                ? Results.Json(new AccountCreated(account.Username, account.Role.ToWire()), statusCode: StatusCodes.Status201Created)
                : ErrorAnswers.BadRequest($"user '{account.Username}' exists");
        }).AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
        users.MapGet("/changes", async (string? username, int? limit, CancellationToken ct) =>
            Results.Json((await changes.LatestAsync(string.IsNullOrWhiteSpace(username) ? null : username.Trim(), Math.Clamp(limit ?? 100, 1, MaxChangesShown), ct))
                .Select(c => new AccountChangeRow(c.At.UtcDateTime, c.Actor, c.Address, c.Username, c.Action, c.Detail))));

        var user = users.MapGroup("/{username}").AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
        user.MapPost("/disable", async (string username, HttpContext context, CancellationToken ct) =>
            await AnswerAsync(sources, username, await sources.Users.SetDisabledAsync(username, disabled: true, Actor(context), ct), ct));
        user.MapPost("/enable", async (string username, HttpContext context, CancellationToken ct) =>
            await AnswerAsync(sources, username, await sources.Users.SetDisabledAsync(username, disabled: false, Actor(context), ct), ct));
        user.MapPost("/role", async (string username, RoleChangeRequest body, HttpContext context, CancellationToken ct) =>
        {
            if (!ConsoleRoleNames.TryParse(body.Role, out var role)) return ErrorAnswers.BadRequest(ConsoleEndpoints.RoleProblem);
            return await AnswerAsync(sources, username, await sources.Users.SetRoleAsync(username, role, Actor(context), ct), ct);
        });
        user.MapPost("/password", async (string username, PasswordResetRequest body, HttpContext context, CancellationToken ct) =>
        {
            if (await sources.Users.FindAsync(username, ct) is not { } account) return NoSuchUser(username);
            if (PasswordPolicy.Problem(account.Username, body.Password) is { } problem) return ErrorAnswers.BadRequest(problem);
            // An admin resetting her own password keeps the session she does it from, as a user changing hers does.
            string? keep = string.Equals(account.Username, context.User.Username(), StringComparison.OrdinalIgnoreCase) ? context.User.SessionId() : null;
            var result = await sources.Users.SetPasswordAsync(account.Username, ConsoleAuthentication.HashPassword(account, body.Password!), AccountAction.PasswordReset, keep, Actor(context), ct);
            return await AnswerAsync(sources, username, result, ct);
        });
        user.MapDelete("/sessions", async (string username, HttpContext context, CancellationToken ct) =>
            await AnswerAsync(sources, username, await sources.Users.EndSessionsAsync(username, Actor(context), ct), ct));
        user.MapDelete("", async (string username, HttpContext context, CancellationToken ct) =>
        {
            var result = await sources.Users.DeleteAsync(username, Actor(context), ct);
            return result == AccountChangeResult.Done ? Results.NoContent() : await AnswerAsync(sources, username, result, ct);
        });

        app.MapPost("/api/session/password", async (PasswordChangeRequest body, HttpContext context, CancellationToken ct) =>
        {
            string username = context.User.Username();
            if (string.IsNullOrEmpty(body.CurrentPassword)) return ErrorAnswers.Explained("wrong_current_password", "give your current password", StatusCodes.Status400BadRequest);
            if (PasswordPolicy.Problem(username, body.NewPassword) is { } problem) return ErrorAnswers.BadRequest(problem);
            if (body.NewPassword == body.CurrentPassword) return ErrorAnswers.BadRequest("the new password must differ from the current one");
            // The current password is checked as a sign-in is: a stolen session cookie does not buy unlimited guesses.
            var check = await credentials.CheckAsync(username, body.CurrentPassword, context.Connection.RemoteIpAddress, ct);
            if (check.Refusal == SignInRefusal.TooManyAttempts) return ErrorAnswers.TooManyAttempts(context, check.RetryAfter!.Value);
            if (check.Account is not { } account)
                return ErrorAnswers.Explained("wrong_current_password", "the current password is not right", StatusCodes.Status400BadRequest);
            var result = await sources.Users.SetPasswordAsync(account.Username, ConsoleAuthentication.HashPassword(account, body.NewPassword!), AccountAction.PasswordChanged,
                context.User.SessionId(), Actor(context), ct);
            return result == AccountChangeResult.Done ? Results.NoContent() : NoSuchUser(username);
        }).RequireAuthorization().AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
    }

    /// <summary>The account as it is after a change (200), or why the change was not made: 404 <c>no_such_user</c>, 409 <c>last_admin</c>.</summary>
    private static async Task<IResult> AnswerAsync(ConsoleSources sources, string username, AccountChangeResult result, CancellationToken ct)
    {
        switch (result)
        {
            case AccountChangeResult.LastAdmin:
                return ErrorAnswers.Explained("last_admin",
                    $"'{username}' is the last enabled admin: without one nobody could manage users in the console; make another account admin first",
                    StatusCodes.Status409Conflict);
            case AccountChangeResult.NoSuchUser:
                return NoSuchUser(username);
        }
        var account = await sources.Users.FindAsync(username, ct);
        return account is null ? NoSuchUser(username) : Results.Json(View(account, sources.Clock.GetUtcNow(), sessions: null));
    }

    private static IResult NoSuchUser(string username) =>
        ErrorAnswers.Explained("no_such_user", $"no user '{username}'", StatusCodes.Status404NotFound);

    private static AccountView View(ConsoleAccount u, DateTimeOffset now, int? sessions) => new(
        u.Username, u.DisplayName, u.Role.ToWire(), u.DisabledAt is null, u.DisabledAt?.UtcDateTime,
        u.LockedUntil is { } l && l > now ? l.UtcDateTime : null, u.FailedSignIns, u.CreatedAt.UtcDateTime, sessions);
}
