using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Vision.Capacity;

/// <summary>
/// How many cameras one node carries. Serves a 1080p H.264 25 fps GOP-50 clip from the local RTSP test
/// server to N cameras of a real <c>vision run</c>, lets it settle, then measures over a window:
/// frames analysed per camera against the target rate, frames dropped, CPU of vision and of its ffmpeg
/// decoders, and memory. A step is "sustained" when every camera gets ≥ 90 % of its target analysis
/// rate, drops stay under 5 %, and every camera stays online.
/// Usage: dotnet run -c Release --project bench/Vision.Capacity -- --mode keyframes|full --cameras 25,50,100 [--seconds 40] [--max-width 1280]
/// </summary>
public static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        string mode = Arg(args, "--mode", "keyframes");
        var counts = Arg(args, "--cameras", mode == "keyframes" ? "25,50,100" : "8,16,24").Split(',').Select(int.Parse).ToList();
        int seconds = int.Parse(Arg(args, "--seconds", "40"), Inv);
        int maxWidth = int.Parse(Arg(args, "--max-width", "1280"), Inv);
        bool fastDecode = args.Contains("--fast-decode");
        string root = FindRoot();
        string shared = Environment.GetEnvironmentVariable("VISION_SHARED") ?? Path.Combine(root, "..", "shared");
        string vision = Path.Combine(root, "src", "Pipeline", "bin", "Release", "net10.0", "vision.dll");
        if (!File.Exists(vision)) { Console.Error.WriteLine($"build first: dotnet build src/Pipeline -c Release ({vision} missing)"); return 2; }
        if (!File.Exists(Path.Combine(shared, "models", "yolox_nano.onnx"))) { Console.Error.WriteLine($"needs ../shared (model and footage) at {shared}"); return 2; }

        string source = await PrepareSourceAsync(Path.Combine(shared, "footage", "city-traffic.mp4"));
        double fps = mode == "keyframes" ? 0.5 : 2;
        Console.WriteLine($"capacity: mode {mode} ({(mode == "keyframes" ? "keyframes only, 0.5 fps" : "full decode, 2 fps")}), source {Path.GetFileName(source)} (1920x1080 H.264 25 fps GOP 50), window {seconds} s, analysis frames at most {maxWidth} px wide{(fastDecode ? ", fast_decode" : "")}, {Environment.ProcessorCount} cores");
        Console.WriteLine("| cameras | analysed fps/camera (min / mean, target) | dropped | vision CPU | ffmpeg CPU | total CPU (of 200 %) | vision RSS | ffmpeg PSS / camera | sustained |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (int n in counts)
        {
            var row = await MeasureAsync(root, shared, vision, source, mode, fps, n, seconds, maxWidth, fastDecode);
            Console.WriteLine(row);
        }
        return 0;
    }

    private static async Task<string> MeasureAsync(string root, string shared, string vision, string source, string mode, double fps, int cameras, int seconds, int maxWidth, bool fastDecode)
    {
        string work = Directory.CreateTempSubdirectory("vision-capacity-").FullName;
        int mounts = Math.Max(1, (cameras + 9) / 10);
        var serverArgs = new List<string> { Path.Combine(root, "scripts", "rtsp-test-server.py"), "--port", "0" };
        for (int m = 0; m < mounts; m++) serverArgs.AddRange(["--mount", $"m{m}={source}"]);
        using var server = Start("/usr/bin/python3", serverArgs, work, null);
        int port = await ReadyPortAsync(server);

        var yaml = new StringBuilder($"detector: {{ model: yolox_nano }}\nevidence: {{ directory: {work}/evidence }}\nrecording: {{ directory: {work}/recordings, keep: 20s }}\ncameras:\n");
        for (int i = 0; i < cameras; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - id: cam{i:000}\n    source: rtsp://127.0.0.1:{port}/m{i % mounts}\n");
            yaml.Append(CultureInfo.InvariantCulture, $"    analysis: {{ fps: {fps}, max_width: {maxWidth}, decode: {(mode == "keyframes" ? "keyframes" : "all")}, fast_decode: {(fastDecode ? "true" : "false")} }}\n");
            yaml.Append("    zones: [{ id: lanes, polygon: [[0.15, 0.45], [0.62, 0.45], [0.72, 1.0], [0.18, 1.0]] }]\n");
            yaml.Append("    rules: [{ id: p" + i.ToString(Inv) + ", type: illegal_parking, zones: [lanes], dwell: 3m }]\n");
        }
        string config = Path.Combine(work, "vision.yaml");
        await File.WriteAllTextAsync(config, yaml.ToString());
        int httpPort = FreePort();
        // /api/cameras needs an admin session or the ops token: the benchmark reads it as a scraper would.
        string opsToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        using var service = Start("dotnet", [vision, "run", "--config", config, "--http", $"http://127.0.0.1:{httpPort}"], work,
            new Dictionary<string, string> { ["VISION_MODELS"] = Path.Combine(shared, "models"), ["VISION_OPS_TOKEN"] = opsToken });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", opsToken);
        try
        {
            // Settle: every camera online and a few seconds of steady state.
            var settleUntil = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (DateTime.UtcNow < settleUntil)
            {
                var cams = await TryCamerasAsync(http);
                if (cams is not null && cams.Count == cameras && cams.All(c => c.GetProperty("state").GetString() == "online")) break;
                await Task.Delay(1000);
            }
            await Task.Delay(TimeSpan.FromSeconds(10));

            var before = await TryCamerasAsync(http) ?? [];
            var cpu0 = Cpu(service.Id);
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var after = await TryCamerasAsync(http) ?? [];
            var cpu1 = Cpu(service.Id);
            double elapsed = clock.Elapsed.TotalSeconds;

            var rates = new List<double>();
            long droppedDelta = 0, receivedDelta = 0;
            int online = 0;
            foreach (var a in after)
            {
                string id = a.GetProperty("id").GetString()!;
                var b = before.FirstOrDefault(x => x.GetProperty("id").GetString() == id);
                if (b.ValueKind != JsonValueKind.Object) continue;
                rates.Add((a.GetProperty("framesAnalysed").GetInt64() - b.GetProperty("framesAnalysed").GetInt64()) / elapsed);
                droppedDelta += a.GetProperty("framesDropped").GetInt64() - b.GetProperty("framesDropped").GetInt64();
                receivedDelta += a.GetProperty("framesReceived").GetInt64() - b.GetProperty("framesReceived").GetInt64();
                if (a.GetProperty("state").GetString() == "online") online++;
            }
            double ticks = 100.0; // USER_HZ
            double visionCpu = (cpu1.VisionTicks - cpu0.VisionTicks) / ticks / elapsed * 100;
            double ffmpegCpu = (cpu1.ChildTicks - cpu0.ChildTicks) / ticks / elapsed * 100;
            double minRate = rates.Count == 0 ? 0 : rates.Min(), meanRate = rates.Count == 0 ? 0 : rates.Average();
            double dropShare = receivedDelta == 0 ? 1 : (double)droppedDelta / receivedDelta;
            bool sustained = rates.Count == cameras && online == cameras && minRate >= 0.9 * fps && dropShare < 0.05;
            return string.Create(Inv, $"| {cameras} | {minRate:0.00} / {meanRate:0.00} ({fps}) | {dropShare:P1} | {visionCpu:0} % | {ffmpegCpu:0} % | {visionCpu + ffmpegCpu:0} % | {cpu1.VisionRssMb:0} MB | {cpu1.ChildRssMb / Math.Max(1, cpu1.Children):0.0} MB | {(sustained ? "yes" : "no")} |");
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

    /// <summary>Re-encodes the shared clip to 1080p H.264 25 fps GOP 50 without B-frames (as IP cameras send), looped to 2 minutes, once.</summary>
    private static async Task<string> PrepareSourceAsync(string clip)
    {
        string dir = Path.Combine(Path.GetTempPath(), "vision-capacity-footage");
        Directory.CreateDirectory(dir);
        string output = Path.Combine(dir, "city-1080p25-gop50.mp4");
        if (File.Exists(output)) return output;
        string temp = output + ".part.mp4";
        using var ffmpeg = Start("ffmpeg", ["-v", "error", "-y", "-stream_loop", "8", "-i", clip, "-t", "120", "-an", "-vf", "scale=1920:1080,fps=25",
            "-c:v", "libx264", "-preset", "veryfast", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-bf", "0", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", temp], dir, null);
        await ffmpeg.WaitForExitAsync();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException("ffmpeg could not prepare the 1080p source");
        File.Move(temp, output);
        return output;
    }

    private sealed record CpuSample(long VisionTicks, long ChildTicks, double VisionRssMb, double ChildRssMb, int Children);

    /// <summary>CPU ticks and RSS of the vision process and of its ffmpeg children, from /proc.</summary>
    private static CpuSample Cpu(int pid)
    {
        long visionTicks = Ticks(pid);
        double visionRss = RssMb(pid);
        long childTicks = 0;
        double childRss = 0;
        int children = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int child)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], Inv) != pid) continue;
                childTicks += long.Parse(fields[11], Inv) + long.Parse(fields[12], Inv);
                childRss += PssMb(child);
                children++;
            }
            catch (IOException) { }
        }
        return new CpuSample(visionTicks, childTicks, visionRss, childRss, children);
    }

    private static long Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], Inv) + long.Parse(fields[12], Inv);
    }

    /// <summary>Proportional set size: shared libraries split between the processes that map them, so the sum is real memory.</summary>
    private static double PssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024.0;
        return 0;
    }

    private static double RssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024.0;
        return 0;
    }

    private static async Task<List<JsonElement>?> TryCamerasAsync(HttpClient http)
    {
        try { return (await http.GetFromJsonAsync<JsonElement>("/api/cameras")).EnumerateArray().ToList(); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
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

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(Inv)]);
        kill?.WaitForExit();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vision.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run from inside the Vision checkout");
    }
}
