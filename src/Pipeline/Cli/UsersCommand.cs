using System.CommandLine;
using Vision.Pipeline.Tools.Replay;
using Vision.ReviewConsole;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cli;

/// <summary>
/// <c>vision users add|list|disable|enable|delete|role|reset-password|end-sessions|changes</c>: local accounts of the
/// review console, kept in the case database. The first admin is made here; later accounts can also be managed by an
/// admin in the console. Every change is audited as <c>cli:&lt;os user&gt;</c>, as the console audits its admins. Passwords
/// never go on the command line (shell history, process lists): they come from standard input or <c>VISION_NEW_PASSWORD</c>.
/// </summary>
internal static class UsersCommand
{
    public const string PasswordVariable = "VISION_NEW_PASSWORD";

    public static Command Create() => new("users", "Accounts of the review console.")
    {
        Add(),
        List(),
        Change("disable", "Disable an account: it cannot sign in, and its open sessions end at once.", "disabled",
            (users, name, by, ct) => users.SetDisabledAsync(name, disabled: true, by, ct)),
        Change("enable", "Enable a disabled account again.", "enabled", (users, name, by, ct) => users.SetDisabledAsync(name, disabled: false, by, ct)),
        Change("delete", "Delete an account and end its sessions (the audit and case history keep its name).", "deleted", (users, name, by, ct) => users.DeleteAsync(name, by, ct)),
        Role(),
        ResetPassword(),
        Change("end-sessions", "End every open session of an account, on every node.", "ended the sessions of", (users, name, by, ct) => users.EndSessionsAsync(name, by, ct)),
        Changes(),
    };

    private static Option<string> ConfigOption() => new("--config") { Description = "the config of 'vision run' (its database holds the accounts)", Required = true };

    private static Option<string> UserOption() => new("--user") { Description = "user name (sign-in name)", Required = true };

    private static Option<bool> StdinOption() => new("--password-stdin") { Description = $"read the password from the first line of standard input (else {PasswordVariable})" };

    private static UserStore OpenUsers(ParseResult parsed, Option<string> config) => new(RunCommand.OpenDatabase(VisionConfigLoader.Load(parsed.GetValue(config)!)));

    private static AccountActor Cli() => new($"cli:{Environment.UserName}", null, DateTimeOffset.UtcNow);

    private static string ReadPassword(ParseResult parsed, Option<bool> stdin)
    {
        string? password = parsed.GetValue(stdin) ? Console.In.ReadLine() : Environment.GetEnvironmentVariable(PasswordVariable);
        return string.IsNullOrEmpty(password) ? throw new UsageException($"no password: pipe it with --password-stdin or set {PasswordVariable}") : password;
    }

