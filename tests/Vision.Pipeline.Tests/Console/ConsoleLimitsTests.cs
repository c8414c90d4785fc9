using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vision.Pipeline.Tests.Browser;
using Vision.Pipeline.Tests.Dispatch;
using Vision.Pipeline.Tests.Live;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// The console's limits against hostile callers, on a real <c>vision run</c> with seeded cases and one offline camera
/// (nothing is analysed): bodies are bounded before they are read, sign-in attempts at once are throttled exactly,
/// free text, paging, dates and zones have documented limits answered with 400, and officers do not get stream addresses.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class ConsoleLimitsTests(ITestOutputHelper output)
{
    private const string CameraId = "cam-street", RuleId = "litter-kerb", Stream = "rtsp://127.0.0.1:9/none";
    private const string Officer = "zhang", Engineer = "li", Admin = "boss";

    // Port 9 is closed on loopback: the camera stays offline and costs nothing.
    private const string Config = $$"""
        detector: { model: yolox_nano }
        evidence: { directory: WORK/evidence, pre_roll: 2s, post_roll: 2s }
        recording: { directory: WORK/recordings, keep: 30s }
        cameras:
          - id: {{CameraId}}
            name: 人民路口
            location: { address: 人民路东侧人行道 }
            source: {{Stream}}
            zones_file: zones/{{CameraId}}.yaml
            rules:
              - { id: {{RuleId}}, name: 路缘垃圾, type: litter, zones: [kerb], classes: [bottle], dwell: 10m }

        """;

    private const string Zones = "- { id: kerb, polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]] }\n";

    private static async Task<(VisionProcess Vision, IReadOnlyList<string> Cases)> StartAsync(ReviewConsoleTests.WorkDirectory work, int seeded)
    {
        var ids = CaseSeeder.Seed(work.Evidence, CameraId, RuleId, seeded, withPhotos: 0, newest: DateTimeOffset.Now.AddMinutes(-5));
        Directory.CreateDirectory(Path.Combine(work.Path, "zones"));
        await File.WriteAllTextAsync(Path.Combine(work.Path, "zones", $"{CameraId}.yaml"), Zones);
        var vision = await VisionProcess.StartAsync(Config, untilReady: false, workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        ConsoleApiTests.AddUser(vision.ConfigPath, Engineer, "engineer");
        ConsoleApiTests.AddUser(vision.ConfigPath, Admin, "admin");
        return (vision, ids);
    }

    /// <summary>A JSON body of <paramref name="length"/> bytes, made as it is sent; <see cref="Sent"/> tells how much the server took.</summary>
    private sealed class CountedBody(long length) : HttpContent
    {
        private static readonly byte[] Head = Encoding.UTF8.GetBytes("{\"username\":\"li\",\"password\":\""), Tail = Encoding.UTF8.GetBytes("\"}");
        private long _sent;

        // An ordinary sign-in's size, but over 1 KiB: below that HttpClient sends the body after an error answer anyway, to keep the connection.
        public CountedBody() : this(4096)
        {
        }

        public long Sent => Interlocked.Read(ref _sent);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await WriteAsync(stream, Head);
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)'a');
            for (long left = length - Head.Length - Tail.Length; left > 0; left -= chunk.Length)
                await WriteAsync(stream, chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
            await WriteAsync(stream, Tail);
        }

        private async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> bytes)
        {
            await stream.WriteAsync(bytes);
            Interlocked.Add(ref _sent, bytes.Length);
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }
    }

    /// <summary>Posts <paramref name="body"/> with <c>Expect: 100-continue</c>: the body goes out only if the server starts reading it.</summary>
    private static async Task<HttpResponseMessage> PostUnreadAsync(HttpClient client, string path, CountedBody body, string? csrf = null)
    {
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body };
        request.Headers.ExpectContinue = true;
        if (csrf is not null) request.Headers.Add("X-CSRF-TOKEN", csrf);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [SharedDataFact]
    public async Task A_sign_in_or_any_request_without_a_session_over_8_KiB_is_answered_413_before_its_body_is_read()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 1);
        await using var _ = vision;
        const long Password25MiB = 25L * 1024 * 1024;

        // The finding: a 25 MiB password. Refused from its Content-Length, so not a byte of it is sent, read or kept.
        using (var stranger = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.40", expectContinue: TimeSpan.FromSeconds(30)))
        {
            var body = new CountedBody(Password25MiB);
            var refused = await PostUnreadAsync(stranger, "/api/session", body);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
            var error = await JsonOf(refused);
            Assert.Equal(("body_too_large", 8192), (error.GetProperty("error").GetString(), error.GetProperty("limitBytes").GetInt32()));
            Assert.Equal(0, body.Sent);
        }
        // Nor to an endpoint that needs a session.
        using (var stranger = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.41", expectContinue: TimeSpan.FromSeconds(30)))
        {
            var body = new CountedBody(Password25MiB);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostUnreadAsync(stranger, $"/api/cases/{ids[0]}/confirm", body)).StatusCode);
            Assert.Equal(0, body.Sent);
        }

        // Signed in, a request may send up to 1 MiB; beyond, the same answer, also unread.
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer, expectContinue: TimeSpan.FromSeconds(30));
        var big = new CountedBody(2L * 1024 * 1024);
        var tooBig = await PostUnreadAsync(officer.Http, $"/api/cases/{ids[0]}/confirm", big, officer.Csrf);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal(1024 * 1024, (await JsonOf(tooBig)).GetProperty("limitBytes").GetInt32());
        Assert.Equal(0, big.Sent);
        Assert.Equal(1L, (await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{ids[0]}")).GetProperty("version").GetInt64());
    }

    [SharedDataFact]
    public async Task Of_forty_wrong_passwords_at_once_from_one_address_exactly_five_are_checked_and_its_next_body_goes_unread()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 0);
        await using var _ = vision;
        const string Guesser = "127.0.0.77";

        // Forty callers from one address, each on a connection already open, all sending at once.
        var clients = Enumerable.Range(0, 40).Select(_ => ConsoleApiTests.ClientFrom(vision.BaseUrl, Guesser)).ToList();
        HttpStatusCode[] answers;
        try
        {
            await Task.WhenAll(clients.Select(c => c.GetStringAsync("/login")));
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = clients.Select(async (client, i) =>
            {
                await go.Task;
                using var answer = await client.PostAsJsonAsync("/api/session", new { username = Engineer, password = $"guess {i}" });
                return answer.StatusCode;
            }).ToList();
            go.SetResult();
            answers = await Task.WhenAll(attempts);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
        output.WriteLine(string.Join(", ", answers.GroupBy(a => a).Select(g => $"{(int)g.Key} × {g.Count()}")));
        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.Equal(35, answers.Count(a => a == HttpStatusCode.TooManyRequests));

        // The account counted exactly the five passwords that were checked.
        using (var admin = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Admin, sourceAddress: "127.0.0.3"))
        {
            var li = (await admin.Http.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().Single(u => u.GetProperty("username").GetString() == Engineer);
            Assert.Equal(5, li.GetProperty("failedSignIns").GetInt32());
        }

        // The throttled address is refused before its next body is read.
        using var again = ConsoleApiTests.ClientFrom(vision.BaseUrl, Guesser, expectContinue: TimeSpan.FromSeconds(30));
        var body = new CountedBody();
        var refused = await PostUnreadAsync(again, "/api/session", body);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("too_many_attempts", (await JsonOf(refused)).GetProperty("error").GetString());
        Assert.Equal(0, body.Sent);
    }

    [SharedDataFact]
    public async Task Free_text_over_its_limit_is_refused_on_a_decision_a_bulk_decision_and_the_command_line_and_nothing_is_recorded()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 60);
        await using var _ = vision;
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        string tooLong = new('x', 2001), longest = string.Concat(Enumerable.Repeat("车", 2000));

        async Task AssertTooLongAsync(HttpResponseMessage answer, string field)
        {
            string text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{answer.StatusCode} {text[..Math.Min(text.Length, 400)]}");
            var error = JsonDocument.Parse(text).RootElement;
            Assert.Equal(("too_long", field, 2000), (error.GetProperty("error").GetString(), error.GetProperty("field").GetString(), error.GetProperty("limit").GetInt32()));
        }
        async Task<int> PendingAsync() => (await officer.Http.GetFromJsonAsync<JsonElement>("/api/cases")).GetProperty("counts").GetProperty("auto_captured").GetInt32();

        await AssertTooLongAsync(await officer.PostAsync($"/api/cases/{ids[0]}/confirm", new { note = tooLong, expectedVersion = 1 }), "note");
        await AssertTooLongAsync(await officer.PostAsync($"/api/cases/{ids[0]}/reject", new { reason = "other", note = tooLong, expectedVersion = 1 }), "note");
        var fifty = ids.Skip(10).Take(50).Select(id => new { caseId = id, expectedVersion = 1L }).ToArray();
        await AssertTooLongAsync(await officer.PostAsync("/api/cases/bulk-decision", new { decision = "reject", reason = "duplicate", note = tooLong, cases = fifty }), "note");
        var (exitCode, printed) = VisionCli.Run("cases", "reject", "--config", vision.ConfigPath, "--case", ids[1], "--by", "operator", "--reason", "duplicate", "--note", tooLong);
        Assert.True(exitCode != 0, printed);
        Assert.Contains("--note: at most 2000 characters", printed, StringComparison.Ordinal);
        Assert.Equal(60, await PendingAsync());

        // At the limit a note is kept whole: 2,000 Chinese characters.
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/cases/{ids[0]}/confirm", new { note = longest, expectedVersion = 1 })).StatusCode);
        var detail = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{ids[0]}");
        Assert.Equal(longest, detail.GetProperty("history").EnumerateArray().Last().GetProperty("note").GetString());

        // The reason for changing that decision has the same limit.
        await AssertTooLongAsync(await officer.PostAsync($"/api/cases/{ids[0]}/reject",
            new { reason = "duplicate", expectedVersion = 2, confirmChange = true, changeReason = tooLong }), "changeReason");
        var after = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{ids[0]}");
        Assert.Equal(("confirmed", 2L), (after.GetProperty("status").GetString(), after.GetProperty("version").GetInt64()));
    }

    [SharedDataFact]
    public async Task A_page_past_the_int_range_is_empty_and_bad_paging_or_dates_out_of_range_answer_400_naming_the_parameter()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 3);
        await using var _ = vision;
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);

        var far = await officer.Http.GetAsync("/api/cases?page=2147483647&pageSize=200");
        string farText = await far.Content.ReadAsStringAsync();
        Assert.True(far.StatusCode == HttpStatusCode.OK, farText);
        var page = JsonDocument.Parse(farText).RootElement;
        Assert.Equal((2147483647L, 3, 0), (page.GetProperty("page").GetInt64(), page.GetProperty("total").GetInt32(), page.GetProperty("items").GetArrayLength()));

        async Task AssertRefusedAsync(string path, string parameter)
        {
            var answer = await officer.Http.GetAsync(path);
            string text = await answer.Content.ReadAsStringAsync();
            output.WriteLine($"{path}: {(int)answer.StatusCode} {text}");
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{path}: {answer.StatusCode} {text}");
            Assert.StartsWith(parameter + ":", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        foreach (var (query, parameter) in new[] { ("page=0", "page"), ("page=abc", "page"), ("page=99999999999", "page"), ("pageSize=201", "pageSize"),
                     ("from=0001-01-01", "from"), ("to=9999-12-31T23:59:59Z", "to") })
            await AssertRefusedAsync("/api/cases?" + query, parameter);

        foreach (string report in new[] { "cases.csv", "cases.xlsx" })
            foreach (var (range, parameter) in new[] { ("from=0001-01-01&to=0001-01-02", "from"), ("from=9999-12-30&to=9999-12-31", "from"), ("from=2026-01-01&to=9999-12-31", "to"),
                         ("from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z", "from") })
                await AssertRefusedAsync($"/api/reports/{report}?{range}", parameter);
        var dates = await officer.Http.GetAsync("/api/reports/cases.csv?from=0001-01-01&to=0001-01-02");
        Assert.Contains("1970-01-01 to 2999-12-31", await dates.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SharedDataFact]
    public async Task Officers_and_engineers_get_each_cameras_name_place_and_state_but_only_admins_its_stream_address()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 0);
        await using var _ = vision;
        await vision.WaitUntilAsync(async () => (await vision.CamerasAsync()).Count == 1, TimeSpan.FromSeconds(30), "the camera listed");

        foreach (var (user, address, seesStream) in new[] { (Officer, "127.0.0.1", false), (Engineer, "127.0.0.2", false), (Admin, "127.0.0.3", true) })
        {
            using var session = await ConsoleApiTests.SignInAsync(vision.BaseUrl, user, sourceAddress: address);
            string text = await session.Http.GetStringAsync("/api/console/cameras");
            output.WriteLine($"{user}: {text}");
            var camera = JsonDocument.Parse(text).RootElement.EnumerateArray().Single();
            Assert.Equal((CameraId, "人民路口", "人民路东侧人行道"), (camera.GetProperty("id").GetString(), camera.GetProperty("name").GetString(), camera.GetProperty("address").GetString()));
            Assert.False(string.IsNullOrEmpty(camera.GetProperty("state").GetString()));
            Assert.Equal(seesStream, camera.TryGetProperty("source", out var _));
            Assert.Equal(seesStream, text.Contains("127.0.0.1:9", StringComparison.Ordinal));
        }
    }

    [SharedDataFact]
    public async Task A_zone_over_256_points_or_a_camera_over_64_zones_is_refused_by_the_zone_editor_at_once_with_the_loaders_message()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 0);
        await using var _ = vision;
        using var engineer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
        string file = Path.Combine(work.Path, "zones", $"{CameraId}.yaml");
        string version = (await engineer.Http.GetFromJsonAsync<JsonElement>($"/api/cameras/{CameraId}/zones")).GetProperty("version").GetString()!;

        static double[][] Ring(int corners, double x, double y, double radius) => Enumerable.Range(0, corners)
            .Select(i => new[] { Math.Round(x + radius * Math.Cos(2 * Math.PI * i / corners), 5), Math.Round(y + radius * Math.Sin(2 * Math.PI * i / corners), 5) }).ToArray();
        async Task AssertRefusedAsync(object zones, string message)
        {
            var clock = Stopwatch.StartNew();
            var answer = await engineer.PutAsync($"/api/cameras/{CameraId}/zones", new { version, zones });
            clock.Stop();
            string text = await answer.Content.ReadAsStringAsync();
            output.WriteLine($"{clock.Elapsed.TotalMilliseconds:0} ms: {(int)answer.StatusCode} {text[..Math.Min(text.Length, 400)]}");
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{answer.StatusCode} {text[..Math.Min(text.Length, 400)]}");
            Assert.Equal("invalid_zones", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
            Assert.Contains(message, text, StringComparison.Ordinal);
            Assert.Equal(Zones, await File.ReadAllTextAsync(file));
        }

        // The finding: 40,000 corners of a valid circle were saved after 10–17 s of comparing every pair of edges.
        await AssertRefusedAsync(new[] { new { id = "kerb", name = "路缘", points = Ring(40_000, 0.5, 0.5, 0.4) } }, "a polygon has at most 256 points, got 40000");
        await AssertRefusedAsync(Enumerable.Range(0, 65).Select(i => new { id = i == 0 ? "kerb" : $"z{i}", name = $"z{i}", points = Ring(3, 0.1 + i % 8 * 0.1, 0.1 + i / 8 * 0.1, 0.03) }).ToArray(),
            "a camera has at most 64 zones, got 65");

        // 256 corners are a zone.
        var saved = await engineer.PutAsync($"/api/cameras/{CameraId}/zones", new { version, zones = new[] { new { id = "kerb", name = "路缘", points = Ring(256, 0.5, 0.5, 0.4) } } });
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        Assert.Equal(256, (await JsonOf(saved)).GetProperty("zones")[0].GetProperty("points").GetArrayLength());
    }
}
