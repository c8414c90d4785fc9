using System.Diagnostics;

namespace Vision.Pipeline.Tests.Replay;

/// <summary>The <c>vision replay</c> program as a user runs it: exit codes and the one message a mistake gets.</summary>
public sealed class ReplayCommandLineTests
{
    private static readonly string Vision = Path.Combine(AppContext.BaseDirectory, "vision.dll");

    [SharedDataFact]
    public void A_successful_replay_exits_0_and_reports_frames_speed_and_cases()
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("vision-cli-").FullName, "out");
        var run = Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", SharedData.Footage("bottle-detection.mp4"),
            "--out", output, "--start", ReplayHarness.Start);

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("3 case(s)", run.StdOut);
        Assert.Contains("x real time", run.StdOut);
        Assert.True(File.Exists(Path.Combine(output, "cases.jsonl")));
    }

    [SharedDataFact]
    public void Quiet_prints_nothing_on_success()
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("vision-cli-").FullName, "out");
        var run = Run("replay", "--quiet", "--config", ReplayHarness.SampleConfig("city-traffic"), "--source", SharedData.Footage("city-traffic.mp4"), "--out", output);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.StdOut.Trim());
        Assert.Equal("", run.StdErr.Trim());
    }

    // A copy cut off halfway (a transfer that did not finish): the mp4's index still claims the full length. Before,
    // this exited 0 with "6 decode error(s)" and a speed against the full length.
    [SharedDataFact]
    public void A_source_cut_to_half_its_length_exits_3_saying_it_is_truncated_and_keeps_the_cases_it_found()
    {
        string dir = Directory.CreateTempSubdirectory("vision-cli-cut-").FullName;
        string whole = SharedData.Footage("one-by-one-person-detection.mp4"); // index first (faststart), 139.4 s
        string cut = Path.Combine(dir, "cut.mp4");
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        string output = Path.Combine(dir, "out");

        var run = Run("replay", "--config", ReplayHarness.SampleConfig("one-by-one-person-detection"), "--source", cut, "--out", output, "--start", ReplayHarness.Start);

        Assert.True(run.ExitCode == 3, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
        Assert.Contains("truncated or damaged", run.StdErr);
        Assert.Contains(cut, run.StdErr);
        Assert.Contains("of its 2:19", run.StdErr);
        Assert.Contains("Copy the file again", run.StdErr);
        Assert.DoesNotContain("   at ", run.StdErr);
        // The summary's length and speed are over what was decoded, not the container's claim.
        var over = System.Text.RegularExpressions.Regex.Match(run.StdOut, @"over (\d+\.\d) s of video");
        Assert.True(over.Success, run.StdOut);
        Assert.InRange(double.Parse(over.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 30, 110);
        Assert.True(File.Exists(Path.Combine(output, "cases.jsonl")));
    }

    [SharedDataFact]
    public void A_missing_video_file_exits_2_naming_the_path()
    {
        var run = Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", "/nonexistent/cam01.mp4", "--out", TempOut());
        AssertOneLineError(run, "/nonexistent/cam01.mp4", "does not exist");
    }

    [SharedDataFact]
    public void A_file_that_is_not_video_exits_2_saying_so()
    {
        string notVideo = Path.Combine(Directory.CreateTempSubdirectory("vision-cli-").FullName, "notes.mp4");
        File.WriteAllText(notVideo, "this is not a video\n");
        var run = Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", notVideo, "--out", TempOut());
        AssertOneLineError(run, notVideo, "not a readable video");
    }

    [SharedDataFact]
    public void A_config_with_a_typo_exits_2_with_file_line_and_suggestion()
    {
        string dir = Directory.CreateTempSubdirectory("vision-cli-").FullName;
        string config = Path.Combine(dir, "typo.yaml");
        File.WriteAllText(config, File.ReadAllText(ReplayHarness.SampleConfig("bottle-detection")).Replace("dwell: 5s", "dwel: 5s"));
        var run = Run("replay", "--config", config, "--source", SharedData.Footage("bottle-detection.mp4"), "--out", TempOut());
        AssertOneLineError(run, "typo.yaml:", "dwel");
        Assert.Contains("did you mean 'dwell'", run.StdErr);
    }

    [SharedDataFact]
    public void A_missing_model_exits_2_and_says_how_to_get_one()
    {
        string emptyModels = Directory.CreateTempSubdirectory("vision-models-").FullName;
        var run = Run(new Dictionary<string, string> { ["VISION_MODELS"] = emptyModels },
            "replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", SharedData.Footage("bottle-detection.mp4"), "--out", TempOut());
        AssertOneLineError(run, "yolox_nano", "VISION_MODELS");
    }

    [SharedDataFact]
    public void An_unknown_camera_exits_2_listing_the_cameras()
    {
        var run = Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", SharedData.Footage("bottle-detection.mp4"),
            "--camera", "cam-99", "--out", TempOut());
        AssertOneLineError(run, "cam-99", "bottles");
    }

    [Fact]
    public void A_missing_required_option_exits_2()
    {
        var run = Run("replay", "--source", "x.mp4");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--config", run.StdErr);
    }

    private static void AssertOneLineError(CliRun run, params string[] mentions)
    {
        Assert.Equal(2, run.ExitCode);
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line of error, got:\n{run.StdErr}");
        Assert.DoesNotContain("   at ", run.StdErr);
        foreach (var mention in mentions) Assert.Contains(mention, run.StdErr);
    }

    private static string TempOut() => Path.Combine(Directory.CreateTempSubdirectory("vision-cli-").FullName, "out");

    internal static CliRun Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    private static CliRun Run(Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Vision);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["VISION_MODELS"] = SharedData.Available ? SharedData.ModelsDir : "";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(true); throw new TimeoutException("vision did not finish in 2 minutes"); }
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    internal sealed record CliRun(int ExitCode, string StdOut, string StdErr);
}
