using System.Globalization;
using System.Text.Json;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Tests.Replay;

namespace Vision.Pipeline.Tests.Live;

/// <summary>
/// A camera with two streams (<c>streams: { detect, record }</c>) in a real <c>vision run</c>: the RTSP test server serves
/// the same clip as a 640×360 sub-stream and a 1280×720 main stream (behind a password, on a server of its own so that
/// it can go down alone), as an IP camera does.
/// </summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class DualStreamLiveTests
{
    private const string Password = "Main-Pass-5521";

    private static string DualCamera(string detect, string record) => $$"""
          - id: cam-dual
            streams: { detect: {{detect}}, record: {{record}} }
            analysis: { fps: 2, max_width: 1280 }
            zones:
              - { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }
            rules:
              - { id: litter-dual, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 5s, cooldown: 10m }

        """;

    [RtspFact]
    public async Task A_two_stream_camera_analyses_the_sub_stream_records_the_main_stream_and_reports_the_record_stream_failing_while_analysis_goes_on()
    {
        string main = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(120), gop: 30, width: 1280, height: 720);
        string sub = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(120), gop: 30, width: 640, height: 360);
        Assert.Equal((1280, 720), await FrameSizeAsync(main));
        Assert.Equal((640, 360), await FrameSizeAsync(sub));
        // Boxes of the same bottles found on the main stream itself, in its pixels.
        var replay = await LiveServiceTests.ReplayPreparedAsync(main);
        Assert.NotEmpty(replay);

        await using var subServer = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["sub"] = sub });
        await using var mainServer = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["main"] = main }, user: "admin", password: Password);
        await using var vision = await VisionProcess.StartAsync(LiveServiceTests.Common + DualCamera(subServer.Url("sub"), mainServer.Url("main")));

        await vision.WaitUntilAsync(async () => await CameraAsync(vision) is { } c && c.GetProperty("state").GetString() == "online" && c.GetProperty("recording").GetString() == "ok",
            TimeSpan.FromSeconds(45), "cam-dual online and recording");
        var camera = await vision.CameraAsync("cam-dual");
        Assert.Equal(subServer.Url("sub"), camera.GetProperty("source").GetString());
        Assert.Equal($"rtsp://***@127.0.0.1:{mainServer.Port}/main", camera.GetProperty("recordSource").GetString());
        Assert.Contains("640x360", camera.GetProperty("reason").GetString());
        Assert.Contains("1280x720", camera.GetProperty("recordingReason").GetString());
        Assert.Contains("analysing 2 fps at 640x360", vision.Output);
        // The recorder is a real-time job like the live decoders: niced as they are (10), not as clip cuts (15).
        int recorder = Assert.Single(FfmpegReading($"127.0.0.1:{mainServer.Port}/main"));
        Assert.Equal(LiveCamera.StreamingNiceness, ProcessPriority.Of(recorder));
        // The analysis ffmpeg reads the sub-stream and records nothing.
        int analysis = Assert.Single(FfmpegReading($"127.0.0.1:{subServer.Port}/sub"));
        Assert.DoesNotContain("\0segment\0", Arguments(analysis), StringComparison.Ordinal);

        // Segments hold the main stream: ffmpeg copies it, nothing is scaled.
        string recordings = Path.Combine(vision.WorkDirectory, "recordings", "cam-dual");
        await vision.WaitUntilAsync(() => Task.FromResult(Directory.GetFiles(recordings, "*.ts").Length >= 3), TimeSpan.FromSeconds(20), "recorded segments");
        string segment = Directory.GetFiles(recordings, "*.ts").Order(StringComparer.Ordinal).First();
        Assert.Equal((1280, 720), await FrameSizeAsync(segment));

        // A case: boxes in the main stream's pixels (the sub-stream's, scaled ×2 in x and y), clip from the main stream.
        await vision.WaitUntilAsync(() => Task.FromResult(vision.Cases().Count >= 1), TimeSpan.FromSeconds(90), "a case from the two-stream camera");
        var found = vision.Cases()[0];
        Assert.Equal(1280, found.GetProperty("frame").GetProperty("width").GetInt32());
        Assert.Equal(720, found.GetProperty("frame").GetProperty("height").GetInt32());
        var box = ReplayResult.Box(found);
        Assert.True(replay.Any(r => r.IoU(box) >= 0.5f), $"case box {box} (mapped from 640x360) matches no box found on the 1280x720 stream ({string.Join(", ", replay)})");
        var evidence = found.GetProperty("evidence");
        Assert.True(evidence.GetProperty("clipError").ValueKind == JsonValueKind.Null, $"clip failed: {evidence.GetProperty("clipError")}");
        Assert.Equal((1280, 720), await ClipFrameSizeAsync(vision, evidence.GetProperty("clip")));

        // The main stream goes down alone: the recording fails with its reason, the camera stays online and analyses on.
        await mainServer.StopAsync();
        await vision.WaitUntilAsync(async () => (await vision.CameraAsync("cam-dual")).GetProperty("recording").GetString() == "failing",
            TimeSpan.FromSeconds(15), "the record stream's failure reported");
        long analysed = (await vision.CameraAsync("cam-dual")).GetProperty("framesAnalysed").GetInt64();
        await vision.WaitUntilAsync(async () => (await vision.CameraAsync("cam-dual")).GetProperty("framesAnalysed").GetInt64() >= analysed + 6,
            TimeSpan.FromSeconds(15), "analysis going on without the record stream");
        var failing = await vision.CameraAsync("cam-dual");
        Assert.Equal("online", failing.GetProperty("state").GetString());
        Assert.Contains("record stream", failing.GetProperty("recordingReason").GetString());
        Assert.True(failing.GetProperty("recordingFailures").GetInt64() >= 1);
        string metrics = await vision.GetStringAsync("/metrics");
        Assert.Contains("vision_camera_recording_state{camera=\"cam-dual\",state=\"failing\"} 1", metrics);
        Assert.Contains("vision_camera_state{camera=\"cam-dual\",state=\"online\"} 1", metrics);

        await mainServer.RestartAsync();
        await vision.WaitUntilAsync(async () => (await vision.CameraAsync("cam-dual")).GetProperty("recording").GetString() == "ok",
            TimeSpan.FromSeconds(20), "recording back once the record stream returned");

        string everything = string.Join("\n", await vision.GetStringAsync("/api/cameras"), metrics, await vision.GetStringAsync("/api/status"), vision.Output);
        Assert.DoesNotContain(Password, everything);
        Assert.Contains("record rtsp://***@127.0.0.1", vision.Output);
    }

    /// <summary>The ffmpeg processes on this machine whose input URL ends with <paramref name="hostPortPath"/>.</summary>
    private static List<int> FfmpegReading(string hostPortPath)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            string args = Arguments(pid);
            if (args.StartsWith("ffmpeg\0", StringComparison.Ordinal) && args.Contains(hostPortPath + "\0", StringComparison.Ordinal)) pids.Add(pid);
        }
        return pids;
    }

    private static string Arguments(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    private static async Task<JsonElement?> CameraAsync(VisionProcess vision)
    {
        var camera = await vision.CameraAsync("cam-dual");
        return camera.ValueKind == JsonValueKind.Object ? camera : null;
    }

    /// <summary>The clip's frame size, from the spool or, once uploaded, the local store (the upload can move it between two looks).</summary>
    private static async Task<(int Width, int Height)> ClipFrameSizeAsync(VisionProcess vision, JsonElement clip)
    {
        string spooled = Path.Combine(vision.EvidenceDirectory, clip.GetProperty("file").GetString()!);
        string stored = Path.Combine(vision.EvidenceDirectory, "store", clip.GetProperty("key").GetString()!);
        if (File.Exists(spooled) && await TryFrameSizeAsync(spooled) is { } size) return size;
        return await FrameSizeAsync(stored);
    }

    private static async Task<(int Width, int Height)?> TryFrameSizeAsync(string video)
    {
        var run = await ChildProcess.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", video], TimeSpan.FromSeconds(30));
        if (!run.Succeeded) return null;
        // An mpegts segment lists its stream twice (under its program too): the first line is enough.
        var parts = run.StdOut.Trim().Split('\n')[0].Trim().Split(',');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static async Task<(int Width, int Height)> FrameSizeAsync(string video) =>
        await TryFrameSizeAsync(video) ?? throw new Xunit.Sdk.XunitException($"ffprobe could not read the frame size of {video}");
}