    private static Command Add()
    {
        var config = ConfigOption();
        var user = UserOption();
        var role = new Option<string>("--role") { Description = "officer, engineer or admin", Required = true };
        var name = new Option<string?>("--name") { Description = "display name, e.g. 张警官" };
        var stdin = StdinOption();
        var add = new Command("add", "Add a console account.") { config, user, role, name, stdin };
        add.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("users add", async () =>
        {
            string password = ReadPassword(parsed, stdin);
            string username = parsed.GetValue(user)!, roleText = parsed.GetValue(role)!;
            if (ConsoleEndpoints.CheckNewUser(username, roleText, password) is { } problem) throw new UsageException(problem);
            ConsoleRoleNames.TryParse(roleText, out var parsedRole);
            var users = OpenUsers(parsed, config);
            var account = new ConsoleAccount(username.Trim(), parsed.GetValue(name) ?? username.Trim(), parsedRole, "", 0, null, DateTimeOffset.UtcNow);
            if (!await users.AddAsync(account with { PasswordHash = ConsoleAuthentication.HashPassword(account, password) }, Cli(), ct).ConfigureAwait(false))
                throw new UsageException($"user '{account.Username}' exists");
            Console.WriteLine($"added {account.Role.ToWire()} '{account.Username}'");
            return 0;
        }).ConfigureAwait(false));
        return add;
    }

    private static Command List()
    {
        var config = ConfigOption();
        var list = new Command("list", "List console accounts.") { config };
        list.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("users list", async () =>
        {
            foreach (var u in await OpenUsers(parsed, config).ListAsync(ct).ConfigureAwait(false))
                Console.WriteLine($"{u.Username,-20} {u.Role.ToWire(),-9} {(u.DisabledAt is null ? "enabled" : "disabled"),-9} {u.DisplayName}"
                    + (u.LockedUntil is { } l && l > DateTimeOffset.UtcNow ? $"  locked until {l:u}" : ""));
            return 0;
        }).ConfigureAwait(false));
        return list;
    }

    /// <summary>A subcommand that changes one account: <c>--config</c>, <c>--user</c>, and what it does.</summary>
    private static Command Change(string verb, string description, string done, Func<UserStore, string, AccountActor, CancellationToken, Task<AccountChangeResult>> change)
    {
        var config = ConfigOption();
        var user = UserOption();
        var command = new Command(verb, description) { config, user };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync($"users {verb}", async () =>
        {
            string username = parsed.GetValue(user)!.Trim();
            Report(await change(OpenUsers(parsed, config), username, Cli(), ct).ConfigureAwait(false), username, done);
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command Role()
    {
        var config = ConfigOption();
        var user = UserOption();
        var role = new Option<string>("--role") { Description = "officer, engineer or admin", Required = true };
        var command = new Command("role", "Give an account another role; its open sessions have it at their next request.") { config, user, role };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("users role", async () =>
        {
            if (!ConsoleRoleNames.TryParse(parsed.GetValue(role), out var parsedRole)) throw new UsageException("role must be officer, engineer or admin");
            string username = parsed.GetValue(user)!.Trim();
            Report(await OpenUsers(parsed, config).SetRoleAsync(username, parsedRole, Cli(), ct).ConfigureAwait(false), username, $"made {parsedRole.ToWire()}:");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command ResetPassword()
    {
        var config = ConfigOption();
        var user = UserOption();
        var stdin = StdinOption();
        var command = new Command("reset-password", "Set a new password for an account (and clear its lock-out); its open sessions end.") { config, user, stdin };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("users reset-password", async () =>
        {
            string password = ReadPassword(parsed, stdin);
            var users = OpenUsers(parsed, config);
            string username = parsed.GetValue(user)!.Trim();
            if (await users.FindAsync(username, ct).ConfigureAwait(false) is not { } account) throw new UsageException($"no user '{username}'");
            if (PasswordPolicy.Problem(account.Username, password) is { } problem) throw new UsageException(problem);
            Report(await users.SetPasswordAsync(account.Username, ConsoleAuthentication.HashPassword(account, password), AccountAction.PasswordReset, null, Cli(), ct)
                .ConfigureAwait(false), account.Username, "set a new password for");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command Changes()
    {
        var config = ConfigOption();
        var user = new Option<string?>("--user") { Description = "only this account's changes" };
        var limit = new Option<int>("--limit") { Description = "how many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("changes", "The audit of account changes: when, who, from where, what.") { config, user, limit };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("users changes", async () =>
        {
            var log = new AccountChangeLog(RunCommand.OpenDatabase(VisionConfigLoader.Load(parsed.GetValue(config)!)));
            foreach (var c in await log.LatestAsync(parsed.GetValue(user)?.Trim(), Math.Clamp(parsed.GetValue(limit), 1, 10_000), ct).ConfigureAwait(false))
                Console.WriteLine($"{c.At:u}  {c.Actor,-16} {c.Address ?? "-",-15} {c.Action,-16} {c.Username}{(c.Detail is null ? "" : "  " + c.Detail)}");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static void Report(AccountChangeResult result, string username, string done)
    {
        switch (result)
        {
            case AccountChangeResult.NoSuchUser:
                throw new UsageException($"no user '{username}'");
            case AccountChangeResult.LastAdmin:
                throw new UsageException($"'{username}' is the last enabled admin: without one nobody could manage users in the console; make another account admin first (vision users role --role admin)");
        }
        Console.WriteLine($"{done} '{username}'");
    }
}
