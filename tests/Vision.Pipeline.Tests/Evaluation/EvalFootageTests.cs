using Vision.Pipeline.Tools.Evaluation;
using Vision.Pipeline.Tests.Replay;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tests.Evaluation;

/// <summary><c>vision eval</c> end to end: the real model replays ../shared/footage/bottle-detection.mp4 (three bottles on a table, each a litter case) against a truth written here.</summary>
public sealed class EvalFootageTests
{
    // Two of the three bottles labelled (one by box, one by point), the third left out (a false case), and a
    // violation where no bottle stands (a miss).
    private const string Truth = """
        version: 1
        clips:
          - clip: bottle-detection.mp4
            start: 2026-11-23T09:00:00+08:00
            rules: [litter-table]
            violations:
              - rule: litter-table
                from: 0s
                to: 39s
                box: [0.08, 0.30, 0.12, 0.58]
                note: left bottle
              - rule: litter-table
                from: 2026-11-23T09:00:00+08:00
                to: 2026-11-23T09:00:39+08:00
                point: [0.49, 0.60]
              - rule: litter-table
                from: 20s
                to: 30s
                box: [0.30, 0.02, 0.20, 0.20]
                note: nothing there
        """;

    private static string WriteTruth(string dir)
    {
        string path = Path.Combine(dir, "bottles.truth.yaml");
        File.WriteAllText(path, Truth);
        return path;
    }

    [SharedDataFact]
    public async Task Eval_scores_hits_false_cases_and_misses_and_writes_reports_with_a_picture_of_each_miss()
    {
        _ = ReplayHarness.StartTime; // sets VISION_MODELS to ../shared/models
        string dir = Directory.CreateTempSubdirectory("vision-eval-").FullName;
        string output = Path.Combine(dir, "out");
        var options = new EvalOptions(ReplayHarness.SampleConfig("bottle-detection"), WriteTruth(dir), output)
        {
            FootageDirectory = Path.GetDirectoryName(SharedData.Footage("bottle-detection.mp4")),
        };

        var result = await EvalRunner.RunAsync(options, CancellationToken.None);
        var (markdown, html) = await EvalReport.WriteAsync(result, CancellationToken.None);

        var clip = Assert.Single(result.Clips);
        var rule = Assert.Single(result.Rules);
        Assert.Equal(("litter-table", 2, 1, 1), (rule.RuleId, rule.Hits, rule.FalseCases, rule.Misses));
        Assert.Equal(2.0 / 3, result.Overall.Precision, 9);
        Assert.Equal(2.0 / 3, result.Overall.Recall, 9);
        Assert.All(rule.DelaysSeconds, d => Assert.InRange(d, 5, 8)); // dwell 5 s from the first frame
        Assert.Equal("left bottle", clip.Score.Outcomes.Single(o => o.Kind == OutcomeKind.Hit && o.Truth!.Box is not null).Truth!.Note);

        var miss = Assert.Single(clip.Misses);
        Assert.Equal("nothing there", miss.Outcome.Truth!.Note);
        Assert.NotNull(miss.File);
        using (var picture = OpenCvSharp.Cv2.ImRead(miss.File))
            Assert.Equal((640, 360), (picture.Width, picture.Height));

        var falseCase = Assert.Single(clip.Score.Outcomes, o => o.Kind == OutcomeKind.FalseCase).Case!;
        Assert.True(File.Exists(falseCase.PhotoPath), falseCase.PhotoPath);
        Assert.InRange(falseCase.Box.Centre.X, 0.7, 1.0); // the right-hand bottle

        var md = File.ReadAllText(markdown);
        string missLink = "bottle-detection/misses/" + Path.GetFileName(miss.File);
        Assert.Contains($"![miss]({missLink})", md);
        Assert.Contains(Path.GetRelativePath(output, falseCase.PhotoPath!).Replace('\\', '/'), md);
        Assert.Contains("| litter-table | 2 | 1 | 1 | 0.67 | 0.67 | 0.67 |", md);
        var page = File.ReadAllText(html);
        Assert.Contains($"<img src=\"{missLink}\"", page);
        Assert.Contains(falseCase.CaseId, page);
    }

    [SharedDataFact]
    public void Eval_below_a_threshold_exits_1_naming_the_rule_figure_and_threshold()
    {
        string dir = Directory.CreateTempSubdirectory("vision-eval-cli-").FullName;
        var run = ReplayCommandLineTests.Run("eval", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--truth", WriteTruth(dir),
            "--source", SharedData.Footage("bottle-detection.mp4"), "--out", Path.Combine(dir, "out"), "--min-recall", "0.9", "--min-precision", "0.5");

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("rule litter-table: recall 0.667 is below --min-recall 0.9", run.StdErr);
        Assert.Contains("overall: recall 0.667 is below --min-recall 0.9", run.StdErr);
        Assert.DoesNotContain("precision", run.StdErr);
        Assert.Matches(@"litter-table\s+2\s+1\s+1\s+0\.67\s+0\.67\s+0\.67", run.StdOut);
        Assert.True(File.Exists(Path.Combine(dir, "out", "report.html")));
    }

    [Fact]
    public void Eval_with_a_truth_naming_a_missing_clip_exits_2_with_the_truth_line()
    {
        string dir = Directory.CreateTempSubdirectory("vision-eval-cli-").FullName;
        string truth = Path.Combine(dir, "t.truth.yaml");
        File.WriteAllText(truth, "version: 1\nclips:\n  - clip: nowhere.mp4\n");
        var run = ReplayCommandLineTests.Run("eval", "--config", Path.Combine(SharedData.ProjectRoot, "samples", "footage", "bottle-detection.yaml"), "--truth", truth, "--out", Path.Combine(dir, "out"));

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("t.truth.yaml:3:11: clips[0].clip: video not found", line);
        Assert.Contains("--footage", line);
    }

    [Fact]
    public void Eval_with_a_rule_the_camera_lacks_exits_2_suggesting_the_rule()
    {
        string dir = Directory.CreateTempSubdirectory("vision-eval-cli-").FullName;
        string truth = Path.Combine(dir, "t.truth.yaml");
        File.WriteAllText(truth, "version: 1\nclips:\n  - clip: x.mp4\n    rules: [litter-tabel]\n");
        File.WriteAllBytes(Path.Combine(dir, "x.mp4"), []);
        var run = ReplayCommandLineTests.Run("eval", "--config", Path.Combine(SharedData.ProjectRoot, "samples", "footage", "bottle-detection.yaml"), "--truth", truth, "--out", Path.Combine(dir, "out"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("t.truth.yaml:4:13: clips[0].rules[0]: camera 'bottles' has no rule 'litter-tabel' (did you mean 'litter-table'?)", run.StdErr);
    }
}
