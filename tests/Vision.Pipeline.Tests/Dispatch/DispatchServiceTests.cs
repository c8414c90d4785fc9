using System.Text;
using System.Text.Json;
using NJsonSchema;
using Vision.Pipeline.Tests.Live;

namespace Vision.Pipeline.Tests.Dispatch;

/// <summary>
/// <c>vision run</c> on the shared footage (two cameras playing the bottle clip) delivering to a real HTTP receiver on
/// loopback: every case arrives once, signed, valid against the JSON Schema, in order per camera, through a receiver
/// outage and a SIGKILL of the Vision process while deliveries are pending and in flight.
/// </summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class DispatchServiceTests
{
    private static readonly byte[] Key = Convert.FromHexString("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90");

    private static string Config(WebhookReceiver receiver, string footage) => $$"""
        detector: { model: yolox_nano }
        evidence: { directory: WORK/evidence, pre_roll: 2s, post_roll: 2s }
        recording: { directory: WORK/recordings, keep: 30s }
        dispatch: { url: "{{receiver.CasesUrl}}", timeout: 2s, retry_initial: 1s, retry_max: 3s, max_attempts: 50 }
        cameras:
        {{Camera("cam-east", footage, "11010500100101")}}
        {{Camera("cam-west", footage, "11010500100102")}}
        """;

    private static string Camera(string id, string footage, string grid) => $$"""
          - id: {{id}}
            name: 测试路口 {{id}}
            source: {{footage}}
            location: { address: 人民路东侧人行道, lon: 116.397, lat: 39.909, grid: "{{grid}}", district: "110105" }
            analysis: { fps: 2, max_width: 1280 }
            zones:
              - { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }
            rules:
              - { id: litter-{{id}}, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 5s, cooldown: 10m }
        """;

    private static Dictionary<string, string> Environment() => new() { ["VISION_DISPATCH_KEY"] = Convert.ToHexString(Key) };

    private static async Task<JsonSchema> SchemaAsync() => await JsonSchema.FromFileAsync(Path.Combine(SharedData.ProjectRoot, "schemas", "dispatch-case.schema.json"));

    private static void AssertInOrderPerCamera(WebhookReceiver receiver)
    {
        foreach (var group in receiver.Accepted.GroupBy(a => a.Json.GetProperty("cameraId").GetString()))
        {
            var confirmed = group.Select(a => DateTimeOffset.Parse(a.Json.GetProperty("confirmedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(confirmed.Order(), confirmed);
        }
    }

    [SharedDataFact]
    public async Task Cases_from_the_footage_arrive_once_each_signed_and_valid_against_the_schema()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        await using var vision = await VisionProcess.StartAsync(Config(receiver, footage), environment: Environment());
        await vision.WaitUntilAsync(() => Task.FromResult(vision.Cases().Count >= 4 && receiver.Accepted.Count >= vision.Cases().Count), TimeSpan.FromSeconds(120), "four cases delivered");
        await vision.TerminateAsync(TimeSpan.FromSeconds(12));

        var caseIds = vision.Cases().Select(c => c.GetProperty("caseId").GetString()!).ToList();
        var accepted = receiver.Accepted.Select(a => a.IdempotencyKey).ToList();
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        Assert.Subset(caseIds.ToHashSet(), accepted.ToHashSet());
        Assert.Equal(0, receiver.RejectedSignatures);
        var schema = await SchemaAsync();
        foreach (var a in receiver.Accepted)
        {
            var errors = schema.Validate(Encoding.UTF8.GetString(a.Body));
            Assert.True(errors.Count == 0, $"{a.IdempotencyKey}: {string.Join("; ", errors)}");
            Assert.Equal(a.IdempotencyKey, a.Json.GetProperty("caseId").GetString());
            Assert.Equal("0102", a.Json.GetProperty("smallClassCode").GetString());
            Assert.Contains(a.Json.GetProperty("gridCode").GetString(), new[] { "11010500100101", "11010500100102" });
            Assert.All(a.Json.GetProperty("evidence").EnumerateArray(), e => Assert.Equal("上报", e.GetProperty("usage").GetString()));
        }
        AssertInOrderPerCamera(receiver);
        var show = VisionCli.Run("cases", "show", "--config", vision.ConfigPath, "--case", caseIds[0]);
        Assert.Contains("delivery: delivered", show.Output);
        Assert.Contains("dispatched", show.Output);
    }

    [SharedDataFact]
    public async Task Receiver_down_then_a_sigkill_while_deliveries_are_pending_and_in_flight_still_delivers_every_case_exactly_once_in_order()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var receiver = await WebhookReceiver.StartAsync("k1", Key);
        await receiver.StopAsync();
        string work = Directory.CreateTempSubdirectory("vision-dispatch-kill-").FullName;
        await using (var first = await VisionProcess.StartAsync(Config(receiver, footage), environment: Environment(), workDirectory: work))
        {
            // Stored in the outbox, not delivered: the receiver is down.
            await first.WaitUntilAsync(async () => Metric(await first.GetStringAsync("/metrics"), "vision_dispatch_outbox_pending") >= 2, TimeSpan.FromSeconds(120), "two cases waiting in the outbox");
            // Back, but slow: the next delivery is in flight (its effect done, its answer held) when Vision is killed.
            receiver.Delay(TimeSpan.FromSeconds(30));
            await receiver.StartAgainAsync();
            await first.WaitUntilAsync(() => Task.FromResult(receiver.Attempts.Count >= 1), TimeSpan.FromSeconds(30), "a delivery in flight");
            await first.KillAsync();
        }
        receiver.Normal();

        await using var second = await VisionProcess.StartAsync(Config(receiver, footage), environment: Environment(), workDirectory: work);
        await second.WaitUntilAsync(async () => Metric(await second.GetStringAsync("/metrics"), "vision_dispatch_outbox_pending") == 0
            && receiver.Accepted.Count >= second.Cases().Count, TimeSpan.FromSeconds(60), "every case delivered");
        await second.TerminateAsync(TimeSpan.FromSeconds(12));

        var caseIds = second.Cases().Select(c => c.GetProperty("caseId").GetString()!).ToHashSet();
        var accepted = receiver.Accepted.Select(a => a.IdempotencyKey).ToList();
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        Assert.Subset(caseIds, accepted.ToHashSet());
        Assert.True(receiver.Replays >= 1, "the delivery cut off by the kill should have been repeated and deduplicated");
        AssertInOrderPerCamera(receiver);
    }

    /// <summary>A gauge's value in Prometheus text; -1 when absent.</summary>
    private static double Metric(string text, string name)
    {
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
                return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return -1;
    }
}
