using System.CommandLine;
using Vision.Pipeline.Replay;
using Vision.ReviewConsole;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cli;

/// <summary>
/// <c>vision users add|list</c>: local accounts of the review console, kept in the case database. The first admin is
/// made here; later accounts can also be made by an admin in the console. Passwords never go on the command line
/// (shell history, process lists): they come from standard input or <c>VISION_NEW_PASSWORD</c>.
/// </summary>
public static class UsersCommand
{
    public const string PasswordVariable = "VISION_NEW_PASSWORD";

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "the config of 'vision run' (its evidence.directory holds the accounts)", Required = true };
        var user = new Option<string>("--user") { Description = "user name (sign-in name)", Required = true };
        var role = new Option<string>("--role") { Description = "officer, engineer or admin", Required = true };
        var name = new Option<string?>("--name") { Description = "display name, e.g. 张警官" };
        var stdin = new Option<bool>("--password-stdin") { Description = $"read the password from the first line of standard input (else {PasswordVariable})" };
        var add = new Command("add", "Add a console account.") { config, user, role, name, stdin };
        add.SetAction(async (parsed, ct) => await EvidenceCommand.RunAsync("add", async () =>
        {
            string? password = parsed.GetValue(stdin) ? Console.In.ReadLine() : Environment.GetEnvironmentVariable(PasswordVariable);
            if (string.IsNullOrEmpty(password)) throw new UsageException($"no password: pipe it with --password-stdin or set {PasswordVariable}");
            string username = parsed.GetValue(user)!, roleText = parsed.GetValue(role)!;
            if (ConsoleEndpoints.CheckNewUser(username, roleText, password) is { } problem) throw new UsageException(problem);
            ConsoleRoleNames.TryParse(roleText, out var parsedRole);
            var users = new UserStore(RunCommand.OpenDatabase(VisionConfigLoader.Load(parsed.GetValue(config)!)));
            var account = new ConsoleAccount(username.Trim(), parsed.GetValue(name) ?? username.Trim(), parsedRole, "", 0, null, DateTimeOffset.UtcNow);
            if (!await users.AddAsync(account with { PasswordHash = ConsoleAuthentication.HashPassword(account, password) }, ct).ConfigureAwait(false))
                throw new UsageException($"user '{account.Username}' exists");
            Console.WriteLine($"added {account.Role.ToWire()} '{account.Username}'");
            return 0;
        }, "users").ConfigureAwait(false));

        var listConfig = new Option<string>("--config") { Description = "the config of 'vision run'", Required = true };
        var list = new Command("list", "List console accounts.") { listConfig };
        list.SetAction(async (parsed, ct) => await EvidenceCommand.RunAsync("list", async () =>
        {
            var users = new UserStore(RunCommand.OpenDatabase(VisionConfigLoader.Load(parsed.GetValue(listConfig)!)));
            foreach (var u in await users.ListAsync(ct).ConfigureAwait(false))
                Console.WriteLine($"{u.Username,-20} {u.Role.ToWire(),-9} {u.DisplayName}{(u.LockedUntil is { } l && l > DateTimeOffset.UtcNow ? $"  locked until {l:u}" : "")}");
            return 0;
        }, "users").ConfigureAwait(false));
        return new Command("users", "Accounts of the review console.") { add, list };
    }
}
