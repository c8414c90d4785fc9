using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Vision.TestSupport;

/// <summary>
/// <c>vision run</c> as a real child process on loopback: its HTTP status endpoints, its evidence folder, and a real
/// SIGTERM to stop it. It runs with a fresh ops token (<see cref="OpsToken"/>), which this class's own requests send, as
/// a Prometheus scraper would.
/// </summary>
public sealed class VisionProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private VisionProcess(Process process, string configPath, string workDir, string baseUrl, string opsToken)
    {
        OpsToken = opsToken;
        _process = process;
        ConfigPath = configPath;
        WorkDirectory = workDir;
        BaseUrl = baseUrl;
        // Over https (a test's self-signed certificate) this client checks nothing: it only reads status endpoints.
        _http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        {
            BaseAddress = new Uri(BaseUrl),
            Timeout = TimeSpan.FromSeconds(5),
        };
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", opsToken);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The bearer token for /api/cameras, /api/status and /metrics (VISION_OPS_TOKEN of the process).</summary>
    public string OpsToken { get; }
    public string ConfigPath { get; }
    public string WorkDirectory { get; }
    public string BaseUrl { get; }
    public string EvidenceDirectory => Path.Combine(WorkDirectory, "evidence");
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Writes the config (its evidence and recordings go under a fresh work folder) and starts <c>vision run</c>.</summary>
    /// <param name="untilReady">Wait for /readyz (cameras started, evidence store answering); false waits only for /healthz, for a store that is down on purpose.</param>
    /// <param name="environment">Extra environment variables for the process (S3 credentials; they may replace VISION_OPS_TOKEN).</param>
    /// <param name="https">Listen on https:// (the environment must name a certificate, ASPNETCORE_Kestrel__Certificates__Default__*).</param>
    public static async Task<VisionProcess> StartAsync(string configYaml, bool untilReady = true, IReadOnlyDictionary<string, string>? environment = null, string? workDirectory = null,
        bool https = false)
    {
        string work = workDirectory ?? Directory.CreateTempSubdirectory("vision-live-").FullName;
        string config = Path.Combine(work, "vision.yaml");
        await File.WriteAllTextAsync(config, configYaml.Replace("WORK", work, StringComparison.Ordinal));
        int port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = work,
        };
        string baseUrl = $"{(https ? "https" : "http")}://127.0.0.1:{port}";
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "vision.dll"), "run", "--config", config, "--http", baseUrl })
            info.ArgumentList.Add(arg);
        info.Environment["VISION_MODELS"] = SharedData.ModelsDir;
        string opsToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        info.Environment["VISION_OPS_TOKEN"] = opsToken;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var vision = new VisionProcess(Process.Start(info)!, config, work, baseUrl, opsToken);
        string probe = untilReady ? "/readyz" : "/healthz";
        await vision.WaitUntilAsync(async () => (await vision.TryGetAsync(probe))?.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), $"vision run did not answer {probe}");
        return vision;
    }

    public async Task<List<JsonElement>> CamerasAsync()
    {
        var doc = await _http.GetFromJsonAsync<JsonElement>("/api/cameras");
        return doc.EnumerateArray().ToList();
    }

    public async Task<JsonElement> CameraAsync(string id) =>
        (await CamerasAsync()).FirstOrDefault(c => c.GetProperty("id").GetString() == id);

    public async Task<string> GetStringAsync(string path) => await _http.GetStringAsync(path);

    public async Task<HttpResponseMessage?> TryGetAsync(string path)
    {
        try { return await _http.GetAsync(path); }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }

    public List<JsonElement> Cases()
    {
        string path = Path.Combine(EvidenceDirectory, "cases.jsonl");
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var cases = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) cases.Add(JsonDocument.Parse(line).RootElement.Clone());
        return cases;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with the process output when it does not in time.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited) throw new Xunit.Sdk.XunitException($"{what}: vision exited with {_process.ExitCode}\n{Output}");
            return await condition();
        }, timeout, what, TimeSpan.FromMilliseconds(250), () => $"--- vision output ---\n{Tail(Output, 4000)}");

    /// <summary>SIGKILL: no clean-up at all, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM and waits for the process to exit; returns how long that took.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill!.WaitForExit();
        using var wait = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(wait.Token); }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException($"vision did not stop within {timeout.TotalSeconds:0} s of SIGTERM\n{Tail(Output, 4000)}"); }
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
            catch (InvalidOperationException) { }
        }
        _http.Dispose();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];
}
