using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Vision.Pipeline.Tests.Live;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// The review console's API against a real <c>vision run</c> (the shared bottle footage as a live camera): sign-in,
/// lock-out, roles, CSRF, confirm and reject with audit, per-rule precision, evidence links that expire.
/// </summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class ConsoleApiTests
{
    public const string Password = "correct horse battery";

    internal static string Config(string footage, string presignExpiry = "10m") => $$"""
        detector: { model: yolox_nano }
        evidence: { directory: WORK/evidence, pre_roll: 2s, post_roll: 2s, store: { presign_expiry: {{presignExpiry}} } }
        recording: { directory: WORK/recordings, keep: 30s }
        cameras:
          - id: cam-bottles
            name: 测试路口
            location: { address: 人民路东侧人行道, lon: 116.397, lat: 39.909, grid: "11010500100101" }
            source: {{footage}}
            analysis: { fps: 2, max_width: 1280 }
            zones:
              - { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }
            rules:
              - { id: litter-table, name: 桌面垃圾, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 5s, cooldown: 10m }

        """;

    /// <summary>Adds accounts through the real command line, as an operator would.</summary>
    internal static void AddUser(string configPath, string user, string role)
    {
        var (exitCode, output) = TryAddUser(configPath, user, role, Password);
        Assert.True(exitCode == 0, output);
    }

    /// <summary><c>vision users add … --password-stdin</c>: its exit code and what it printed.</summary>
    internal static (int ExitCode, string Output) TryAddUser(string configPath, string user, string role, string password) =>
        RunUsers(password, "add", "--config", configPath, "--user", user, "--role", role, "--password-stdin");

    /// <summary><c>vision users &lt;args&gt;</c> with <paramref name="input"/> as its standard input: its exit code and what it printed.</summary>
    internal static (int ExitCode, string Output) RunUsers(string? input, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "vision.dll"), "users" }.Concat(args))
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        if (input is not null) process.StandardInput.WriteLine(input);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd() + error.GetAwaiter().GetResult();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    /// <summary>
    /// A client whose connections come from <paramref name="sourceAddress"/> (any of 127.0.0.0/8 on Linux), so a test can
    /// be several callers at once: sign-in throttling counts per client address. A request marked
    /// <c>Expect: 100-continue</c> sends its body only when the server asks for it, waiting <paramref name="expectContinue"/> (default 1 s).
    /// </summary>
    internal static HttpClient ClientFrom(string baseUrl, string sourceAddress, TimeSpan? expectContinue = null) => new(new SocketsHttpHandler
    {
        CookieContainer = new CookieContainer(),
        AllowAutoRedirect = false,
        Expect100ContinueTimeout = expectContinue ?? TimeSpan.FromSeconds(1),
        ConnectCallback = async (context, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = new Uri(baseUrl) };

    internal sealed class Session(HttpClient http, string csrf) : IDisposable
    {
        public HttpClient Http => http;

        public string Csrf => csrf;

        public async Task<HttpResponseMessage> PostAsync(string path, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-CSRF-TOKEN", csrf);
            return await http.SendAsync(request);
        }

        public async Task<HttpResponseMessage> PutAsync(string path, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-CSRF-TOKEN", csrf);
            return await http.SendAsync(request);
        }

        public async Task<HttpResponseMessage> DeleteAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, path);
            request.Headers.Add("X-CSRF-TOKEN", csrf);
            return await http.SendAsync(request);
        }

        public void Dispose() => http.Dispose();
    }

    internal static async Task<Session> SignInAsync(string baseUrl, string user, string password = Password, string sourceAddress = "127.0.0.1", TimeSpan? expectContinue = null)
    {
        var http = ClientFrom(baseUrl, sourceAddress, expectContinue);
        var signIn = await http.PostAsJsonAsync("/api/session", new { username = user, password });
        Assert.True(signIn.StatusCode == HttpStatusCode.OK, await signIn.Content.ReadAsStringAsync());
        var session = await http.GetFromJsonAsync<JsonElement>("/api/session");
        return new Session(http, session.GetProperty("csrfToken").GetString()!);
    }

    [SharedDataFact]
    public async Task Officers_sign_in_review_with_audit_and_precision_while_roles_lock_out_and_expiring_links_hold()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var vision = await VisionProcess.StartAsync(Config(footage, presignExpiry: "3s"));
        AddUser(vision.ConfigPath, "zhang", "officer");
        AddUser(vision.ConfigPath, "li", "engineer");
        AddUser(vision.ConfigPath, "boss", "admin");
        await vision.WaitUntilAsync(() => Task.FromResult(vision.Cases().Count >= 2), TimeSpan.FromSeconds(90), "two cases");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(vision.BaseUrl) };

        // No page, API or evidence without sign-in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/cases")).StatusCode);
        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/login")).StatusCode);

        // A wrong password is refused (throttling and lock-out: ConsoleSignInTests).
        using var guesser = ClientFrom(vision.BaseUrl, "127.0.0.9");
        var wrong = await guesser.PostAsJsonAsync("/api/session", new { username = "li", password = "guess" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("wrong_credentials", await wrong.Content.ReadAsStringAsync());

        using var officer = await SignInAsync(vision.BaseUrl, "zhang");
        // The lists the pages offer come from the server, for any signed-in role.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/vocabulary")).StatusCode);
        Assert.Equal("""
            {"statuses":["auto_captured","confirmed","rejected","dispatched"],"violations":["illegal_parking","street_stall","litter"],"rejectReasons":["false_detection","permitted","duplicate","evidence_unclear","other"],"roles":["officer","engineer","admin"]}
            """, await officer.Http.GetStringAsync("/api/vocabulary"));
        var queue = await officer.Http.GetFromJsonAsync<JsonElement>("/api/cases?status=auto_captured");
        var items = queue.GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= 2);
        string first = items[0].GetProperty("caseId").GetString()!, second = items[1].GetProperty("caseId").GetString()!;

        // Officers cannot reach admin or engineer pages.
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.Http.GetAsync("/api/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.Http.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.Http.GetAsync("/api/rules/stats")).StatusCode);

        // A change without the CSRF token is refused.
        var forged = await officer.Http.PostAsJsonAsync($"/api/cases/{first}/confirm", new { });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var confirmed = await officer.PostAsync($"/api/cases/{first}/confirm", new { note = "车牌清晰" });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var rejected = await officer.PostAsync($"/api/cases/{second}/reject", new { reason = "false_detection" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.PostAsync($"/api/cases/{second}/reject", new { reason = "other" })).StatusCode);

        var detail = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{second}");
        Assert.Equal(("rejected", "false_detection"), (detail.GetProperty("status").GetString(), detail.GetProperty("statusReason").GetString()));
        var audit = detail.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("rejected", "zhang", "false_detection"), (audit.GetProperty("status").GetString(), audit.GetProperty("actor").GetString(), audit.GetProperty("reason").GetString()));
        Assert.Contains("127.0.0.1", audit.GetProperty("address").GetString());
        Assert.Equal("人民路东侧人行道", detail.GetProperty("address").GetString());
        Assert.Equal(5, detail.GetProperty("rule").GetProperty("dwellSeconds").GetDouble());

        // Evidence comes through links that expire: fetched now, refused after the lifetime (3 s here).
        string photo = detail.GetProperty("photos")[0].GetProperty("url").GetString()!;
        var image = await officer.Http.GetAsync(photo);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(photo)).StatusCode);
        if (detail.GetProperty("clip").ValueKind == JsonValueKind.Object)
        {
            using var range = new HttpRequestMessage(HttpMethod.Get, detail.GetProperty("clip").GetProperty("url").GetString());
            range.Headers.Range = new RangeHeaderValue(0, 99);
            Assert.Equal(HttpStatusCode.PartialContent, (await officer.Http.SendAsync(range)).StatusCode);
        }
        // Refused within 4.5 s of the fetch above, as soon as the link has expired.
        await Eventually.HoldsAsync(async () => (await officer.Http.GetAsync(photo)).StatusCode, status => status == HttpStatusCode.Forbidden,
            TimeSpan.FromSeconds(4.5), "the photo link refused once expired", TimeSpan.FromMilliseconds(250));

        // The engineers' view (the admin sees it too): precision per rule counts the two decisions.
        using var admin = await SignInAsync(vision.BaseUrl, "boss");
        var stats = await admin.Http.GetFromJsonAsync<JsonElement>("/api/rules/stats");
        var rule = stats.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "litter-table");
        Assert.Equal((1, 1), (rule.GetProperty("confirmed").GetInt32(), rule.GetProperty("rejected").GetInt32()));
        Assert.Equal(0.5, rule.GetProperty("precision").GetDouble());
        Assert.NotEmpty(stats.GetProperty("weekly").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/users")).StatusCode);
        var cameras = await admin.Http.GetFromJsonAsync<JsonElement>("/api/console/cameras");
        Assert.Equal("online", cameras[0].GetProperty("state").GetString());
    }
}
