using Microsoft.AspNetCore.Identity;
using Vision.Pipeline.Tests.Browser;
using Vision.Storage;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// <c>vision users</c> as an operator runs it, against the node's SQLite database (no <c>vision run</c> needed): every
/// change of an account's lifecycle, its effect on open sessions, the audit it leaves, and the last admin kept.
/// </summary>
public sealed class UsersCommandTests : IDisposable
{
    private const string StrongPassword = "copper kettle river 19";

    private readonly ITestOutputHelper _output;
    private readonly ReviewConsoleTests.WorkDirectory _work = new();
    private readonly string _config;

    public UsersCommandTests(ITestOutputHelper output)
    {
        _output = output;
        _config = Path.Combine(_work.Path, "vision.yaml");
        File.WriteAllText(_config, ConsoleApiTests.Config("rtsp://127.0.0.1:9/none").Replace("WORK", _work.Path, StringComparison.Ordinal));
    }

    public void Dispose() => _work.Dispose();

    private CaseDatabase Database => new SqliteCaseDatabase(Path.Combine(_work.Path, "evidence", SqliteCaseDatabase.FileName)).Migrate();

    private (int ExitCode, string Output) Users(string verb, string? input = null, params string[] more)
    {
        var result = ConsoleApiTests.RunUsers(input, [verb, "--config", _config, .. more]);
        _output.WriteLine($"$ vision users {verb} {string.Join(' ', more)}  → {result.ExitCode}\n{result.Output}");
        return result;
    }

    private void Succeeds(string verb, string user, string printed, params string[] more)
    {
        var (exitCode, text) = Users(verb, null, ["--user", user, .. more]);
        Assert.True(exitCode == 0, text);
        Assert.Contains(printed, text);
    }

    [Fact]
    public async Task The_users_command_disables_enables_re_roles_resets_ends_sessions_and_deletes_an_account_each_audited()
    {
        ConsoleApiTests.AddUser(_config, "boss", "admin");
        ConsoleApiTests.AddUser(_config, "zhang", "officer");
        var users = new UserStore(Database);
        var sessions = new SessionStore(Database);
        var now = DateTimeOffset.UtcNow;
        Task<ConsoleSession?> Find(string id) => sessions.FindActiveAsync(id, now.AddHours(-1), now.AddHours(-1), CancellationToken.None);
        await sessions.CreateAsync("zhang-1", "zhang", "10.0.0.5", now, CancellationToken.None);

        Succeeds("disable", "ZHANG", "disabled 'ZHANG'");
        Assert.NotNull((await users.FindAsync("zhang", CancellationToken.None))?.DisabledAt);
        Assert.Null(await Find("zhang-1"));
        Assert.Matches(@"zhang\s+officer\s+disabled", Users("list").Output);
        Succeeds("enable", "zhang", "enabled 'zhang'");
        Assert.Matches(@"zhang\s+officer\s+enabled", Users("list").Output);

        Succeeds("role", "zhang", "made engineer: 'zhang'", "--role", "engineer");
        Assert.Equal(ConsoleRole.Engineer, (await users.FindAsync("zhang", CancellationToken.None))?.Role);
        Assert.Equal(2, Users("role", null, "--user", "zhang", "--role", "chief").ExitCode);

        await sessions.CreateAsync("zhang-2", "zhang", "10.0.0.5", now, CancellationToken.None);
        var (weakExit, weakText) = Users("reset-password", "aaaaaaaaaa", "--user", "zhang", "--password-stdin");
        Assert.Equal(2, weakExit);
        Assert.Contains("password: at least 10 characters", weakText);
        var (exitCode, text) = Users("reset-password", StrongPassword, "--user", "zhang", "--password-stdin");
        Assert.True(exitCode == 0, text);
        var reset = (await users.FindAsync("zhang", CancellationToken.None))!;
        Assert.NotEqual(PasswordVerificationResult.Failed, new PasswordHasher<ConsoleAccount>().VerifyHashedPassword(reset, reset.PasswordHash, StrongPassword));
        Assert.Null(await Find("zhang-2"));

        await sessions.CreateAsync("zhang-3", "zhang", "10.0.0.5", now, CancellationToken.None);
        Succeeds("end-sessions", "zhang", "ended the sessions of 'zhang'");
        Assert.Null(await Find("zhang-3"));

        Succeeds("delete", "zhang", "deleted 'zhang'");
        Assert.Null(await users.FindAsync("zhang", CancellationToken.None));
        var (missingExit, missingText) = Users("disable", null, "--user", "zhang");
        Assert.Equal(2, missingExit);
        Assert.Contains("no user 'zhang'", missingText);

        // The audit, newest first, names the operator's account and keeps the deleted account's name.
        var changes = Users("changes", null, "--user", "zhang").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["deleted", "sessions_ended", "password_reset", "role_changed", "enabled", "disabled", "added"],
            changes.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4]));
        Assert.All(changes, line => Assert.Contains($"cli:{Environment.UserName}", line));
        Assert.Contains("officer → engineer", changes[3]);
    }

    [Fact]
    public void The_users_command_refuses_to_disable_delete_or_demote_the_last_admin_and_says_why()
    {
        ConsoleApiTests.AddUser(_config, "boss", "admin");
        foreach (var attempt in new[] { new[] { "disable" }, ["delete"], ["role", "--role", "officer"] })
        {
            var (exitCode, text) = Users(attempt[0], null, ["--user", "boss", .. attempt[1..]]);
            Assert.Equal(2, exitCode);
            Assert.Contains("'boss' is the last enabled admin: without one nobody could manage users in the console; make another account admin first", text);
        }
        ConsoleApiTests.AddUser(_config, "deputy", "admin");
        Succeeds("disable", "boss", "disabled 'boss'");
        Assert.Equal(2, Users("delete", null, "--user", "deputy").ExitCode); // the last enabled one now
    }
}
