using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vision.Pipeline.Tests.Live;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// The console's sign-in policy against a real <c>vision run</c>, with callers at several loopback addresses
/// (127.0.0.0/8): user names cannot be told apart by timing, failed sign-ins throttle the address, strangers cannot
/// lock the real user out, the users page shows the true figures, and weak passwords are refused.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class ConsoleSignInTests(ITestOutputHelper output)
{
    // The camera runs, but with a dwell nothing reaches: these tests need the console, not cases.
    private static async Task<VisionProcess> StartAsync() =>
        await VisionProcess.StartAsync(ConsoleApiTests.Config(await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30))
            .Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal));

    private static Task<HttpResponseMessage> TrySignInAsync(HttpClient client, string user, string password) =>
        client.PostAsJsonAsync("/api/session", new { username = user, password });

    private static async Task<string?> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out var e) ? e.GetString() : null;

    [SharedDataFact]
    public async Task An_unknown_user_takes_as_long_to_refuse_as_a_wrong_password()
    {
        await using var vision = await StartAsync();
        ConsoleApiTests.AddUser(vision.ConfigPath, "li", "engineer");

        // Each attempt from its own address, so throttling never answers instead of the password check.
        async Task<double> TimeAsync(string address, string user)
        {
            using var client = ConsoleApiTests.ClientFrom(vision.BaseUrl, address);
            var clock = Stopwatch.StartNew();
            var response = await TrySignInAsync(client, user, "not the password at all");
            clock.Stop();
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("wrong_credentials", await ErrorOf(response));
            return clock.Elapsed.TotalMilliseconds;
        }
        await TimeAsync("127.0.1.99", "warm-up");
        await TimeAsync("127.0.2.99", "li");
        var unknown = new List<double>();
        var known = new List<double>();
        for (int i = 1; i <= 7; i++)
        {
            unknown.Add(await TimeAsync($"127.0.1.{i}", $"nobody-{i}"));
            known.Add(await TimeAsync($"127.0.2.{i}", "li"));
        }
        double mu = Median(unknown), mk = Median(known);
        output.WriteLine($"refusal median: unknown user {mu:0.0} ms ({string.Join(", ", unknown.Select(x => x.ToString("0.0")))}), wrong password {mk:0.0} ms ({string.Join(", ", known.Select(x => x.ToString("0.0")))})");
        Assert.True(Math.Max(mu, mk) / Math.Min(mu, mk) < 3, $"unknown user {mu:0.0} ms against wrong password {mk:0.0} ms");
    }

    [SharedDataFact]
    public async Task Failed_sign_ins_throttle_the_address_and_strangers_cannot_lock_the_real_user_out()
    {
        await using var vision = await StartAsync();
        ConsoleApiTests.AddUser(vision.ConfigPath, "li", "engineer");
        ConsoleApiTests.AddUser(vision.ConfigPath, "boss", "admin");
        const string Desk = "127.0.0.2";
        (await ConsoleApiTests.SignInAsync(vision.BaseUrl, "li", sourceAddress: Desk)).Dispose(); // li's usual address

        // A stranger's address: five failures, then refused before any password is checked, whatever the name.
        using (var stranger = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.50"))
        {
            for (int i = 0; i < 5; i++)
                Assert.Equal("wrong_credentials", await ErrorOf(await TrySignInAsync(stranger, "li", $"guess {i}")));
            var throttled = await TrySignInAsync(stranger, "li", ConsoleApiTests.Password);
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal("too_many_attempts", await ErrorOf(throttled));
            Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
            Assert.Equal(HttpStatusCode.TooManyRequests, (await TrySignInAsync(stranger, "nobody", "guess")).StatusCode);
        }

        // Five failures did not lock the account: li signs in from her desk (the count starts again).
        (await ConsoleApiTests.SignInAsync(vision.BaseUrl, "li", sourceAddress: Desk)).Dispose();

        // Twenty failures in a row from four more addresses lock it, but only against strangers; a wrong password is
        // still "wrong credentials", so the lock does not tell anyone that the name exists.
        for (int a = 51; a <= 54; a++)
        {
            using var stranger = ConsoleApiTests.ClientFrom(vision.BaseUrl, $"127.0.0.{a}");
            for (int i = 0; i < 5; i++) Assert.Equal("wrong_credentials", await ErrorOf(await TrySignInAsync(stranger, "li", $"guess {a}.{i}")));
        }
        using (var newcomer = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.60"))
        {
            Assert.Equal("wrong_credentials", await ErrorOf(await TrySignInAsync(newcomer, "li", "guess again")));
            var locked = await TrySignInAsync(newcomer, "li", ConsoleApiTests.Password);
            Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
            var body = await locked.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("locked", body.GetProperty("error").GetString());
            Assert.True(body.GetProperty("lockedUntil").GetDateTime() > DateTime.UtcNow.AddMinutes(10));
        }

        // The users page shows it as it is: locked, with 21 failed sign-ins since the last success.
        using (var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, "boss", sourceAddress: "127.0.0.3"))
        {
            var li = (await admin.Http.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().Single(u => u.GetProperty("username").GetString() == "li");
            output.WriteLine($"users page: {li.GetRawText()}");
            Assert.Equal(21, li.GetProperty("failedSignIns").GetInt32());
            Assert.Equal(JsonValueKind.String, li.GetProperty("lockedUntil").ValueKind);
        }

        // And li still signs in from her desk.
        using var real = await ConsoleApiTests.SignInAsync(vision.BaseUrl, "li", sourceAddress: Desk);
        Assert.Equal(HttpStatusCode.OK, (await real.Http.GetAsync("/api/cases")).StatusCode);
    }

    [SharedDataFact]
    public async Task Weak_passwords_are_refused_for_new_users_in_the_console_and_on_the_command_line()
    {
        await using var vision = await StartAsync();
        ConsoleApiTests.AddUser(vision.ConfigPath, "boss", "admin");
        using var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, "boss");
        const string Message = "password: at least 10 characters, not a common password";

        foreach (string weak in new[] { "aaaaaaaaaa", "1234567890", "password123", "qwertyuiop", "abcabcabcabc", "Password123!", "zhangwei-zhangwei" })
        {
            var refused = await admin.PostAsync("/api/users", new { username = "zhangwei", role = "admin", password = weak });
            string body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"'{weak}': {refused.StatusCode} {body}");
            Assert.Contains(Message, body);
        }
        var (exitCode, printed) = ConsoleApiTests.TryAddUser(vision.ConfigPath, "weak", "admin", "aaaaaaaaaa");
        Assert.NotEqual(0, exitCode);
        Assert.Contains(Message, printed);

        // A few words pass.
        var made = await admin.PostAsync("/api/users", new { username = "zhangwei", role = "officer", password = "tram depot lantern 42" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var users = (await admin.Http.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().Select(u => u.GetProperty("username").GetString()).ToList();
        Assert.Equal(["boss", "zhangwei"], users);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
