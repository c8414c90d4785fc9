using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

using Vision.Bench;
using static Vision.Bench.BenchProcess;

namespace Vision.Capacity;

/// <summary>
/// How many cameras one node carries. Serves a 1080p H.264 25 fps GOP-50 clip from the local RTSP test
/// server to N cameras of a real <c>vision run</c>, lets it settle, then measures over a window:
/// frames analysed per camera (min / median / max) against the target rate, frames dropped, CPU of
/// vision, of its ffmpeg decoders and of the test server, and memory. Before the steps it measures
/// what one bare ffmpeg (the same decode, no Vision) costs here, so every step is also given as a
/// ratio to it: the decode load (N × that cost over the node's cores) and Vision's CPU per camera
/// over it. A step is "sustained" when every camera gets ≥ 90 % of its target rate, drops stay under
/// 5 %, and every camera stays online; otherwise it names the side that starved.
/// With <c>--dual-stream</c> each camera has two streams, as IP cameras do: the 1080p main stream is recorded (stream copy)
/// and a 640×360 sub-stream, made the same way, is analysed; the bare ffmpeg then decodes the sub-stream.
/// Usage: dotnet run -c Release --project bench/Vision.Capacity -- --mode keyframes|full --cameras 25,50,100,150 [--seconds 40] [--max-width 1280] [--dual-stream]
/// </summary>
public static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The ops token the benchmark gives its <c>vision run</c> and sends back (ignored by a build without ops authentication).</summary>
    private static readonly string OpsToken = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static async Task<int> Main(string[] args)
    {
        string mode = Arg(args, "--mode", "keyframes");
        var counts = Arg(args, "--cameras", mode == "keyframes" ? "25,50,100,150" : "8,16,24").Split(',').Select(int.Parse).ToList();
        int seconds = int.Parse(Arg(args, "--seconds", "40"), Inv);
        int maxWidth = int.Parse(Arg(args, "--max-width", "1280"), Inv);
        bool fastDecode = args.Contains("--fast-decode");
        bool dualStream = args.Contains("--dual-stream");
        string root = FindRoot();
        string shared = Environment.GetEnvironmentVariable("VISION_SHARED") ?? Path.Combine(root, "..", "shared");
        string vision = Path.Combine(root, "src", "Pipeline", "bin", "Release", "net10.0", "vision.dll");
        if (!File.Exists(vision)) { Console.Error.WriteLine($"build first: dotnet build src/Pipeline -c Release ({vision} missing)"); return 2; }
        if (!File.Exists(Path.Combine(shared, "models", "yolox_nano.onnx"))) { Console.Error.WriteLine($"needs ../shared (model and footage) at {shared}"); return 2; }

        string clip = Path.Combine(shared, "footage", "city-traffic.mp4");
        var source = await PrepareSourceAsync(clip, MainStream);
        var sub = dualStream ? await PrepareSourceAsync(clip, SubStream) : null;
        var step = new StepSettings(mode, mode == "keyframes" ? 0.5 : 2, maxWidth, fastDecode, seconds);
        var bare = await BareDecode.MeasureAsync(root, new Sources(sub ?? source, null), step);
        string streams = sub is null
            ? $"source {Path.GetFileName(source)} ({MainStream.Describe()})"
            : $"two streams per camera: main {Path.GetFileName(source)} ({MainStream.Describe()}) recorded, sub {Path.GetFileName(sub)} ({SubStream.Describe()}) analysed";
        Console.WriteLine($"capacity: mode {mode} ({(mode == "keyframes" ? "keyframes only, 0.5 fps" : "full decode, 2 fps")}), {streams}, window {seconds} s, analysis frames at most {maxWidth} px wide{(fastDecode ? ", fast_decode" : "")}, {Environment.ProcessorCount} cores");
        Console.WriteLine(string.Create(Inv, $"bare ffmpeg (same decode, no Vision, {BareDecode.Streams} streams from the same server): {bare.CorePercentPerCamera:0.00} % of a core per camera, so decode alone fills the node at {bare.CamerasPerNode:0} cameras"));
        Console.WriteLine("| cameras | decode load (× node) | analysed fps/camera min / median / max (target) | of target | dropped | vision CPU | ffmpeg CPU | CPU/camera (× bare ffmpeg) | test server CPU | vision RSS | over capacity (vision says) | sustained / short side |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (int n in counts)
        {
            var row = await MeasureAsync(root, shared, vision, new Sources(source, sub), step, n, bare);
            Console.WriteLine(row);
        }
        return 0;
    }

    private static async Task<string> MeasureAsync(string root, string shared, string vision, Sources sources, StepSettings step, int cameras, BareDecode bare)
    {
        string work = Directory.CreateTempSubdirectory("vision-capacity-").FullName;
        using var server = StartServer(root, sources, cameras, work);
        int port = await ReadyPortAsync(server);

        var yaml = new StringBuilder($"detector: {{ model: yolox_nano }}\nevidence: {{ directory: {work}/evidence }}\nrecording: {{ directory: {work}/recordings, keep: 20s }}\ncameras:\n");
        int mounts = Mounts(cameras);
        for (int i = 0; i < cameras; i++)
        {
            string main = string.Create(Inv, $"rtsp://127.0.0.1:{port}/m{i % mounts}");
            string id = "cam" + i.ToString("000", Inv);
            yaml.Append(sources.Sub is null
                ? $"  - id: {id}\n    source: {main}\n"
                : $"  - id: {id}\n    streams: {{ detect: rtsp://127.0.0.1:{port}/s{(i % mounts).ToString(Inv)}, record: {main} }}\n");
            yaml.Append(CultureInfo.InvariantCulture, $"    analysis: {{ fps: {step.Fps}, max_width: {step.MaxWidth}, decode: {(step.Mode == "keyframes" ? "keyframes" : "all")}, fast_decode: {(step.FastDecode ? "true" : "false")} }}\n");
            yaml.Append("    zones: [{ id: lanes, polygon: [[0.15, 0.45], [0.62, 0.45], [0.72, 1.0], [0.18, 1.0]] }]\n");
            yaml.Append("    rules: [{ id: p" + i.ToString(Inv) + ", type: illegal_parking, zones: [lanes], dwell: 3m }]\n");
        }
        string config = Path.Combine(work, "vision.yaml");
        await File.WriteAllTextAsync(config, yaml.ToString());
        int httpPort = FreePort();
        // /api/cameras needs an admin session or the ops token: the benchmark reads it as a scraper would.
        using var service = Start("dotnet", [vision, "run", "--config", config, "--http", $"http://127.0.0.1:{httpPort}"], work,
            new Dictionary<string, string> { ["VISION_MODELS"] = Path.Combine(shared, "models"), ["VISION_OPS_TOKEN"] = OpsToken });
        using var http = OpsClient(httpPort);
        try
        {
            // Settle: every camera online (connects are queued, so many cameras take a while) and a few seconds of steady state.
            var started = Stopwatch.StartNew();
            while (started.Elapsed < TimeSpan.FromSeconds(60 + cameras * 1.5))
            {
                var cams = await TryGetAsync(http, "/api/cameras");
                if (cams is { } c && c.GetArrayLength() == cameras && c.EnumerateArray().All(x => x.GetProperty("state").GetString() == "online")) break;
                await Task.Delay(1000);
            }
            double onlineAfter = started.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(15));

            var before = Cameras(await TryGetAsync(http, "/api/cameras"));
            long visionTicks0 = ProcFs.Ticks(service.Id).Own, treeTicks0 = ProcFs.TreeTicks(service.Id), serverTicks0 = ProcFs.TreeTicks(server.Id);
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(step.Seconds));
            var after = Cameras(await TryGetAsync(http, "/api/cameras"));
            long visionTicks1 = ProcFs.Ticks(service.Id).Own, treeTicks1 = ProcFs.TreeTicks(service.Id), serverTicks1 = ProcFs.TreeTicks(server.Id);
            double elapsed = clock.Elapsed.TotalSeconds;
            var status = await TryGetAsync(http, "/api/status");
            double rss = ProcFs.RssMb(service.Id);

            var rates = new List<double>();
            long droppedDelta = 0, receivedDelta = 0;
            int online = 0, recording = 0;
            foreach (var (id, a) in after)
            {
                if (!before.TryGetValue(id, out var b)) continue;
                rates.Add((a.Analysed - b.Analysed) / elapsed);
                droppedDelta += a.Dropped - b.Dropped;
                receivedDelta += a.Received - b.Received;
                if (a.State == "online") online++;
                if (a.Recording == "ok") recording++;
            }
            rates.Sort();
            double Percent(long ticks) => ticks / ProcFs.TicksPerSecond / elapsed * 100;
            double visionCpu = Percent(visionTicks1 - visionTicks0), ffmpegCpu = Percent(treeTicks1 - treeTicks0) - visionCpu, serverCpu = Percent(serverTicks1 - serverTicks0);
            double minRate = rates.Count == 0 ? 0 : rates[0], median = rates.Count == 0 ? 0 : rates[rates.Count / 2], maxRate = rates.Count == 0 ? 0 : rates[^1];
            double share = rates.Count == 0 ? 0 : rates.Average() / step.Fps;
            double receivedShare = receivedDelta / (elapsed * step.Fps * Math.Max(1, rates.Count));
            double dropShare = receivedDelta == 0 ? 1 : (double)droppedDelta / receivedDelta;
            // Two streams: the main stream's recorders must all be writing too, or the node only looks as if it carried them.
            bool recordersOk = sources.Sub is null || recording == cameras;
            bool sustained = rates.Count == cameras && online == cameras && recordersOk && minRate >= 0.9 * step.Fps && dropShare < 0.05;
            string said = status is { } s && s.TryGetProperty("capacity", out var cap) && cap.ValueKind == JsonValueKind.Object
                ? (cap.GetProperty("overCapacity").GetBoolean() ? $"yes ({cap.GetProperty("analysedShare").GetDouble():P0})" : "no")
                : "(not reported)";
            string verdict = sustained ? "yes"
                : !recordersOk && online == cameras ? string.Create(Inv, $"no: {cameras - recording} camera(s) not recording their main stream")
                : "no: " + ShortSide(online, cameras, onlineAfter, receivedShare, dropShare, serverCpu);
            double perCamera = (visionCpu + ffmpegCpu) / cameras;
            return string.Create(Inv, $"| {cameras} | {cameras / bare.CamerasPerNode:0.00} | {minRate:0.00} / {median:0.00} / {maxRate:0.00} ({step.Fps}) | {share:P0} | {dropShare:P1} | {visionCpu:0} % | {ffmpegCpu:0} % | {perCamera:0.00} % ({perCamera / bare.CorePercentPerCamera:0.0}×) | {serverCpu:0} % | {rss:0} MB | {said} | {verdict} |");
        }
        finally
        {
            Signal(service.Id, "TERM");
            if (!service.WaitForExit(15000)) service.Kill(true);
            server.Kill(true);
            server.WaitForExit(5000);
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    /// <summary>Which side starved: the cameras never all came online, the test server is at its one core, frames did not arrive, or the detector fell behind.</summary>
    private static string ShortSide(int online, int cameras, double onlineAfter, double receivedShare, double dropShare, double serverCpu)
    {
        if (online < cameras) return string.Create(Inv, $"{cameras - online} camera(s) not online ({onlineAfter:0} s after start)");
        // The GStreamer test server pushes every stream from one Python process: near a full core, it is the limit, not Vision.
        if (serverCpu >= 85 && receivedShare < 0.9) return string.Create(Inv, $"the RTSP test server (at {serverCpu:0} % of a core; decoded {receivedShare:P0} of target)");
        if (receivedShare < 0.9) return string.Create(Inv, $"decoding (ffmpeg delivered {receivedShare:P0} of target)");
        return string.Create(Inv, $"the detector ({dropShare:P0} of decoded frames replaced before analysis)");
    }

    private static int Mounts(int cameras) => Math.Max(1, (cameras + 9) / 10);

    /// <summary>Mounts m0, m1, … serve the main stream; with a sub-stream, s0, s1, … serve it.</summary>
    private static Process StartServer(string root, Sources sources, int cameras, string work)
    {
        var serverArgs = new List<string> { Path.Combine(root, "scripts", "rtsp-test-server.py"), "--port", "0" };
        for (int m = 0; m < Mounts(cameras); m++)
        {
            serverArgs.AddRange(["--mount", $"m{m}={sources.Main}"]);
            if (sources.Sub is not null) serverArgs.AddRange(["--mount", $"s{m}={sources.Sub}"]);
        }
        return Start("/usr/bin/python3", serverArgs, work, null);
    }

    private sealed record StepSettings(string Mode, double Fps, int MaxWidth, bool FastDecode, int Seconds);

    /// <summary>The file each camera's main stream plays, and its sub-stream's when cameras have two streams.</summary>
    private sealed record Sources(string Main, string? Sub);

    /// <summary>How a camera stream is encoded: size and bit rate; 25 fps, GOP 50, no B-frames for both.</summary>
    private sealed record StreamRecipe(string Name, int Width, int Height, string Bitrate)
    {
        public string Describe() => $"{Width}x{Height} H.264 25 fps GOP 50 {Bitrate}b/s, 20 min";
    }

    /// <summary>A 1080p main stream at 4 Mb/s and a 640×360 sub-stream at 1 Mb/s, as IP cameras commonly send them.</summary>
    private static readonly StreamRecipe MainStream = new("city-1080p25-gop50", 1920, 1080, "4M");
    private static readonly StreamRecipe SubStream = new("city-360p25-gop50", 640, 360, "1M");

    private sealed record CameraCounts(string State, long Analysed, long Dropped, long Received, string? Recording);

    private static Dictionary<string, CameraCounts> Cameras(JsonElement? list)
    {
        var result = new Dictionary<string, CameraCounts>(StringComparer.Ordinal);
        if (list is not { ValueKind: JsonValueKind.Array } array) return result;
        foreach (var c in array.EnumerateArray())
            result[c.GetProperty("id").GetString()!] = new CameraCounts(c.GetProperty("state").GetString()!, c.GetProperty("framesAnalysed").GetInt64(),
                c.GetProperty("framesDropped").GetInt64(), c.GetProperty("framesReceived").GetInt64(),
                c.TryGetProperty("recording", out var recording) ? recording.GetString() : null);
        return result;
    }

    /// <summary>The cost of the decode alone: a few bare ffmpeg processes pulling the same stream with the same options Vision's ingest uses, CPU measured after their start.</summary>
    private sealed record BareDecode(double CorePercentPerCamera)
    {
        public const int Streams = 4;

        public double CamerasPerNode => Environment.ProcessorCount * 100 / Math.Max(0.01, CorePercentPerCamera);

        public static async Task<BareDecode> MeasureAsync(string root, Sources decoded, StepSettings step)
        {
            string work = Directory.CreateTempSubdirectory("vision-capacity-bare-").FullName;
            using var server = StartServer(root, decoded, 1, work);
            int port = await ReadyPortAsync(server);
            int height = step.MaxWidth * 1080 / 1920 / 2 * 2;
            string fps = step.Fps.ToString("0.######", Inv);
            var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-threads", "1" };
            if (step.Mode == "keyframes") args.AddRange(["-skip_frame", "nokey"]);
            if (step.FastDecode) args.AddRange(["-skip_loop_filter", "nokey"]);
            args.AddRange(["-rtsp_transport", "tcp", "-i", $"rtsp://127.0.0.1:{port}/m0", "-map", "0:v:0", "-an",
                "-vf", $"select='isnan(prev_selected_t)+gte(floor(t*{fps})-floor(prev_selected_t*{fps}),1)',scale={step.MaxWidth}:{height}:flags=bilinear",
                "-fps_mode", "passthrough", "-pix_fmt", "bgr24", "-f", "rawvideo", "-y", "/dev/null"]);
            var decoders = Enumerable.Range(0, Streams).Select(_ => Start("ffmpeg", args, work, null)).ToList();
            try
            {
                // Past the start (probe, first keyframe), which the steady state does not pay.
                await Task.Delay(TimeSpan.FromSeconds(8));
                long t0 = decoders.Sum(d => ProcFs.Ticks(d.Id).Own);
                var clock = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(20));
                long t1 = decoders.Sum(d => ProcFs.Ticks(d.Id).Own);
                return new BareDecode((t1 - t0) / ProcFs.TicksPerSecond / clock.Elapsed.TotalSeconds * 100 / Streams);
            }
            finally
            {
                foreach (var d in decoders) { d.Kill(); d.WaitForExit(5000); d.Dispose(); }
                server.Kill(true);
                server.WaitForExit(5000);
                try { Directory.Delete(work, true); } catch (IOException) { }
            }
        }
    }

    /// <summary>
    /// Re-encodes the shared clip to the recipe's size, H.264 25 fps GOP 50 without B-frames (as IP cameras send), 2 minutes,
    /// then loops that by stream copy to 20 minutes, once. The test server ends a mount's stream at the end of its file, and
    /// every camera of that mount then reconnects at once: with 100 cameras the ramp and the window outlast 2 minutes,
    /// so a short file measured a reconnect storm of the test server's making.
    /// </summary>
    private static async Task<string> PrepareSourceAsync(string clip, StreamRecipe recipe)
    {
        string dir = Path.Combine(Path.GetTempPath(), "vision-capacity-footage");
        Directory.CreateDirectory(dir);
        string looped = Path.Combine(dir, recipe.Name + "-20min.mp4");
        if (File.Exists(looped)) return looped;
        string twoMinutes = Path.Combine(dir, recipe.Name + ".mp4");
        string bufferSize = (int.Parse(recipe.Bitrate.TrimEnd('M'), Inv) * 2).ToString(Inv) + "M";
        if (!File.Exists(twoMinutes))
            await FfmpegAsync(twoMinutes, dir, ["-stream_loop", "8", "-i", clip, "-t", "120", "-an", "-vf", $"scale={recipe.Width}:{recipe.Height},fps=25",
                "-c:v", "libx264", "-preset", "veryfast", "-b:v", recipe.Bitrate, "-maxrate", recipe.Bitrate, "-bufsize", bufferSize, "-bf", "0", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"]);
        // 120 s is 60 whole GOPs: every loop starts on a keyframe.
        await FfmpegAsync(looped, dir, ["-stream_loop", "9", "-i", twoMinutes, "-c", "copy", "-t", "1200"]);
        return looped;
    }

    private static async Task FfmpegAsync(string output, string dir, IEnumerable<string> args)
    {
        string temp = output + ".part.mp4";
        using var ffmpeg = Start("ffmpeg", ["-v", "error", "-y", .. args, temp], dir, null);
        await ffmpeg.WaitForExitAsync();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not prepare {output}: {await ffmpeg.StandardError.ReadToEndAsync()}");
        File.Move(temp, output);
    }

    private static HttpClient OpsClient(int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OpsToken);
        return http;
    }

    private static async Task<JsonElement?> TryGetAsync(HttpClient http, string path)
    {
        try { return await http.GetFromJsonAsync<JsonElement>(path); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException) { return null; }
    }

    private static async Task<int> ReadyPortAsync(Process server)
    {
        var read = server.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))) != read || read.Result is not { } line || !line.StartsWith("READY port=", StringComparison.Ordinal))
            throw new InvalidOperationException("the RTSP test server did not start: " + server.StandardError.ReadToEnd());
        return int.Parse(line["READY port=".Length..], Inv);
    }

    private static Process Start(string file, IEnumerable<string> args, string workDir, Dictionary<string, string>? env)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        var p = Process.Start(info)!;
        if (file == "dotnet")
        {
            // Keep the service's log pipes drained.
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
        }
        return p;
    }
}
