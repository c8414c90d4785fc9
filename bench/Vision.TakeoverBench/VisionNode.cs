using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Vision.TakeoverBench;

/// <summary>The state of one camera as a node's <c>GET /api/cameras</c> lists it.</summary>
public sealed record CameraState(string Id, string State);

/// <summary>
/// One <c>vision run</c> node of the cluster as a child process on loopback: started, SIGKILLed and started again with
/// the same node id, config and work folder. Its output goes to <c>{id}.log</c> beside the work folder, appended across
/// restarts.
/// </summary>
public sealed class VisionNode : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly string _visionDll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StreamWriter _log;
    private Process? _process;
    private bool _killed;
    private HttpClient? _http;

    /// <param name="environment">VISION_MODELS, VISION_OPS_TOKEN, VISION_DATABASE_URL; the node's VISION_NODE_ID is added.</param>
    public VisionNode(string id, string visionDll, string configPath, string workDirectory, IReadOnlyDictionary<string, string> environment)
    {
        Id = id;
        _visionDll = visionDll;
        ConfigPath = configPath;
        WorkDirectory = workDirectory;
        _environment = environment;
        LogPath = Path.Combine(Path.GetDirectoryName(workDirectory)!, id + ".log");
        _log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
    }

    public string Id { get; }
    public string ConfigPath { get; }
    public string WorkDirectory { get; }
    public string LogPath { get; }

    /// <summary>Running: started and neither killed nor exited.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Exited without being killed by <see cref="KillAsync"/>.</summary>
    public bool HasCrashed => _process is { HasExited: true } && !_killed;

    /// <summary>Starts <c>vision run</c> on a free port and waits for its /readyz.</summary>
    /// <exception cref="InvalidOperationException">it exited or did not answer in time; the message ends with its log</exception>
    public async Task StartAsync(CancellationToken ct)
    {
        if (IsRunning) throw new InvalidOperationException($"node {Id} is already running");
        _http?.Dispose();
        _process?.Dispose();
        string baseUrl = "http://127.0.0.1:" + FreePort().ToString(CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = WorkDirectory };
        foreach (var arg in new[] { _visionDll, "run", "--config", ConfigPath, "--http", baseUrl }) info.ArgumentList.Add(arg);
        foreach (var (name, value) in _environment) info.Environment[name] = value;
        info.Environment["VISION_NODE_ID"] = Id;
        lock (_log) _log.WriteLine($"=== bench: starting node {Id} on {baseUrl} at {DateTimeOffset.UtcNow:O}");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _killed = false;
        _http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(2) };
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _environment["VISION_OPS_TOKEN"]);

        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"node {Id} exited with code {process.ExitCode} while starting; its log, {LogPath}:\n{LogTail()}");
            if (await IsReadyAsync(ct)) return;
            await Task.Delay(250, ct);
        }
        throw new InvalidOperationException($"node {Id} did not answer /readyz within {ReadyTimeout.TotalSeconds:0} s; its log, {LogPath}:\n{LogTail()}");
    }

    /// <summary>SIGKILL: no clean-up at all, as in a power cut or an OOM kill. Its ffmpeg children die on their broken pipes.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _killed = true;
        lock (_log) _log.WriteLine($"=== bench: SIGKILL node {Id} at {DateTimeOffset.UtcNow:O}");
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>The node's cameras (only its own are listed); empty when it does not answer (killed, busy past 2 s).</summary>
    public async Task<IReadOnlyList<CameraState>> CamerasAsync(CancellationToken ct)
    {
        if (_http is null || !IsRunning) return [];
        try
        {
            var cameras = await _http.GetFromJsonAsync<JsonElement>("/api/cameras", ct);
            return cameras.EnumerateArray().Select(c => new CameraState(c.GetProperty("id").GetString()!, c.GetProperty("state").GetString()!)).ToList();
        }
        catch (Exception e) when ((e is HttpRequestException or TaskCanceledException or JsonException) && !ct.IsCancellationRequested)
        {
            return [];
        }
    }

    /// <summary>The last lines of the node's log, for a failure's message.</summary>
    public string LogTail(int chars = 3000)
    {
        lock (_log) _log.Flush();
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        return text.Length <= chars ? text : text[^chars..];
    }

    /// <summary>SIGTERM (the node hands its cameras over and stops), then SIGKILL after 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) term?.WaitForExit();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); }
        }
        _process?.Dispose();
        _http?.Dispose();
        lock (_log) _log.Dispose();
    }

    private async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await _http!.GetAsync("/readyz", ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
