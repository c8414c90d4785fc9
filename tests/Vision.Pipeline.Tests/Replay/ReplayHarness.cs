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

    public static string SampleConfig(string clip) => Path.Combine(SharedData.ProjectRoot, "samples", "footage", clip + ".yaml");

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
