using System.Text.Json;
using Vision.Pipeline.Tests.Support;

namespace Vision.Pipeline.Tests.Live;

/// <summary>
/// <c>vision run</c> whose evidence disk (spool, case database, cases.jsonl) fills up while cameras raise cases: the cases
/// are held, counted and shown on /readyz and /metrics, and written once space returns. Nothing confirmed is lost.
/// </summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class LiveFullDiskTests
{
    [SmallDiskFact]
    public async Task Cases_confirmed_while_the_evidence_disk_is_full_are_held_and_written_when_space_returns()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        string work = Directory.CreateTempSubdirectory("vision-live-full-").FullName;
        using var disk = SmallDisk.Mount(Path.Combine(work, "evidence"), 24L * 1024 * 1024);
        string config = $$"""
            detector: { model: yolox_nano }
            evidence: { directory: WORK/evidence, pre_roll: 2s, post_roll: 2s }
            recording: { directory: WORK/recordings, keep: 60s }
            cameras:
              - id: cam-bottles
                source: {{footage}}
                analysis: { fps: 2, max_width: 1280 }
                zones:
                  - { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }
                rules:
                  - { id: litter, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 5s, cooldown: 10m }
            """;
        await using var vision = await VisionProcess.StartAsync(config, workDirectory: work);
        disk.Fill();

        await vision.WaitUntilAsync(async () => HeldCases(await ReadyzAsync(vision)) >= 1, TimeSpan.FromSeconds(90), "a case was held for the full disk");
        var full = await ReadyzAsync(vision);
        Assert.False(full.GetProperty("ready").GetBoolean());
        Assert.Equal("evidence disk full: cases held in memory", full.GetProperty("reason").GetString());
        var status = JsonDocument.Parse(await vision.GetStringAsync("/api/status")).RootElement;
        Assert.Contains("No space left on device", status.GetProperty("evidenceBacklog").GetProperty("problem").GetString());
        string metrics = await vision.GetStringAsync("/metrics");
        Assert.Matches(@"vision_evidence_cases_held [1-9]", metrics);
        Assert.Empty(vision.Cases());

        disk.Free();
        await vision.WaitUntilAsync(() => Task.FromResult(vision.Cases().Count >= 3), TimeSpan.FromSeconds(90), "the 3 bottles' cases were written once space returned");
        await vision.WaitUntilAsync(async () => HeldCases(await ReadyzAsync(vision)) == 0, TimeSpan.FromSeconds(30), "the backlog emptied");

        var cases = vision.Cases();
        Assert.Equal(3, cases.Count);
        Assert.Equal(3, cases.Select(c => c.GetProperty("caseId").GetString()).Distinct().Count());
        foreach (var c in cases)
        {
            string id = c.GetProperty("caseId").GetString()!;
            Assert.True(File.Exists(Path.Combine(vision.EvidenceDirectory, id, "manifest.json")) || !Directory.Exists(Path.Combine(vision.EvidenceDirectory, id)),
                $"case {id} is in cases.jsonl but its spool folder has no manifest");
            Assert.Equal(3, c.GetProperty("evidence").GetProperty("photos").GetArrayLength());
        }
        metrics = await vision.GetStringAsync("/metrics");
        Assert.Contains("vision_evidence_cases_held 0", metrics);
        Assert.Matches(@"vision_evidence_write_failures_total [1-9]", metrics);
        Assert.Contains("vision_cases_lost_total 0", metrics);
        var listed = await CaseListAsync(vision);
        Assert.Equal(3, listed);
    }

    private static async Task<JsonElement> ReadyzAsync(VisionProcess vision)
    {
        using var response = await vision.TryGetAsync("/readyz");
        if (response is null) return default;
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static int HeldCases(JsonElement readyz) =>
        readyz.ValueKind == JsonValueKind.Object ? readyz.GetProperty("heldCases").GetInt32() : -1;

    /// <summary>Cases in the case database, as the review console lists them.</summary>
    private static async Task<int> CaseListAsync(VisionProcess vision)
    {
        string db = Path.Combine(vision.EvidenceDirectory, "vision.db");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM cases";
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
