using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vision.Dispatch;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Tests.Storage;
using Vision.Pipeline.Tests.Support;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Dispatch;

/// <summary>
/// The publisher against a real HTTP receiver on loopback (Kestrel, verifying signatures and honouring idempotency
/// keys) and the real SQLite outbox: retries, timeouts, dead letters, resend, a wrong key, an outage.
/// </summary>
public sealed class DispatchPublisherTests
{
    private static readonly byte[] Key = Convert.FromHexString("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private sealed class Harness : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _run;

        public required string Spool { get; init; }
        public required CaseStore Cases { get; init; }
        public required Outbox Outbox { get; init; }
        public required DispatchPublisher Publisher { get; init; }
        public required List<WrittenCase> Written { get; init; }

        public void Start() => _run = Publisher.RunAsync(_stop.Token);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null) await _run;
            _stop.Dispose();
        }
    }

    private static VisionConfig Config(Uri url, string timeout = "1s") => VisionConfigLoader.Parse(ConfigText(url, timeout), "dispatch-test.yaml");

    private static string ConfigText(Uri url, string timeout = "1s") => $$"""
        detector: { model: yolox_nano }
        dispatch: { url: "{{url}}", timeout: {{timeout}}, max_attempts: 4, retry_initial: 1s, retry_max: 4s }
        cameras:
          - id: cam-1
            name: 人民路东
            location: { address: 人民路东侧人行道, lon: 116.397, lat: 39.909, grid: "11010500100101" }
            zones: [{ id: kerb, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]
            rules: [{ id: rule-cam-1, type: illegal_parking, zones: [kerb] }]

        """;

    private static Task<Harness> StartAsync(WebhookReceiver receiver, params string[] cameras) => StartAsync(receiver, NullLogger.Instance, cameras);

    /// <param name="uploading">How many of the first cases are added with their evidence still uploading (not released).</param>
    /// <param name="timeout">dispatch.timeout.</param>
    private static async Task<Harness> StartAsync(WebhookReceiver receiver, ILogger log, string[] cameras, int uploading = 0, string timeout = "1s")
    {
        string spool = Directory.CreateTempSubdirectory("vision-dispatch-").FullName;
        var db = new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate();
        var cases = new CaseStore(db);
        var catalog = new EvidenceCatalog(db);
        var written = new List<WrittenCase>();
        for (int i = 0; i < cameras.Length; i++)
        {
            var c = SyntheticCases.Write(spool, cameras[i], i + 1, T0.AddSeconds(i * 10));
            await cases.AddAsync(NewCase.Of(c.Record), c.Spooled, T0, CancellationToken.None);
            if (i >= uploading) await catalog.MarkStoredAsync(c.Spooled.CaseId, T0, ReleasePolicy.OnDetection, CancellationToken.None);
            written.Add(c);
        }
        var config = Config(receiver.CasesUrl, timeout);
        var source = new DispatchCaseSource(cases, catalog, new LocalFolderEvidenceStore(Path.Combine(spool, "store")), TimeSpan.FromMinutes(10));
        var publisher = new DispatchPublisher(new Outbox(db), source, new RunningConfig(config), new WebhookSignature("k1", Key), new HttpClient(), TimeProvider.System, log);
        var harness = new Harness { Spool = spool, Cases = cases, Outbox = new Outbox(db), Publisher = publisher, Written = written };
        harness.Start();
        return harness;
    }

    [Fact]
    public async Task Server_errors_are_retried_with_growing_delays_and_the_case_takes_effect_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        receiver.AnswerWith(500, times: 2);
        // A first request slow to connect on a busy machine must not time out: that is retried later (twice the timeout).
        await using var h = await StartAsync(receiver, NullLogger.Instance, ["cam-1"], timeout: "5s");

        await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(20));

        var accepted = Assert.Single(receiver.Accepted);
        Assert.Equal(h.Written[0].Spooled.CaseId, accepted.IdempotencyKey);
        var times = receiver.Attempts.Where(a => a.IdempotencyKey == accepted.IdempotencyKey).Select(a => a.At).ToList();
        Assert.Equal(3, times.Count);
        var first = times[1] - times[0];
        var second = times[2] - times[1];
        // With jitter the first retry waits 0.5–1 s and the second 1–2 s (retry_initial 1s, doubling): the ranges only
        // touch at 1 s, so each delay is checked against its own range rather than against the other.
        Assert.InRange(first.TotalSeconds, 0.45, 1.5);
        Assert.True(second.TotalSeconds >= 0.95, $"the second delay {second} is shorter than the doubled backoff's least (1 s)");
        Assert.Equal(0, receiver.RejectedSignatures);
    }

    [Fact]
    public async Task An_answer_lost_to_the_timeout_is_retried_and_the_receivers_idempotency_keeps_one_effect()
    {
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        receiver.Delay(TimeSpan.FromSeconds(3));
        await using var h = await StartAsync(receiver, "cam-1");
        await Eventually.TrueAsync(() => receiver.Attempts.Count >= 2, TimeSpan.FromSeconds(20), "a second attempt after the timeout", TimeSpan.FromMilliseconds(50));
        receiver.Normal();

        await Eventually.HoldsAsync(async () => (await h.Outbox.FindByCaseAsync(h.Written[0].Spooled.CaseId, CancellationToken.None))!.State,
            state => state == OutboxState.Delivered, TimeSpan.FromSeconds(20), "the case delivered", TimeSpan.FromMilliseconds(50));

        Assert.Single(receiver.Accepted);
        Assert.True(receiver.Replays >= 1, "the retry after the timeout should have been a replay");
        var message = await h.Outbox.FindByCaseAsync(h.Written[0].Spooled.CaseId, CancellationToken.None);
        Assert.Equal(OutboxState.Delivered, message!.State);
        Assert.Equal(CaseStatus.Dispatched, (await h.Cases.FindAsync(h.Written[0].Spooled.CaseId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_receiver_slower_than_the_timeout_never_gets_a_cases_next_request_while_it_still_works_on_the_last_and_the_slowness_is_said_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        // Each request takes the receiver 2 s, twice the sender's timeout (1s), whether or not the sender waits for it.
        var working = TimeSpan.FromSeconds(2);
        receiver.Delay(working);
        var log = new LogLines();
        await using var h = await StartAsync(receiver, log, ["cam-1", "cam-2", "cam-3"]);

        await Eventually.HoldsAsync(async () => (await h.Outbox.StatsAsync(CancellationToken.None)).Pending, pending => pending == 0, TimeSpan.FromSeconds(30), "no case pending");

        Assert.True(h.Publisher.DeliveredCount == 3, string.Join("\n", log.Lines.Select(l => l.Text).Concat(receiver.Attempts.Select(a => $"{a.At:HH:mm:ss.fff} {a.IdempotencyKey} {a.Status}"))));
        foreach (var c in h.Written)
        {
            var times = receiver.Attempts.Where(a => a.IdempotencyKey == c.Spooled.CaseId).Select(a => a.At).ToList();
            Assert.InRange(times.Count, 1, 3);
            for (int i = 1; i < times.Count; i++)
                Assert.True(times[i] - times[i - 1] >= working,
                    $"{c.Spooled.CaseId}: request {i + 1} came {(times[i] - times[i - 1]).TotalSeconds:0.00} s after the one before, while the receiver still worked on that one ({working.TotalSeconds} s)");
        }
        Assert.Single(log.At(LogLevel.Warning, "the dispatch core is slow"));
        Assert.Equal(3, receiver.Accepted.Count);
    }

    [Fact]
    public async Task A_case_that_goes_ahead_of_an_older_one_still_uploading_after_order_wait_says_which_case_held_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        var log = new LogLines();
        // Confirmed long ago (T0): the older case's order_wait (10m) is over, so the newer ones go on.
        await using var h = await StartAsync(receiver, log, ["cam-1", "cam-1", "cam-1"], uploading: 1);

        await receiver.WaitForAcceptedAsync(2, TimeSpan.FromSeconds(20));

        Assert.Equal(h.Written.Skip(1).Select(c => c.Spooled.CaseId), receiver.Accepted.Select(a => a.IdempotencyKey));
        var said = Assert.Single(log.At(LogLevel.Warning, "ahead of the older case"));
        Assert.Contains(h.Written[0].Spooled.CaseId, said);
        Assert.Contains(h.Written[1].Spooled.CaseId, said);
        Assert.Contains("dispatch.order_wait", said);
    }

    [Fact]
    public async Task A_400_becomes_a_dead_letter_with_the_receivers_reason_and_resend_delivers_it_after_the_fix()
    {
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        receiver.AnswerWith(400, error: "cellId 11010500100101 is not a grid cell of this city");
        // One attempt each is asserted: a first request slow to connect on a busy machine must not time out and be retried.
        await using var h = await StartAsync(receiver, NullLogger.Instance, ["cam-1", "cam-1"], timeout: "5s");
        string first = h.Written[0].Spooled.CaseId;

        await Eventually.HoldsAsync(async () => (await h.Outbox.StatsAsync(CancellationToken.None)).Dead, dead => dead >= 2, TimeSpan.FromSeconds(20), "2 dead messages", TimeSpan.FromMilliseconds(50));
        var dead = await h.Outbox.ListAsync(OutboxState.Dead, 10, CancellationToken.None);
        Assert.Equal(2, dead.Count);
        Assert.All(dead, m => Assert.Equal((400, 1), (m.LastStatus!.Value, m.Attempts)));
        Assert.Contains("is not a grid cell of this city", dead[0].LastError);
        Assert.Equal(2, h.Publisher.DeadLetters);

        // Ops look at the dead letters and resend one from the command line, as the runbook says.
        string config = Path.Combine(h.Spool, "vision.yaml");
        await File.WriteAllTextAsync(config, ConfigText(receiver.CasesUrl) + $"evidence: {{ directory: \"{h.Spool}\" }}\n");
        var listed = VisionCli.Run("cases", "dead-letters", "--config", config);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains($"{first}  1 attempt(s)", listed.Output);
        Assert.Contains("is not a grid cell of this city", listed.Output);
        Assert.Contains("2 dead letter(s)", listed.Output);

        receiver.Normal();
        var resend = VisionCli.Run("cases", "resend", "--config", config, "--case", first);
        Assert.True(resend.ExitCode == 0, resend.Output);
        await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(10));
        Assert.Equal(first, Assert.Single(receiver.Accepted).IdempotencyKey);
        Assert.Equal(1, (await h.Outbox.StatsAsync(CancellationToken.None)).Dead);
    }

    [Fact]
    public async Task A_receiver_with_another_key_refuses_the_signature_and_both_sides_count_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        receiver.UseKey("k1", Convert.FromHexString("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"));
        await using var h = await StartAsync(receiver, "cam-1");

        await Eventually.HoldsAsync(async () => (await h.Outbox.StatsAsync(CancellationToken.None)).Dead, dead => dead >= 1, TimeSpan.FromSeconds(20), "a dead message", TimeSpan.FromMilliseconds(50));

        Assert.Equal(1, receiver.RejectedSignatures);
        Assert.Empty(receiver.Accepted);
        Assert.Equal(1, h.Publisher.RejectedByReceiver);
        var dead = Assert.Single(await h.Outbox.ListAsync(OutboxState.Dead, 10, CancellationToken.None));
        Assert.Equal(401, dead.LastStatus);
        Assert.Contains(WebhookSignature.KeyVariable, dead.LastError);
    }

    [Fact]
    public async Task While_the_receiver_is_down_cases_wait_and_when_it_returns_each_camera_gets_its_cases_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        await receiver.StopAsync();
        await using var h = await StartAsync(receiver, "cam-1", "cam-2", "cam-1", "cam-2", "cam-1");

        var head = await Eventually.HoldsAsync(() => h.Outbox.FindByCaseAsync(h.Written[0].Spooled.CaseId, CancellationToken.None),
            m => m is { Attempts: >= 2, LastError: not null }, TimeSpan.FromSeconds(15), "a failed attempt retried");
        var waiting = await h.Outbox.StatsAsync(CancellationToken.None);
        Assert.Equal((5, 0), (waiting.Pending, waiting.Dead));
        Assert.Contains("cannot reach the dispatch core", head!.LastError);

        await receiver.StartAgainAsync();
        await receiver.WaitForAcceptedAsync(5, TimeSpan.FromSeconds(30));

        Assert.Equal(5, receiver.Accepted.Select(a => a.IdempotencyKey).Distinct().Count());
        foreach (var camera in new[] { "cam-1", "cam-2" })
        {
            var expected = h.Written.Where(c => c.Spooled.CameraId == camera).Select(c => c.Spooled.CaseId).ToList();
            Assert.Equal(expected, receiver.Accepted.Select(a => a.IdempotencyKey).Where(expected.Contains).ToList());
        }
    }
}
