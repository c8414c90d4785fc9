using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Vision.Pipeline.Tests.Browser;
using Vision.Pipeline.Tests.Live;
using Vision.Storage;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// The officers' tools of the console API against a real <c>vision run</c> with seeded cases (its camera raises none
/// during the test): bulk decisions with a per-case outcome, and the live change feed, fed from the database (the test
/// writes cases into it from outside the node, as another node of a cluster would).
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class OfficerToolsApiTests(ITestOutputHelper output)
{
    private const string Officer = "zhang", OtherOfficer = "wang", CameraId = "cam-bottles", RuleId = "litter-table";

    internal static async Task<(VisionProcess Vision, IReadOnlyList<string> Cases)> StartAsync(ReviewConsoleTests.WorkDirectory work, int seeded, string? config = null)
    {
        var ids = CaseSeeder.Seed(work.Evidence, CameraId, RuleId, seeded, withPhotos: Math.Min(seeded, 3), newest: DateTimeOffset.Now.AddMinutes(-5));
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        var vision = await VisionProcess.StartAsync(config ?? ConsoleApiTests.Config(footage).Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        ConsoleApiTests.AddUser(vision.ConfigPath, OtherOfficer, "officer");
        return (vision, ids);
    }

    [SharedDataFact]
    public async Task A_bulk_decision_records_each_case_on_its_own_version_and_says_per_case_what_happened()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 5);
        await using var _ = vision;
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        using var other = await ConsoleApiTests.SignInAsync(vision.BaseUrl, OtherOfficer);
        var queue = await officer.Http.GetFromJsonAsync<JsonElement>("/api/cases?status=auto_captured");
        var seen = queue.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("caseId").GetString()!, i => i.GetProperty("version").GetInt64());
        Assert.Equal(5, seen.Count);

        // Meanwhile: another officer confirms one case, and one is dispatched.
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync($"/api/cases/{ids[1]}/confirm", new { expectedVersion = seen[ids[1]] })).StatusCode);
        MarkDispatched(vision.EvidenceDirectory, ids[2]);

        var picked = new[] { ids[0], ids[1], ids[2], ids[3] }.Select(id => new { caseId = id, expectedVersion = seen[id] }).Append(new { caseId = "no-such-case", expectedVersion = 1L }).ToArray();
        var answer = await officer.PostAsync("/api/cases/bulk-decision", new { decision = "reject", reason = "duplicate", note = "同一车辆", cases = picked });
        string body = await answer.Content.ReadAsStringAsync();
        output.WriteLine(body);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var results = JsonDocument.Parse(body).RootElement.GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("caseId").GetString()!, r => (r.GetProperty("result").GetString(), r.GetProperty("status").GetString()));
        Assert.Equal(("recorded", "rejected"), results[ids[0]]);
        Assert.Equal(("case_changed", "confirmed"), results[ids[1]]);
        Assert.Equal(("already_dispatched", "dispatched"), results[ids[2]]);
        Assert.Equal(("recorded", "rejected"), results[ids[3]]);
        Assert.Equal(("not_found", null), results["no-such-case"]);
        Assert.Equal(2, JsonDocument.Parse(body).RootElement.GetProperty("counts").GetProperty("recorded").GetInt32());

        // One history entry per case decided, each with who, the shared reason and note, and where from.
        foreach (string id in new[] { ids[0], ids[3] })
        {
            var detail = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{id}");
            var history = detail.GetProperty("history").EnumerateArray().ToList();
            Assert.Equal(2, history.Count);
            Assert.Equal(("rejected", Officer, "duplicate", "同一车辆"), (history[1].GetProperty("status").GetString(), history[1].GetProperty("actor").GetString(),
                history[1].GetProperty("reason").GetString(), history[1].GetProperty("note").GetString()));
            Assert.Contains("127.0.0.1", history[1].GetProperty("address").GetString());
        }
        var untouched = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{ids[1]}");
        Assert.Equal(("confirmed", 2), (untouched.GetProperty("status").GetString(), untouched.GetProperty("history").GetArrayLength()));

        // A bulk confirm never replaces an earlier decision: the rejected case is reported, the pending one recorded.
        var confirm = await officer.PostAsync("/api/cases/bulk-decision", new { decision = "confirm", cases = new[] { new { caseId = ids[0], expectedVersion = 2L }, new { caseId = ids[4], expectedVersion = seen[ids[4]] } } });
        var confirmed = (await confirm.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()).ToList();
        Assert.Equal(["already_decided", "recorded"], confirmed);

        // Refused as a whole: no CSRF token, no reason, too many cases, a case twice.
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.Http.PostAsJsonAsync("/api/cases/bulk-decision", new { decision = "confirm", cases = new[] { new { caseId = ids[4] } } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.PostAsync("/api/cases/bulk-decision", new { decision = "reject", cases = new[] { new { caseId = ids[4] } } })).StatusCode);
        var tooMany = Enumerable.Range(0, 201).Select(i => new { caseId = $"c{i}", expectedVersion = 1L }).ToArray();
        var refused = await officer.PostAsync("/api/cases/bulk-decision", new { decision = "confirm", cases = tooMany });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("1–200", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.PostAsync("/api/cases/bulk-decision", new { decision = "confirm", cases = new[] { new { caseId = ids[4] }, new { caseId = ids[4] } } })).StatusCode);
    }

    [SharedDataFact]
    public async Task The_event_stream_tells_of_a_case_written_to_the_database_from_outside_the_node_and_of_decisions_then_ends_after_sign_out()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 2);
        await using var _ = vision;
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        using var anonymous = new HttpClient { BaseAddress = new Uri(vision.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/events")).StatusCode);

        await using var events = await EventStream.OpenAsync(officer.Http, "/api/events");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // the feed's poller has its baseline

        // Another writer (here the test, as another node would) adds a case to the shared database.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string added = CaseSeeder.Seed(vision.EvidenceDirectory, CameraId, RuleId, 1, withPhotos: 0, newest: DateTimeOffset.Now)[0];
        var arrival = await events.NextAsync(e => e.Name == "case" && e.Data.GetProperty("caseId").GetString() == added, TimeSpan.FromSeconds(6));
        output.WriteLine($"added case announced after {clock.Elapsed.TotalSeconds:0.00} s: {arrival.Data}");
        Assert.True(arrival.Data.GetProperty("added").GetBoolean());
        Assert.Equal(("auto_captured", CameraId), (arrival.Data.GetProperty("status").GetString(), arrival.Data.GetProperty("cameraId").GetString()));
        Assert.NotNull(arrival.Id);

        clock.Restart();
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/cases/{ids[0]}/confirm", new { })).StatusCode);
        var decided = await events.NextAsync(e => e.Name == "case" && e.Data.GetProperty("caseId").GetString() == ids[0], TimeSpan.FromSeconds(6));
        output.WriteLine($"confirmation announced after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(("confirmed", false), (decided.Data.GetProperty("status").GetString(), decided.Data.GetProperty("added").GetBoolean()));

        // A browser that reconnects with the last id it saw gets what it missed first.
        await using (var resumed = await EventStream.OpenAsync(officer.Http, "/api/events", lastEventId: arrival.Id))
            Assert.Equal(ids[0], (await resumed.NextAsync(e => e.Name == "case", TimeSpan.FromSeconds(3))).Data.GetProperty("caseId").GetString());

        // Signing out (here from another copy of the session) ends the stream within a second or two.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/session/logout"))
        {
            var csrf = (await officer.Http.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("csrfToken").GetString();
            request.Headers.Add("X-CSRF-TOKEN", csrf);
            Assert.Equal(HttpStatusCode.NoContent, (await officer.Http.SendAsync(request)).StatusCode);
        }
        await events.NextAsync(e => e.Name == "signed_out", TimeSpan.FromSeconds(3));
        Assert.True(await events.EndedAsync(TimeSpan.FromSeconds(5)));
    }

    [SharedDataFact]
    public async Task The_report_counts_cases_per_local_day_camera_and_type_by_status_as_csv_and_as_an_excel_workbook()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        // A recent day in the config's time zone (Asia/Shanghai, the default) whose next day is in the same month (retention keeps both).
        var shanghai = TimeSpan.FromHours(8);
        var day = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(shanghai).DateTime).AddDays(-3);
        if (day.AddDays(1).Month != day.Month) day = day.AddDays(-1);
        var next = day.AddDays(1);
        string Day(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var ours = CaseSeeder.Seed(work.Evidence, CameraId, RuleId, 3, withPhotos: 0, newest: new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), shanghai));
        // A camera gone from the config: its two cases straddle local midnight (16:00 UTC).
        CaseSeeder.Seed(work.Evidence, "cam-old", RuleId, 2, withPhotos: 0, newest: new DateTimeOffset(next.ToDateTime(new TimeOnly(0, 0, 30)), shanghai));
        string range = $"from={Day(day.AddDays(-1))}&to={Day(next.AddDays(1))}";
        var (vision, _) = await StartAsync(work, 0);
        await using var __ = vision;
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/cases/{ours[0]}/reject", new { reason = "permitted" })).StatusCode);

        var csv = await officer.Http.GetAsync($"/api/reports/cases.csv?{range}&period=day&by=camera,type");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"vision-cases-{day.AddDays(-1):yyyyMMdd}-{next.AddDays(1):yyyyMMdd}-day.csv", csv.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        byte[] bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        string[] lines = System.Text.Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine(string.Join('\n', lines));
        Assert.Equal(
        [
            "日期,摄像头编号,摄像头名称,违法类型,案件总数,待审核,已确认,已驳回,已派遣",
            $"{Day(day)},cam-bottles,测试路口,暴露垃圾,3,2,0,1,0",
            $"{Day(day)},cam-old,cam-old,暴露垃圾,1,1,0,0,0",
            $"{Day(next)},cam-old,cam-old,暴露垃圾,1,1,0,0,0",
        ], lines);

        var xlsx = await officer.Http.GetAsync($"/api/reports/cases.xlsx?{range}&period=month&by=street");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType!.MediaType);
        using var workbook = new ClosedXML.Excel.XLWorkbook(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        var sheet = workbook.Worksheet("案件统计");
        Assert.Equal(["月份", "街道", "案件总数", "待审核", "已确认", "已驳回", "已派遣"], Enumerable.Range(1, 7).Select(c => sheet.Cell(1, c).GetString()));
        string month = day.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((month, "人民路东侧人行道", 3.0, 1.0), (sheet.Cell(2, 1).GetString(), sheet.Cell(2, 2).GetString(), sheet.Cell(2, 3).GetDouble(), sheet.Cell(2, 6).GetDouble()));
        Assert.Equal((month, "未配置", 2.0), (sheet.Cell(3, 1).GetString(), sheet.Cell(3, 2).GetString(), sheet.Cell(3, 3).GetDouble()));
        Assert.True(sheet.Cell(4, 1).IsEmpty());
        Assert.Equal("Asia/Shanghai", workbook.Worksheet("说明").Cell(3, 2).GetString());

        var wrong = await officer.Http.GetAsync("/api/reports/cases.csv?period=year");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("period: day, week or month", await wrong.Content.ReadAsStringAsync());
        using var anonymous = new HttpClient { BaseAddress = new Uri(vision.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/reports/cases.csv")).StatusCode);
    }

    private static void MarkDispatched(string evidenceDirectory, string caseId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(evidenceDirectory, SqliteCaseDatabase.FileName)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE cases SET status = 'dispatched', version = version + 1 WHERE case_id = @id";
        command.Parameters.AddWithValue("@id", caseId);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    internal sealed record ServerEvent(string Name, string? Id, JsonElement Data);

    /// <summary>A text/event-stream read in the background: events as they come, comments (heartbeats) skipped.</summary>
    internal sealed class EventStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly Channel<ServerEvent> _events = Channel.CreateUnbounded<ServerEvent>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;

        private EventStream(HttpResponseMessage response)
        {
            _response = response;
            _reading = Task.Run(ReadAsync);
        }

        public static async Task<EventStream> OpenAsync(HttpClient http, string path, string? lastEventId = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
            return new EventStream(response);
        }

        private async Task ReadAsync()
        {
            try
            {
                using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
                string? name = null, id = null, data = null;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (name is not null || data is not null)
                            _events.Writer.TryWrite(new ServerEvent(name ?? "message", id, JsonDocument.Parse(data ?? "{}").RootElement.Clone()));
                        name = data = null;
                        continue;
                    }
                    if (line.StartsWith(':')) continue;
                    if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                    else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        }

        /// <summary>The next event that matches, skipping others; fails after <paramref name="timeout"/>.</summary>
        public async Task<ServerEvent> NextAsync(Func<ServerEvent, bool> match, TimeSpan timeout)
        {
            using var limit = new CancellationTokenSource(timeout);
            try
            {
                while (true)
                {
                    var next = await _events.Reader.ReadAsync(limit.Token);
                    if (match(next)) return next;
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching event within {timeout.TotalSeconds} s");
            }
        }

        /// <summary>True when the server closed the stream within <paramref name="timeout"/>.</summary>
        public async Task<bool> EndedAsync(TimeSpan timeout) => await Task.WhenAny(_reading, Task.Delay(timeout)) == _reading;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            await _reading;
            _stop.Dispose();
        }
    }
}
