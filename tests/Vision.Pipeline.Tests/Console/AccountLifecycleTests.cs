using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vision.Pipeline.Tests.Browser;
using Vision.Pipeline.Tests.Live;
using Vision.Storage;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// Account lifecycle and session validity against a real <c>vision run</c> with seeded cases (its camera raises none
/// during the test): an account disabled, deleted or given another role changes its open sessions at their next
/// request; admins manage accounts through the API, audited, never removing the last admin; users change their own
/// password; sessions end at their absolute lifetime; and live-queue streams end within two seconds of their session
/// and are capped per user.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class AccountLifecycleTests(ITestOutputHelper output)
{
    private const string Admin = "boss", Officer = "zhang", Engineer = "li";
    private const string NewPassword = "lantern harbour seven ducks";

    /// <summary>
    /// A node with <paramref name="seeded"/> cases, officers (zhang among them), an admin and an engineer; the camera at
    /// 0.5 fps (these tests need the console, not detections); <paramref name="extraConfig"/> is appended to the config.
    /// </summary>
    private static async Task<(VisionProcess Vision, IReadOnlyList<string> Cases)> StartAsync(ReviewConsoleTests.WorkDirectory work, int seeded, string extraConfig = "")
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        var started = await OfficerToolsApiTests.StartAsync(work, seeded,
            ConsoleApiTests.Config(footage).Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal).Replace("fps: 2,", "fps: 0.5,", StringComparison.Ordinal) + extraConfig);
        ConsoleApiTests.AddUser(started.Vision.ConfigPath, Admin, "admin");
        ConsoleApiTests.AddUser(started.Vision.ConfigPath, Engineer, "engineer");
        return started;
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out var e) ? e.GetString() : null;

    private static void Sql(VisionProcess vision, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(vision.EvidenceDirectory, SqliteCaseDatabase.FileName)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    [SharedDataFact]
    public async Task A_disabled_users_open_session_gets_401_on_its_next_request()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 2);
        await using var _ = vision;
        using var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Admin);
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        using var engineer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
        Assert.Equal(HttpStatusCode.OK, (await officer.Http.GetAsync("/api/cases")).StatusCode);

        var disabled = await admin.PostAsync($"/api/users/{Officer}/disable", new { });
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False((await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("enabled").GetBoolean());

        // The very next request of the open session is anonymous: no cases, no decision.
        Assert.Equal(HttpStatusCode.Unauthorized, (await officer.Http.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await officer.PostAsync($"/api/cases/{ids[0]}/confirm", new { })).StatusCode);
        // Signing in again says "disabled" only to the right password.
        using var again = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.1");
        var refused = await again.PostAsJsonAsync("/api/session", new { username = Officer, password = ConsoleApiTests.Password });
        Assert.Equal((HttpStatusCode.Unauthorized, "disabled"), (refused.StatusCode, await ErrorOf(refused)));
        Assert.Equal("wrong_credentials", await ErrorOf(await again.PostAsJsonAsync("/api/session", new { username = Officer, password = "not it at all" })));

        // Enabled again: the old session stays ended, a new sign-in works.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{Officer}/enable", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await officer.Http.GetAsync("/api/cases")).StatusCode);
        using (var back = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer))
            Assert.Equal(HttpStatusCode.OK, (await back.Http.GetAsync("/api/cases")).StatusCode);

        // An account deleted behind the console's back (straight from the database) loses its session as well.
        Assert.Equal(HttpStatusCode.OK, (await engineer.Http.GetAsync("/api/rules/stats")).StatusCode);
        Sql(vision, $"DELETE FROM users WHERE username = '{Engineer}'");
        Assert.Equal(HttpStatusCode.Unauthorized, (await engineer.Http.GetAsync("/api/rules/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await engineer.Http.GetAsync($"/api/cases/{ids[1]}")).StatusCode);
    }

    [SharedDataFact]
    public async Task A_re_roled_officer_loses_engineer_statistics_at_once()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 1);
        await using var __ = vision;
        using var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Admin);
        using var engineer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
        Assert.Equal(HttpStatusCode.OK, (await engineer.Http.GetAsync("/api/rules/stats")).StatusCode);

        var demoted = await admin.PostAsync($"/api/users/{Engineer}/role", new { role = "officer" });
        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        Assert.Equal("officer", (await demoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());

        // The cookie still says "engineer"; the database says otherwise, and the database is believed.
        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.Http.GetAsync("/api/rules/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.Http.GetAsync("/cameras")).StatusCode);
        Assert.Equal("officer", (await engineer.Http.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.OK, (await engineer.Http.GetAsync("/api/cases")).StatusCode);

        // Made engineer again from the command line (straight into the database): the running node follows at once.
        var (exitCode, printed) = ConsoleApiTests.RunUsers(null, "role", "--config", vision.ConfigPath, "--user", Engineer, "--role", "engineer");
        Assert.True(exitCode == 0, printed);
        Assert.Equal(HttpStatusCode.OK, (await engineer.Http.GetAsync("/api/rules/stats")).StatusCode);

        // And a role written into the database by anything else counts too: an admin demoted there is no admin here.
        Sql(vision, $"UPDATE users SET role = 'officer' WHERE username = '{Engineer}'");
        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.Http.GetAsync("/api/rules/stats")).StatusCode);
    }

    [SharedDataFact]
    public async Task Admins_manage_accounts_through_the_API_each_change_audited_and_the_last_admin_kept()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 1);
        await using var _ = vision;
        using var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Admin);
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        using var officerElsewhere = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer, sourceAddress: "127.0.0.2");
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/cases/{ids[0]}/confirm", new { })).StatusCode);

        // Officers manage nothing; admins need the CSRF token; unknown accounts are 404.
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsync($"/api/users/{Engineer}/disable", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PostAsJsonAsync($"/api/users/{Engineer}/disable", new { })).StatusCode);
        var unknown = await admin.PostAsync("/api/users/nobody/disable", new { });
        Assert.Equal((HttpStatusCode.NotFound, "no_such_user"), (unknown.StatusCode, await ErrorOf(unknown)));

        var list = (await admin.Http.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().ToDictionary(u => u.GetProperty("username").GetString()!);
        Assert.Equal(2, list[Officer].GetProperty("sessions").GetInt32());
        Assert.True(list[Officer].GetProperty("enabled").GetBoolean());

        // The last enabled admin cannot be disabled, deleted or demoted, and the answer says why.
        foreach (var attempt in new Func<Task<HttpResponseMessage>>[]
        {
            () => admin.PostAsync($"/api/users/{Admin}/disable", new { }),
            () => admin.DeleteAsync($"/api/users/{Admin}"),
            () => admin.PostAsync($"/api/users/{Admin}/role", new { role = "engineer" }),
        })
        {
            var lastAdmin = await attempt();
            string body = await lastAdmin.Content.ReadAsStringAsync();
            Assert.True(lastAdmin.StatusCode == HttpStatusCode.Conflict, body);
            Assert.Contains("last_admin", body);
            Assert.Contains("make another account admin first", body);
        }

        // A password reset ends every session of the account; the old password stops working, the new one works.
        var weak = await admin.PostAsync($"/api/users/{Officer}/password", new { password = "1234567890" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{Officer}/password", new { password = NewPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await officer.Http.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await officerElsewhere.Http.GetAsync("/api/cases")).StatusCode);
        using (var stale = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.1"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await stale.PostAsJsonAsync("/api/session", new { username = Officer, password = ConsoleApiTests.Password })).StatusCode);
        using var officerNow = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer, NewPassword);

        // Ending an account's sessions ends them everywhere, at once.
        using var engineer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/users/{Engineer}/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await engineer.Http.GetAsync("/api/cases")).StatusCode);

        // Deleted: gone from the list, its session ended, its name kept in the case's history and in the audit.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{Officer}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await officerNow.Http.GetAsync("/api/cases")).StatusCode);
        Assert.DoesNotContain(Officer, (await admin.Http.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().Select(u => u.GetProperty("username").GetString()));
        var history = (await admin.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{ids[0]}")).GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("confirmed", Officer), (history.GetProperty("status").GetString(), history.GetProperty("actor").GetString()));

        // With a second admin, the first may step down.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{Engineer}/role", new { role = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{Admin}/role", new { role = "officer" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Http.GetAsync("/api/users")).StatusCode);

        using var newAdmin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
        var audit = (await newAdmin.Http.GetFromJsonAsync<JsonElement>("/api/users/changes?limit=50")).EnumerateArray()
            .Select(c => (Actor: c.GetProperty("actor").GetString(), Action: c.GetProperty("action").GetString(), User: c.GetProperty("username").GetString(),
                Detail: c.GetProperty("detail").GetString(), Address: c.GetProperty("address").GetString()))
            .ToList();
        output.WriteLine(string.Join('\n', audit));
        Assert.Equal(new (string?, string?, string?, string?)[]
        {
            ("boss", "role_changed", Admin, "admin → officer"),
            ("boss", "role_changed", Engineer, "engineer → admin"),
            ("boss", "deleted", Officer, null),
            ("boss", "sessions_ended", Engineer, "1"),
            ("boss", "password_reset", Officer, null),
        }, audit.Take(5).Select(c => (c.Actor, c.Action, c.User, c.Detail)));
        Assert.All(audit.Take(5), c => Assert.Contains("127.0.0.1", c.Address));
        Assert.Equal(["added", "added", "added", "added"], audit.Skip(5).Select(c => c.Action)); // zhang, wang, boss, li by the command line
        Assert.StartsWith("cli:", audit[^1].Actor);
        Assert.Single((await newAdmin.Http.GetFromJsonAsync<JsonElement>($"/api/users/changes?username={Officer.ToUpperInvariant()}")).EnumerateArray(),
            c => c.GetProperty("action").GetString() == "deleted");
    }

    [SharedDataFact]
    public async Task A_user_changes_their_own_password_with_the_current_one_and_their_other_sessions_end()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 1);
        await using var __ = vision;
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        using var elsewhere = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer, sourceAddress: "127.0.0.2");

        var wrong = await officer.PostAsync("/api/session/password", new { currentPassword = "not my password", newPassword = NewPassword });
        Assert.Equal((HttpStatusCode.BadRequest, "wrong_current_password"), (wrong.StatusCode, await ErrorOf(wrong)));
        var weak = await officer.PostAsync("/api/session/password", new { currentPassword = ConsoleApiTests.Password, newPassword = "qwertyuiop" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("at least 10 characters", await weak.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.Http.GetAsync("/api/cases")).StatusCode); // nothing changed yet

        var changed = await officer.PostAsync("/api/session/password", new { currentPassword = ConsoleApiTests.Password, newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await officer.Http.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.Http.GetAsync("/api/cases")).StatusCode);
        using (var stale = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.3"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await stale.PostAsJsonAsync("/api/session", new { username = Officer, password = ConsoleApiTests.Password })).StatusCode);
        (await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer, NewPassword)).Dispose();

        // Guessing the current password through a stolen session is throttled as sign-in is: five failures from this
        // address (the wrong one above and four more), then refused before any password is checked.
        for (int i = 0; i < 4; i++)
            Assert.Equal("wrong_current_password", await ErrorOf(await officer.PostAsync("/api/session/password", new { currentPassword = $"guess {i}", newPassword = NewPassword + " 2" })));
        var throttled = await officer.PostAsync("/api/session/password", new { currentPassword = NewPassword, newPassword = NewPassword + " 2" });
        Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_attempts"), (throttled.StatusCode, await ErrorOf(throttled)));

        var (exitCode, printed) = ConsoleApiTests.RunUsers(null, "changes", "--config", vision.ConfigPath, "--user", Officer);
        output.WriteLine(printed);
        Assert.Equal(0, exitCode);
        Assert.Contains("password_changed", printed);
    }

    [SharedDataFact]
    public async Task A_session_ends_at_its_absolute_lifetime_however_busy_it_is()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 1, "console: { session_lifetime: 8s }\n");
        await using var __ = vision;
        var clock = Stopwatch.StartNew();
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        // A request every half second keeps it from ever being idle: the wait is the point (a session that ends on time).
        while ((await officer.Http.GetAsync("/api/cases")).StatusCode == HttpStatusCode.OK)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), "the session outlived its 8 s lifetime");
            await Task.Delay(500);
        }
        output.WriteLine($"session ended {clock.Elapsed.TotalSeconds:0.0} s after sign-in");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(7.5), $"ended after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(HttpStatusCode.Unauthorized, (await officer.Http.GetAsync("/api/session")).StatusCode);
    }

    [SharedDataFact]
    public async Task Signing_out_ends_the_live_stream_within_two_seconds()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 1);
        await using var __ = vision;
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        using var engineer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
        using var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Admin);
        await using var officerStream = await OfficerToolsApiTests.EventStream.OpenAsync(officer.Http, "/api/events");
        await using var engineerStream = await OfficerToolsApiTests.EventStream.OpenAsync(engineer.Http, "/api/events");

        // Signed out from another copy of the session (another tab), as the hostile test did.
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await officer.PostAsync("/api/session/logout", new { })).StatusCode);
        await officerStream.NextAsync(e => e.Name == "signed_out", TimeSpan.FromSeconds(2));
        Assert.True(await officerStream.EndedAsync(TimeSpan.FromSeconds(0.5)));
        output.WriteLine($"stream ended {clock.Elapsed.TotalSeconds:0.00} s after sign-out");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{clock.Elapsed.TotalSeconds:0.00} s");

        // An account disabled by an admin: its stream ends as fast.
        clock.Restart();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{Engineer}/disable", new { })).StatusCode);
        await engineerStream.NextAsync(e => e.Name == "signed_out", TimeSpan.FromSeconds(2));
        Assert.True(await engineerStream.EndedAsync(TimeSpan.FromSeconds(0.5)));
        output.WriteLine($"stream ended {clock.Elapsed.TotalSeconds:0.00} s after the account was disabled");
    }

    [SharedDataFact]
    public async Task One_users_connections_cannot_lock_out_another_user()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 1);
        await using var __ = vision;
        // Closing a stream closes its connection at once, as a browser closing a tab does (HttpClient would otherwise
        // keep it open up to 2 s to drain the unread response for reuse).
        using var officer = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(vision.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsJsonAsync("/api/session", new { username = Officer, password = ConsoleApiTests.Password })).StatusCode);
        using var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Admin);

        // 200 live queues at once from one user: five are served, the rest refused (429) — the node keeps room for others.
        var opened = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => OpenAsync(officer)));
        var served = opened.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        try
        {
            Assert.Equal(5, served.Count);
            var refused = opened.First(r => r.StatusCode != HttpStatusCode.OK);
            Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_streams"), (refused.StatusCode, await ErrorOf(refused)));
            Assert.All(opened.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));

            using (var adminStream = await OpenAsync(admin.Http))
                Assert.Equal(HttpStatusCode.OK, adminStream.StatusCode);

            // A stream the officer closes frees its place at once.
            served[0].Dispose();
            var clock = Stopwatch.StartNew();
            var reopened = await Eventually.HoldsAsync(() => OpenAsync(officer), r =>
            {
                if (r.StatusCode == HttpStatusCode.OK) return true;
                r.Dispose();
                return false;
            }, TimeSpan.FromSeconds(2), "the closed stream's place freed", TimeSpan.FromMilliseconds(50));
            output.WriteLine($"a closed stream's place was free again after {clock.Elapsed.TotalMilliseconds:0} ms");
            served[0] = reopened;
        }
        finally
        {
            foreach (var response in opened) response.Dispose();
            foreach (var response in served) response.Dispose();
        }
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
