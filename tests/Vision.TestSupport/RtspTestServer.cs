using System.Diagnostics;

namespace Vision.TestSupport;

/// <summary>
/// A live RTSP "camera" for tests: scripts/rtsp-test-server.py (GStreamer's RTSP server) as a child process, serving
/// mp4 files (H.264 or H.265, stream copy, one shared pipeline per mount) on 127.0.0.1, optionally behind basic auth.
/// A mount's pipeline starts with its first client and stops when its last leaves; a late joiner gets the stream where
/// it is (not rewound), from the next keyframe. Serve files from <see cref="TestFootage.PrepareAsync"/>: no B-frames,
/// fixed GOP, long enough (a file's end is EOS to its clients).
/// </summary>
public sealed class RtspTestServer : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    // The script probes each file (ffprobe, ~0.1 s) before it listens; a busy machine makes that slower.
    private static TimeSpan ReadyTimeout(int mounts) => TimeSpan.FromSeconds(30 + 0.5 * mounts);
    private static readonly Lazy<string?> Unavailable = new(FindUnavailableReason);

    private readonly Dictionary<string, string> _mounts;
    private readonly ReadyLineServer _server;

    private RtspTestServer(Dictionary<string, string> mounts, string? user, string? password, ReadyLineServer server)
    {
        _mounts = mounts;
        User = user;
        Password = password;
        _server = server;
    }

    /// <summary>The script this class runs.</summary>
    public static string ScriptPath => Path.Combine(SharedData.ProjectRoot, "scripts", "rtsp-test-server.py");

    /// <summary>Null when /usr/bin/python3 can import gi and GstRtspServer (with the demuxers, parsers and payloaders used); otherwise why not.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>The TCP port, fixed for the server's life (kept across <see cref="RestartAsync"/>).</summary>
    public int Port => _server.Port;

    public string? User { get; }

    public string? Password { get; }

    /// <summary>Mount name → served file.</summary>
    public IReadOnlyDictionary<string, string> Mounts => _mounts;

    /// <summary>True while the server process runs (false after <see cref="StopAsync"/> until <see cref="RestartAsync"/>).</summary>
    public bool IsRunning => _server.IsRunning;

    /// <summary>What the script wrote to stderr (this run).</summary>
    public string StandardError => _server.StandardError;

    /// <summary>rtsp://[user:password@]127.0.0.1:port/mount (credentials URL-escaped; only when the server has them and <paramref name="withCredentials"/>).</summary>
    public string Url(string mount, bool withCredentials = true)
    {
        string auth = withCredentials && User is not null ? $"{Uri.EscapeDataString(User)}:{Uri.EscapeDataString(Password ?? "")}@" : "";
        return $"rtsp://{auth}127.0.0.1:{Port}/{mount.TrimStart('/')}";
    }

    /// <summary>Starts the server and waits for it to listen. <paramref name="port"/> 0 picks a free port.</summary>
    /// <exception cref="InvalidOperationException">the script failed or did not get ready in time; the message holds its stderr</exception>
    public static async Task<RtspTestServer> StartAsync(IReadOnlyDictionary<string, string> mounts, string? user = null, string? password = null, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        if (mounts.Count == 0) throw new ArgumentException("at least one mount is needed", nameof(mounts));
        if ((user is null) != (password is null)) throw new ArgumentException("user and password go together");
        foreach (var (name, path) in mounts)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('=', StringComparison.Ordinal)) throw new ArgumentException($"bad mount name '{name}'", nameof(mounts));
            if (!File.Exists(path)) throw new FileNotFoundException($"mount {name}: no such file", path);
        }
        var copy = new Dictionary<string, string>(mounts, StringComparer.Ordinal);
        var server = await ReadyLineServer.StartAsync("rtsp-test-server.py", p => StartInfo(copy, user, password, p), port, ReadyTimeout(copy.Count));
        return new RtspTestServer(copy, user, password, server);
    }

    /// <summary>Kills the server (as a camera losing power: connections drop) and waits for it to exit. Idempotent.</summary>
    public Task StopAsync() => _server.StopAsync();

    /// <summary>Stops the server if running and starts it again on the same port, retrying the bind for a few seconds.</summary>
    public Task RestartAsync() => _server.RestartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>The script serving <paramref name="mounts"/> on <paramref name="port"/> (0: any).</summary>
    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> mounts, string? user, string? password, int port)
    {
        var startInfo = new ProcessStartInfo(Python);
        startInfo.ArgumentList.Add(ScriptPath);
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        startInfo.ArgumentList.Add("--exit-with-stdin");
        foreach (var (name, path) in mounts)
        {
            startInfo.ArgumentList.Add("--mount");
            startInfo.ArgumentList.Add($"{name}={Path.GetFullPath(path)}");
        }
        if (user is not null)
        {
            startInfo.ArgumentList.Add("--user");
            startInfo.ArgumentList.Add(user);
            startInfo.ArgumentList.Add("--password");
            startInfo.ArgumentList.Add(password!);
        }
        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        return startInfo;
    }

    private static string? FindUnavailableReason()
    {
        const string install = "run scripts/install-test-servers.sh";
        if (!File.Exists(Python)) return $"needs {Python} with GStreamer's RTSP server: {install}";
        string script;
        try
        {
            script = ScriptPath;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        if (!File.Exists(script)) return "missing " + script;
        const string check = """
            import gi
            gi.require_version("Gst", "1.0")
            gi.require_version("GstRtspServer", "1.0")
            from gi.repository import Gst, GstRtspServer
            Gst.init(None)
            missing = [e for e in ("filesrc", "qtdemux", "h264parse", "h265parse", "rtph264pay", "rtph265pay") if Gst.ElementFactory.find(e) is None]
            print("missing GStreamer elements: " + " ".join(missing) if missing else "ok")
            """;
        try
        {
            var run = ChildProcess.RunAsync(Python, ["-c", check], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (!run.Succeeded)
            {
                string last = run.StdErr.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
                return $"{Python} cannot load GStreamer's RTSP server ({last}): {install}";
            }
            if (run.StdOut.Trim() != "ok") return $"{run.StdOut.Trim()}: {install}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"cannot run {Python}: {e.Message}";
        }
        if (!ChildProcess.OnPath("ffmpeg") || !ChildProcess.OnPath("ffprobe")) return "needs ffmpeg and ffprobe on PATH: run scripts/install-deps.sh";
        return null;
    }
}

/// <summary>A fact that needs the RTSP test server (GStreamer via /usr/bin/python3, ffmpeg) and ../shared footage; skipped, saying why, without them.</summary>
public sealed class RtspFactAttribute : FactAttribute
{
    public RtspFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
        else if (RtspTestServer.UnavailableReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs the RTSP test server and ../shared footage; skipped, saying why, without them.</summary>
public sealed class RtspTheoryAttribute : TheoryAttribute
{
    public RtspTheoryAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
        else if (RtspTestServer.UnavailableReason is { } reason) Skip = reason;
    }
}
