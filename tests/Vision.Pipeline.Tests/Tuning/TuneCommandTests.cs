using System.Diagnostics;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Tuning;

/// <summary>The <c>vision tune</c> program as an engineer runs it, over the four shared clips with the real model and ffmpeg.</summary>
public sealed class TuneCommandTests(ITestOutputHelper output)
{
    private static readonly string Vision = Path.Combine(AppContext.BaseDirectory, "vision.dll");
    private static readonly string[] Clips = ["street-parking-hevc", "bottle-detection", "city-traffic", "one-by-one-person-detection"];

    // A minimal truth written here (the shipped samples/footage/*.truth.yaml are labelled separately): the three bottles on
    // the table, one per third; no parked car in the driving lanes; the other two clips not labelled (their cases unlabelled).
    private const string Truth = """
        version: 1
        clips:
          - clip: bottle-detection.mp4
            camera: bottles
            start: 2026-11-23T09:00:00+08:00
            violations:
              - { rule: litter-table, from: 0s, to: 40s, box: [0.0, 0.0, 0.333, 1.0] }
              - { rule: litter-table, from: 0s, to: 40s, box: [0.333, 0.0, 0.334, 1.0] }
              - { rule: litter-table, from: 0s, to: 40s, box: [0.667, 0.0, 0.333, 1.0] }
          - clip: city-traffic.mp4
            camera: city-road
            start: 2026-11-23T09:00:00+08:00
          - clip: street-parking-hevc.mp4
            camera: hillside-street
            start: 2026-11-23T09:00:00+08:00
            complete: false
          - clip: one-by-one-person-detection.mp4
            camera: office-table
            start: 2026-11-23T09:00:00+08:00
            complete: false
        """;

    [SharedDataFact]
    public void A_100_setting_sweep_over_the_four_clips_replays_each_once_scores_every_setting_and_a_second_tune_reads_the_cache()
    {
        string dir = Directory.CreateTempSubdirectory("vision-tune-").FullName;
        string truth = Path.Combine(dir, "clips.truth.yaml");
        File.WriteAllText(truth, Truth);
        string outDir = Path.Combine(dir, "out");
        var args = new List<string> { "tune", "--truth", truth, "--footage", Path.Combine(SharedData.Root!, "footage"), "--out", outDir, "--top", "5",
            "--set", "rule.min_confidence=0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.65", "--set", "rule.dwell=3s,4s,5s,6s,8s,10s,12s,15s,20s,30s" };
        foreach (var clip in Clips) args.AddRange(["--config", Path.Combine(SharedData.ProjectRoot, "samples", "footage", clip + ".yaml")]);

        var first = Run([.. args]);
        output.WriteLine(first.StdOut);
        output.WriteLine(first.StdErr);

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("100-setting sweep vs one replay", first.StdOut);
        Assert.Contains("best for rule litter-table:", first.StdOut);
        Assert.Contains("best for clip bottle-detection:", first.StdOut);
        Assert.Contains("best overall:", first.StdOut);
        Assert.Matches(@"best for clip bottle-detection: .*\(TP [1-3] ", first.StdOut);
        Assert.Contains("      - id: litter-table", first.StdOut);
        Assert.Equal(Clips.Length, Directory.GetFiles(Path.Combine(outDir, "detections"), "*.bin").Length);
        var csv = File.ReadAllLines(Path.Combine(outDir, "tune.csv"));
        Assert.Equal(101, csv.Length);
        Assert.StartsWith("rule.min_confidence,rule.dwell,tp,fp,fn,precision,recall,f1", csv[0]);
        Assert.Contains("| rule.min_confidence | rule.dwell | TP | FP | FN | P | R | F1 |", File.ReadAllText(Path.Combine(outDir, "tune.md")));

        var second = Run([.. args]);

        Assert.True(second.ExitCode == 0, second.StdErr);
        Assert.Equal(Clips.Length, second.StdErr.Split('\n').Count(l => l.Contains("detections read from")));
        Assert.Equal(csv, File.ReadAllLines(Path.Combine(outDir, "tune.csv")));
    }

    [Fact]
    public void A_bad_set_exits_2_with_one_message_naming_it()
    {
        var run = Run("tune", "--config", "none.yaml", "--truth", "none.truth.yaml", "--set", "rule.min_confidence=0.3,1.2");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("vision tune: --set rule.min_confidence=0.3,1.2: rule.min_confidence=1.2: min_confidence must be between 0 and 1", run.StdErr.Trim());
    }

    [Fact]
    public void A_missing_truth_file_exits_2_naming_it()
    {
        string config = Path.Combine(SharedData.ProjectRoot, "samples", "footage", "bottle-detection.yaml");
        var run = Run("tune", "--config", config, "--truth", "missing.truth.yaml", "--set", "rule.dwell=5s");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("missing.truth.yaml", run.StdErr);
        Assert.DoesNotContain("   at ", run.StdErr);
    }

    private static (int ExitCode, string StdOut, string StdErr) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Vision);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (SharedData.Available) start.Environment[Models.ModelLocator.EnvironmentVariable] = SharedData.ModelsDir;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
