using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Vision.Models;
using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Tests.Support;
using Vision.Pipeline.Tools.TraceVideo;

namespace Vision.Pipeline.Tests.Replay;

/// <summary>
/// <c>vision replay --trace-video</c> on real footage with the real model and Debian's ffmpeg (decoding and encoding):
/// what the video holds, that it changes no case, and what a user is told when it cannot be written.
/// </summary>
public sealed class TraceVideoTests
{
    [SharedDataFact]
    public async Task A_trace_video_has_every_analysed_frame_shows_each_confirmation_on_its_case_and_changes_no_case()
    {
        string dir = Directory.CreateTempSubdirectory("vision-trace-video-").FullName;
        string config = ReplayHarness.SampleConfig("bottle-detection"), source = SharedData.Footage("bottle-detection.mp4");
        string video = Path.Combine(dir, "trace.mp4");
        var plain = await ReplayRunner.RunAsync(new ReplayOptions(config, source, null, Path.Combine(dir, "plain"), ReplayHarness.Start, null), null, CancellationToken.None);
        var traced = await ReplayRunner.RunAsync(new ReplayOptions(config, source, null, Path.Combine(dir, "traced"), ReplayHarness.Start, null) { TraceVideoPath = video },
            null, CancellationToken.None);

        Assert.Null(traced.TraceVideoError);
        Assert.Equal(File.ReadAllBytes(plain.CasesFile), File.ReadAllBytes(traced.CasesFile));
        var cases = ReplayHarness.ReadCases(traced.CasesFile);
        Assert.Equal(3, cases.Count);

        var stream = Probe(video);
        Assert.Equal("h264", stream.GetProperty("codec_name").GetString());
        Assert.Equal("yuv420p", stream.GetProperty("pix_fmt").GetString());
        Assert.Equal(traced.Frames, long.Parse(stream.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(traced.Frames, traced.TraceVideoFrames);
        int width = traced.FrameWidth, height = traced.FrameHeight + TraceOverlay.StripHeightFor(traced.FrameWidth, traced.FrameHeight);
        Assert.Equal((width, height), (stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32()));

        foreach (var c in cases)
        {
            // The video has one frame per analysed frame; the reader keeps the first frame of each 1/fps of the source.
            double confirmedAt = ReplayResult.Offset(c, "confirmedAt").TotalSeconds;
            int index = (int)Math.Floor(confirmedAt * traced.AnalysisFps + 1e-9);
            var box = ReplayResult.Box(c);
            double scale = (double)traced.FrameWidth / ReplayResult.FrameWidth(c);
            box = new BoundingBox((float)(box.X * scale), (float)(box.Y * scale), (float)(box.Width * scale), (float)(box.Height * scale));
            // Around the case's box and half its height above it, where the label goes; a second before, no label.
            var near = new BoundingBox(box.X - 20, box.Y - box.Height / 2, box.Width + 40, box.Height * 1.5f);

            int atConfirmation = ConfirmedPixels(ExtractFrame(video, index, width, height), width, traced.FrameHeight, near);
            int before = ConfirmedPixels(ExtractFrame(video, index - 2, width, height), width, traced.FrameHeight, near);
            Assert.True(atConfirmation >= 300, $"case {c.GetProperty("caseId")}: {atConfirmation} pixels of the Confirmed colour near its box {box} in frame {index}");
            Assert.True(before < 20, $"case {c.GetProperty("caseId")}: {before} pixels of the Confirmed colour near its box a second before it was confirmed");
        }
    }

    [SharedDataFact]
    public void A_trace_video_path_that_cannot_be_written_exits_2_with_one_line_before_analysing()
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("vision-cli-").FullName, "out");
        var run = ReplayCommandLineTests.Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", SharedData.Footage("bottle-detection.mp4"),
            "--out", output, "--trace-video", "/nonexistent-folder/trace.mp4");

