using System.Collections.Concurrent;
using System.Text.Json;
using Vision.Models;
using Vision.Pipeline.Tools.Replay;

namespace Vision.Pipeline.Tests.Replay;

/// <summary>Runs the real replay pipeline (real model, real footage, ffmpeg) on a sample config, optionally edited, and reads back its cases.</summary>
internal static class ReplayHarness
{
    public const string Start = "2026-11-23T09:00:00+08:00";
    public static readonly DateTimeOffset StartTime = DateTimeOffset.Parse(Start, System.Globalization.CultureInfo.InvariantCulture);

    static ReplayHarness()
    {
        if (SharedData.Available) Environment.SetEnvironmentVariable(ModelLocator.EnvironmentVariable, SharedData.ModelsDir);
    }

    // One replay per clip and edits for the whole test run, for tests that only read its output: a replay is the
    // slowest thing most tests do on a 2-core machine, and it is deterministic (EvidenceIntegrityTests checks that).
    private static readonly ConcurrentDictionary<string, Lazy<Task<ReplayResult>>> Shared = new();

    public static string SampleConfig(string clip) => Path.Combine(SharedData.ProjectRoot, "samples", "footage", clip + ".yaml");

    /// <summary>
    /// The replay of <paramref name="clip"/> with these edits that other tests of this run share: run once, on first
    /// use. Its output must only be read; a test that changes it, or needs a replay of its own, calls <see cref="RunAsync"/>.
    /// </summary>
    public static Task<ReplayResult> SharedAsync(string clip, params (string From, string To)[] edits) =>
        Shared.GetOrAdd(clip + "\n" + string.Join("\n", edits.Select(e => e.From + "\u2192" + e.To)),
            _ => new Lazy<Task<ReplayResult>>(() => RunAsync(clip, edits))).Value;

    /// <summary>Replays <paramref name="clip"/> with its sample config, after applying text edits to the YAML.</summary>
    public static async Task<ReplayResult> RunAsync(string clip, params (string From, string To)[] edits)
    {
        string yaml = await File.ReadAllTextAsync(SampleConfig(clip));
        foreach (var (from, to) in edits)
        {
            if (!yaml.Contains(from, StringComparison.Ordinal)) throw new InvalidOperationException($"the sample config for {clip} no longer contains '{from}'");
            yaml = yaml.Replace(from, to, StringComparison.Ordinal);
        }
        string dir = Directory.CreateTempSubdirectory("vision-replay-").FullName;
        string config = Path.Combine(dir, clip + ".yaml");
        await File.WriteAllTextAsync(config, yaml);
        string output = Path.Combine(dir, "out");
        var summary = await ReplayRunner.RunAsync(new ReplayOptions(config, SharedData.Footage(clip + ".mp4"), null, output, Start, null), null, CancellationToken.None);
        return new ReplayResult(output, summary, ReadCases(Path.Combine(output, "cases.jsonl")));
    }

    public static List<JsonElement> ReadCases(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}

internal sealed record ReplayResult(string OutputDirectory, ReplaySummary Summary, List<JsonElement> Cases)
{
    public static BoundingBox Box(JsonElement c)
    {
        var b = c.GetProperty("objects")[0].GetProperty("box");
        return new BoundingBox(b.GetProperty("x").GetInt32(), b.GetProperty("y").GetInt32(), b.GetProperty("width").GetInt32(), b.GetProperty("height").GetInt32());
    }

    public static TimeSpan Offset(JsonElement c, string property) =>
        DateTimeOffset.Parse(c.GetProperty(property).GetString()!, System.Globalization.CultureInfo.InvariantCulture) - ReplayHarness.StartTime;

    public static int FrameWidth(JsonElement c) => c.GetProperty("frame").GetProperty("width").GetInt32();
    public static int FrameHeight(JsonElement c) => c.GetProperty("frame").GetProperty("height").GetInt32();

    /// <summary>No two cases are the same object: their boxes overlap less than the spot threshold.</summary>
    public void AssertNoDuplicateObjects()
    {
        for (int i = 0; i < Cases.Count; i++)
            for (int j = i + 1; j < Cases.Count; j++)
                Assert.True(Box(Cases[i]).IoU(Box(Cases[j])) < 0.3f,
                    $"cases {Cases[i].GetProperty("caseId")} and {Cases[j].GetProperty("caseId")} are the same object (boxes {Box(Cases[i])} / {Box(Cases[j])})");
    }
}
