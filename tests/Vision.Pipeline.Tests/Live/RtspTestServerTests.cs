using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vision.Pipeline.Tests.Live;

/// <summary>The live-camera fixtures work with a real RTSP client (Debian's ffmpeg/ffprobe, over TCP).</summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class RtspTestServerTests
{
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(30);

    private static Task<string> H264() => TestFootage.PrepareAsync("city-traffic", Length);

    private static Task<string> H265() => TestFootage.PrepareAsync("street-parking-hevc", Length, width: 640, height: 360);

    [RtspFact]
    public async Task An_H264_mount_and_an_H265_mount_are_readable()
    {
        string h264 = await H264(), h265 = await H265();
        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["h264"] = h264, ["h265"] = h265 });

        var streams = await Task.WhenAll(ProbeAsync(server.Url("h264")), ProbeAsync(server.Url("h265")));
        Assert.Equal(("h264", 640, 360), streams[0]);
        Assert.Equal(("hevc", 640, 360), streams[1]);

        var reads = await Task.WhenAll(ReadAsync(server.Url("h264"), 3), ReadAsync(server.Url("h265"), 3));
        // 3 s at 30 / 25 fps, less up to one GOP: ffmpeg's stream copy drops what comes before the first keyframe.
        Assert.True(reads[0].Frames >= 45, $"h264: {reads[0]}");
        Assert.True(reads[1].Frames >= 35, $"h265: {reads[1]}");
    }

    [RtspFact]
    public async Task Twenty_clients_on_five_mounts_all_read_frames()
    {
        string h264 = await H264(), h265 = await H265();
        var mounts = Enumerable.Range(1, 5).ToDictionary(i => $"cam{i}", i => i % 2 == 0 ? h265 : h264);
        await using var server = await RtspTestServer.StartAsync(mounts);

        var clients = Enumerable.Range(0, 20).Select(i => $"cam{i % 5 + 1}").ToList();
        var reads = await Task.WhenAll(clients.Select(m => ReadAsync(server.Url(m), 3)));

        for (int i = 0; i < clients.Count; i++)
            Assert.True(reads[i].Frames >= 35, $"client {i} on {clients[i]}: {reads[i]}"); // 3 s less up to one GOP (late joiners)
    }

    [RtspFact]
    public async Task Wrong_or_missing_credentials_get_401_and_the_right_ones_work()
    {
        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = await H264() }, "admin", "p@ss:word");

        var wrong = await ProbeRawAsync($"rtsp://admin:nope@127.0.0.1:{server.Port}/cam");
        var none = await ProbeRawAsync(server.Url("cam", withCredentials: false));
        var right = await ProbeRawAsync(server.Url("cam"));

        Assert.False(wrong.Succeeded);
        Assert.Contains("401", wrong.StdErr, StringComparison.Ordinal);
        Assert.False(none.Succeeded);
        Assert.Contains("401", none.StdErr, StringComparison.Ordinal);
        Assert.True(right.Succeeded, right.ToString());
        Assert.Contains("h264", right.StdOut, StringComparison.Ordinal);
    }

    [RtspFact]
    public async Task A_late_joiner_gets_the_stream_where_it_is_without_rewinding_the_others()
    {
        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = await H264() });

        await using var first = FfmpegReader.Start(server.Url("cam"), logLevel: "warning");
        await first.WaitForFramesAsync(45, TimeSpan.FromSeconds(15));
        int before = first.Frames;
        var late = await ReadAsync(server.Url("cam"), 2, logLevel: "warning");

        Assert.True(late.Frames >= 25, late.ToString());
        await Eventually.TrueAsync(() => first.Frames >= before + 60, TimeSpan.FromMilliseconds(500),
            $"the first client to go from {before} to {before + 60} frames while the second read 2 s (it read {first.Frames})", TimeSpan.FromMilliseconds(50));
        Assert.Null(first.ExitCode);
        // A seekable shared media would seek to the late joiner's "Range: npt=0-": the first client's timestamps would jump back.
        Assert.DoesNotContain("monoton", first.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("monoton", late.Run.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [RtspFact]
    public async Task After_a_restart_a_new_client_connects_on_the_same_port()
    {
        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = await H264() });
        int port = server.Port;
        Assert.Equal("h264", (await ProbeAsync(server.Url("cam"))).Codec);

        await using (var reader = FfmpegReader.Start(server.Url("cam")))
        {
            await reader.WaitForFramesAsync(10, TimeSpan.FromSeconds(15));
            await server.StopAsync();
            Assert.False(server.IsRunning);
            var down = await ProbeRawAsync(server.Url("cam"));
            Assert.False(down.Succeeded);

            // The reading client sees the camera go away (no -timeout needed: the connection closes).
            var exit = await reader.WaitForExitAsync(TimeSpan.FromSeconds(15));
            Assert.True(exit.HasValue, "the client kept running after the server was killed");
        }

        await server.RestartAsync();
        Assert.Equal(port, server.Port);
        Assert.True(server.IsRunning);
        var read = await ReadAsync(server.Url("cam"), 2);
        Assert.True(read.Frames >= 25, read.ToString());
    }

    [RtspFact]
    public async Task Through_a_stalled_proxy_a_client_stops_receiving_while_its_socket_stays_open()
    {
        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = await H264() });
        await using var proxy = new StallingTcpProxy(server.Port);
        string url = $"rtsp://127.0.0.1:{proxy.Port}/cam";

        await using var reader = FfmpegReader.Start(url, rwTimeoutSeconds: 2);
        await reader.WaitForFramesAsync(20, TimeSpan.FromSeconds(15));
        Assert.Equal(1, proxy.OpenConnections);

        proxy.Stall();
        var stalledAt = Stopwatch.StartNew();
        // Fixed waits on purpose: frames already in the client's buffers drain, then nothing may arrive for 1.5 s.
        await Task.Delay(700);
        int framesAfterStall = reader.Frames;
        long bytesAfterStall = proxy.BytesToClient;
        await Task.Delay(1500);

        Assert.Null(reader.ExitCode);                     // still waiting: nothing told it the camera is gone
        Assert.Equal(1, proxy.OpenConnections);           // its socket is open
        Assert.Equal(bytesAfterStall, proxy.BytesToClient); // but nothing arrives
        Assert.Equal(framesAfterStall, reader.Frames);

        var exit = await reader.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.True(exit.HasValue, "ffmpeg with a 2 s I/O timeout kept waiting on a stalled connection");
        // ffmpeg 5.1 reports "Connection timed out" but exits 0, as if the input had ended: a live reader must not
        // take exit 0 for a clean end of stream. (Its -timeout fires after 2x the value on a stalled RTSP/TCP input: 2 s -> ~4.2 s.)
        Assert.True(reader.StdErr.Contains("timed out", StringComparison.OrdinalIgnoreCase),
            $"exit {exit.Value} after {stalledAt.Elapsed.TotalSeconds:F1} s, frames {reader.Frames}: {reader.StdErr}");
        Assert.InRange(stalledAt.Elapsed.TotalSeconds, 2.2, 12);

        proxy.Resume();
        var again = await ReadAsync(url, 2);
        Assert.True(again.Frames >= 25, again.ToString());
    }

    [RtspTheory]
    [InlineData("city-traffic", 25, 320, 180, 25.0)]
    [InlineData("street-parking-hevc", 30, 640, 360, null)]
    public async Task Prepared_footage_has_no_B_frames_and_the_requested_GOP(string clip, int gop, int width, int height, double? fps)
    {
        string path = await TestFootage.PrepareAsync(clip, TimeSpan.FromSeconds(clip == "city-traffic" ? 20 : 30), gop, width, height, fps);

        var run = await ChildProcess.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,has_b_frames,avg_frame_rate:format=duration,nb_streams:frame=pict_type,key_frame",
            "-of", "json", path], TimeSpan.FromSeconds(60));
        Assert.True(run.Succeeded, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var stream = doc.RootElement.GetProperty("streams")[0];
        var format = doc.RootElement.GetProperty("format");

        Assert.Equal(clip.Contains("hevc", StringComparison.Ordinal) ? "hevc" : "h264", stream.GetProperty("codec_name").GetString());
        Assert.Equal(width, stream.GetProperty("width").GetInt32());
        Assert.Equal(height, stream.GetProperty("height").GetInt32());
        Assert.Equal(0, stream.GetProperty("has_b_frames").GetInt32());
        Assert.Equal(1, format.GetProperty("nb_streams").GetInt32()); // video only
        double duration = double.Parse(format.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(duration, clip == "city-traffic" ? 19.5 : 29.5, clip == "city-traffic" ? 20.5 : 30.5);

        var frames = doc.RootElement.GetProperty("frames").EnumerateArray().ToList();
        Assert.DoesNotContain(frames, f => f.GetProperty("pict_type").GetString() == "B");
        var keys = frames.Select((f, i) => (f, i)).Where(x => x.f.GetProperty("key_frame").GetInt32() == 1).Select(x => x.i).ToList();
        Assert.Equal(0, keys[0]);
        var gaps = keys.Zip(keys.Skip(1), (a, b) => b - a).Distinct().ToList();
        Assert.Equal([gop], gaps); // across the loop seams too
        if (fps is not null)
            Assert.Equal(fps.Value * duration, frames.Count, tolerance: 2);
    }

    private static async Task<(string Codec, int Width, int Height)> ProbeAsync(string url)
    {
        var run = await ProbeRawAsync(url);
        Assert.True(run.Succeeded, $"ffprobe {url}: {run}");
        using var doc = JsonDocument.Parse(run.StdOut);
        var s = doc.RootElement.GetProperty("streams")[0];
        return (s.GetProperty("codec_name").GetString()!, s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32());
    }

    private static Task<ChildProcessResult> ProbeRawAsync(string url) =>
        ChildProcess.RunAsync("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", "-timeout", "5000000",
            "-show_entries", "stream=codec_name,width,height", "-of", "json", url], TimeSpan.FromSeconds(30));

    private sealed record Read(int Frames, ChildProcessResult Run)
    {
        public override string ToString() => $"{Frames} frame(s); {Run}";
    }

    /// <summary>Reads <paramref name="seconds"/> of stream (stream copy to null) and counts the frames.</summary>
    private static async Task<Read> ReadAsync(string url, double seconds, string logLevel = "error")
    {
        var run = await ChildProcess.RunAsync("ffmpeg", ["-nostdin", "-v", logLevel, "-progress", "pipe:1", "-nostats", "-rtsp_transport", "tcp", "-timeout", "5000000", "-i", url,
            "-t", seconds.ToString(CultureInfo.InvariantCulture), "-c", "copy", "-f", "null", "-"], TimeSpan.FromSeconds(60));
        return new Read(LastFrame(run.StdOut) ?? 0, run);
    }

    private static int? LastFrame(string progress) =>
        progress.Split('\n').Where(l => l.StartsWith("frame=", StringComparison.Ordinal))
            .Select(l => int.TryParse(l.AsSpan(6).Trim(), CultureInfo.InvariantCulture, out int n) ? n : (int?)null).LastOrDefault(n => n is not null);

    /// <summary>A long-running ffmpeg RTSP client whose frame count is watched live.</summary>
    private sealed class FfmpegReader : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();
        private int _frames;

        private FfmpegReader(Process process) => _process = process;

        public int Frames => Volatile.Read(ref _frames);

        public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

        public string StdErr
        {
            get { lock (_stderr) return _stderr.ToString(); }
        }

        public static FfmpegReader Start(string url, int? rwTimeoutSeconds = null, string logLevel = "error")
        {
            var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-nostdin", "-v", logLevel, "-progress", "pipe:1", "-stats_period", "0.2", "-nostats", "-rtsp_transport", "tcp" }) psi.ArgumentList.Add(a);
            if (rwTimeoutSeconds is { } t)
            {
                psi.ArgumentList.Add("-timeout"); // RTSP socket I/O timeout, microseconds
                psi.ArgumentList.Add((t * 1_000_000).ToString(CultureInfo.InvariantCulture));
            }
            foreach (var a in new[] { "-i", url, "-c", "copy", "-f", "null", "-" })
                psi.ArgumentList.Add(a);
            var reader = new FfmpegReader(new Process { StartInfo = psi });
            reader._process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } l && l.StartsWith("frame=", StringComparison.Ordinal) && int.TryParse(l.AsSpan(6).Trim(), CultureInfo.InvariantCulture, out int n))
                    Volatile.Write(ref reader._frames, n);
            };
            reader._process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) lock (reader._stderr) reader._stderr.AppendLine(e.Data);
            };
            reader._process.Start();
            reader._process.BeginOutputReadLine();
            reader._process.BeginErrorReadLine();
            return reader;
        }

        public async Task WaitForFramesAsync(int frames, TimeSpan timeout)
        {
            await Eventually.TrueAsync(() =>
            {
                if (_process.HasExited) throw new InvalidOperationException($"ffmpeg exited {_process.ExitCode} after {Frames} frame(s): {StdErr}");
                return Frames >= frames;
            }, timeout, $"ffmpeg to read {frames} frames (it read {Frames})", context: () => StdErr);
        }

        /// <summary>The exit code, or null if still running after <paramref name="timeout"/>.</summary>
        public async Task<int?> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
                return _process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