        Assert.Equal(2, run.ExitCode);
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("warning:", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"expected one line of error, got:\n{run.StdErr}");
        Assert.Contains("--trace-video '/nonexistent-folder/trace.mp4'", lines[0]);
        Assert.Contains("a folder that exists and you can write to", lines[0]);
        Assert.DoesNotContain("   at ", run.StdErr);
        Assert.False(File.Exists(Path.Combine(output, "cases.jsonl")) && File.ReadAllText(Path.Combine(output, "cases.jsonl")).Length > 0);
    }

    [SharedDataFact]
    public void A_trace_video_path_naming_the_source_is_refused_and_the_source_kept()
    {
        string dir = Directory.CreateTempSubdirectory("vision-cli-").FullName;
        string source = Path.Combine(dir, "cam.mp4");
        File.Copy(SharedData.Footage("bottle-detection.mp4"), source);
        long length = new FileInfo(source).Length;
        var run = ReplayCommandLineTests.Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", source,
            "--out", Path.Combine(dir, "out"), "--trace-video", source);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is the --source video", run.StdErr);
        Assert.Equal(length, new FileInfo(source).Length);
    }

    [SmallDiskFact]
    public void A_trace_video_whose_disk_fills_part_way_is_one_message_and_exit_5_with_every_case_written()
    {
        // The bottle clip's trace video takes about 1 MB; this disk has 100 KB, so ffmpeg fails a few seconds in.
        string root = Directory.CreateTempSubdirectory("vision-trace-full-").FullName;
        using var disk = SmallDisk.Mount(Path.Combine(root, "video"), 100 * 1024);
        string output = Path.Combine(root, "out"), video = Path.Combine(disk.Path, "trace.mp4");
        var run = ReplayCommandLineTests.Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", SharedData.Footage("bottle-detection.mp4"),
            "--out", output, "--start", ReplayHarness.Start, "--trace-video", video);

        Assert.True(run.ExitCode == 5, $"exit {run.ExitCode}: {run.StdErr}");
        var errors = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("warning:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one line of error, got:\n{run.StdErr}");
        Assert.Contains($"trace video '{video}' is incomplete", errors[0]);
        Assert.Contains("No space left on device", errors[0]);
        Assert.Contains("the cases are complete", errors[0]);
        Assert.Contains("3 case(s)", run.StdOut);
        Assert.Equal(3, ReplayHarness.ReadCases(Path.Combine(output, "cases.jsonl")).Count);
    }

    /// <summary>Pixels of the Confirmed label's colour (after H.264's rounding) inside <paramref name="area"/> of the picture.</summary>
    private static int ConfirmedPixels(byte[] rgb, int width, int pictureHeight, BoundingBox area)
    {
        var color = TraceOverlay.ConfirmedColor;
        int x0 = Math.Max(0, (int)area.X), x1 = Math.Min(width, (int)area.Right);
        int y0 = Math.Max(0, (int)area.Y), y1 = Math.Min(pictureHeight, (int)area.Bottom);
        int count = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                int i = (y * width + x) * 3;
                if (Math.Abs(rgb[i] - color.Red) < 70 && Math.Abs(rgb[i + 1] - color.Green) < 70 && Math.Abs(rgb[i + 2] - color.Blue) < 70) count++;
            }
        return count;
    }

    private static JsonElement Probe(string video)
    {
        var (output, _) = Tool("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,pix_fmt,width,height,nb_read_frames", "-of", "json", video);
        return JsonDocument.Parse(output).RootElement.GetProperty("streams")[0].Clone();
    }

    private static byte[] ExtractFrame(string video, int index, int width, int height)
    {
        var (_, frame) = Tool("ffmpeg", "-v", "error", "-i", video, "-vf", $"select=eq(n\\,{index})", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
        Assert.Equal(width * height * 3, frame.Length);
        return frame;
    }

    private static (string Text, byte[] Bytes) Tool(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        string errors = process.StandardError.ReadToEnd();
        copy.Wait();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {errors}");
        var bytes = output.ToArray();
        return (System.Text.Encoding.UTF8.GetString(bytes), bytes);
    }
}
