using System.Net;
using Xunit.Abstractions;
using Vision.Pipeline.Tests.Dispatch;
using Vision.Pipeline.Tests.Live;
using Vision.Pipeline.Tests.Support;

namespace Vision.Pipeline.Tests.Cluster;

/// <summary>
/// A real <c>vision run</c> node of a cluster over its own real PostgreSQL 15, delivering to a real receiver, while the
/// database is stopped and started again: the node stays up, says why it is not ready, analyses its cameras again
/// soon after the database returns, and every case it confirmed (before, during and after) is written and delivered.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private static readonly byte[] Key = Convert.FromHexString("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90");

    private static string Config(WebhookReceiver receiver, string footage) => $$"""
        detector: { model: yolox_nano }
        database: { backend: postgres, connection_string_env: VISION_DATABASE_URL }
        cluster: { capacity: 10, lease: 10s, heartbeat: 2s }
        evidence: { directory: WORK/evidence, pre_roll: 2s, post_roll: 2s, store: { type: local, directory: WORK/store } }
        recording: { directory: WORK/recordings, keep: 30s }
        dispatch: { url: "{{receiver.CasesUrl}}", timeout: 2s, retry_initial: 1s, retry_max: 3s, max_attempts: 50 }
        cameras:
        {{Camera("cam-a", footage)}}
        {{Camera("cam-b", footage)}}
        """;

    private static string Camera(string id, string footage) => $$"""
          - id: {{id}}
            source: {{footage}}
            analysis: { fps: 1, max_width: 640 }
            zones:
              - { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }
            rules:
              - { id: litter-{{id}}, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 4s, cooldown: 15s }
        """;

    [PostgresSharedDataFact]
    public async Task A_node_survives_its_database_going_away_and_every_case_it_confirmed_is_written_and_delivered()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var database = await PostgresServer.StartAsync(PostgresFixture.Script);
        string connection = await database.CreateDatabaseAsync("outage");
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        await using var vision = await VisionProcess.StartAsync(Config(receiver, footage), environment: new Dictionary<string, string>
        {
            ["VISION_DISPATCH_KEY"] = Convert.ToHexString(Key), ["VISION_DATABASE_URL"] = connection, ["VISION_NODE_ID"] = "node-a",
        });
        await vision.WaitUntilAsync(() => Task.FromResult(receiver.Accepted.Count >= 1), TimeSpan.FromSeconds(150), "a first case delivered");

        await database.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        await vision.WaitUntilAsync(async () => await vision.TryGetAsync("/readyz") is { StatusCode: HttpStatusCode.ServiceUnavailable } r
            && (await r.Content.ReadAsStringAsync()).Contains("case database unreachable", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "/readyz saying the case database is unreachable");
        // A 30 s outage on purpose: the node has to live through it (checked twice a second), not just notice it.
        while (DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(30))
        {
            Assert.False(vision.HasExited, $"vision exited during the outage\n{vision.Output}");
            await Task.Delay(500);
        }

        await database.RestartAsync();
        var backAt = DateTime.UtcNow;
        await vision.WaitUntilAsync(async () => (await vision.CamerasAsync()).Count(c => c.GetProperty("state").GetString() == "online") == 2,
            TimeSpan.FromSeconds(60), "both cameras analysed again after the database returned");
        output.WriteLine($"cameras online again {(DateTime.UtcNow - backAt).TotalSeconds:0.0} s after the database returned");
        await vision.WaitUntilAsync(async () => (await vision.TryGetAsync("/readyz"))?.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "/readyz ready again");

        // Every case the node confirmed reaches the receiver, the ones held through the outage included.
        await vision.WaitUntilAsync(() =>
        {
            var written = vision.Cases().Select(c => c.GetProperty("caseId").GetString()!).ToHashSet();
            return Task.FromResult(written.Count >= 2 && written.IsSubsetOf(receiver.Accepted.Select(a => a.IdempotencyKey)));
        }, TimeSpan.FromSeconds(120), "every written case delivered");
        await vision.TerminateAsync(TimeSpan.FromSeconds(20));

        string log = vision.Output;
        output.WriteLine(string.Join('\n', log.Split('\n').Where(l => l.Contains("database", StringComparison.Ordinal) || l.Contains("spool", StringComparison.Ordinal))));
        Assert.DoesNotContain("case not written", log);
        Assert.DoesNotContain("moved to another node", log);
        Assert.DoesNotContain("lost:", log);
        Assert.Contains("the case database does not answer", log);
        Assert.Contains("the case database answers again", log);
        var ids = vision.Cases().Select(c => c.GetProperty("caseId").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
