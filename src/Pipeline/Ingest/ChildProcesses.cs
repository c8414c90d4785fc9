using System.Diagnostics;
using System.Globalization;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// Every child process (ffmpeg, ffprobe) a service or a run starts, so that none outlives it. <see cref="Start"/>
/// refuses once the caller's token is cancelled or this is stopped, checked under the lock the start and
/// <see cref="StopAsync"/> share: a stop cannot slip between the check and the start (a reconnect due at the moment of a
/// stop once started an ffmpeg that outlived <c>vision run</c>). Stopping kills each child still running with its whole
/// tree by SIGKILL (ffmpeg blocked on a vanished stream may ignore SIGTERM) and waits until it is gone.
/// </summary>
internal sealed class ChildProcesses : IAsyncDisposable
{
    /// <summary>How long a killed child is waited for (SIGKILL takes effect at once unless it is stuck in the kernel, e.g. on a dead NFS mount).</summary>
    public static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly HashSet<ToolProcess> _running = [];
    private bool _stopped;
    private long _started;

    /// <summary>Children started and not yet disposed.</summary>
    public int Count
    {
        get { lock (_gate) return _running.Count; }
    }

    /// <summary>Children started since this was made (for tests and diagnostics).</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>The process ids of the children running now.</summary>
    public IReadOnlyList<int> Ids()
    {
        lock (_gate) return _running.Select(c => c.Id).ToList();
    }

    /// <summary>Starts <paramref name="info"/> as a child registered here.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> is cancelled or this is stopped: nothing was started.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The tool is not installed.</exception>
    public ToolProcess Start(ProcessStartInfo info, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_gate)
        {
            ct.ThrowIfCancellationRequested();
            if (_stopped) throw new OperationCanceledException($"stopping: {info.FileName} was not started");
            var process = Process.Start(info) ?? throw new IOException($"{info.FileName} did not start");
            var child = new ToolProcess(process, this);
            _running.Add(child);
            _started++;
            return child;
        }
    }

    internal void Forget(ToolProcess child)
    {
        lock (_gate) _running.Remove(child);
    }

    /// <summary>Refuses every later start, kills each child still running (whole tree) and waits for it; returns how many were running.</summary>
    public async Task<int> StopAsync()
    {
        ToolProcess[] left;
        lock (_gate)
        {
            _stopped = true;
            left = [.. _running];
        }
        foreach (var child in left) child.Kill();
        await Task.WhenAll(left.Select(c => c.WaitForExitAsync(ExitWait))).ConfigureAwait(false);
        return left.Length;
    }

    /// <summary>
    /// Kills (with their trees) the children of this OS process that were not started here: the ffprobe runs FFMpegCore
    /// makes for probes. Only for a host at its very end, where no child of the process may be left; returns how many.
    /// </summary>
    public int KillUnregistered()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        HashSet<int> registered;
        lock (_gate) registered = [.. _running.Select(c => c.Id)];
        int killed = 0;
        foreach (int pid in ChildIdsOf(Environment.ProcessId))
        {
            if (registered.Contains(pid)) continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(ExitWait);
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or AggregateException)
            {
                // Gone already.
            }
        }
        return killed;
    }

    /// <summary>The ids of the processes whose parent is <paramref name="parent"/>, from /proc/PID/stat.</summary>
    public static IReadOnlyList<int> ChildIdsOf(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so the fields count from the last ')'.
            var fields = stat.AsSpan(stat.LastIndexOf(')') + 2);
            int space = fields.IndexOf(' ');
            if (space < 0) continue;
            fields = fields[(space + 1)..];
            space = fields.IndexOf(' ');
            if (space > 0 && int.TryParse(fields[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int ppid) && ppid == parent)
                children.Add(pid);
        }
        return children;
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
