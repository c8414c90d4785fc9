using System.Diagnostics;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// One child started through <see cref="ChildProcesses"/>. Disposing it kills what is left of its tree, waits for it to
/// exit, and takes it off the registry.
/// </summary>
internal sealed class ToolProcess : IDisposable, IAsyncDisposable
{
    private readonly ChildProcesses _owner;
    private int _disposed;

    internal ToolProcess(Process process, ChildProcesses owner)
    {
        Process = process;
        Id = process.Id;
        _owner = owner;
    }

    /// <summary>The process, for its pipes, exit code and CPU time.</summary>
    public Process Process { get; }

    /// <summary>Its process id (still known after it exited).</summary>
    public int Id { get; }

    /// <summary>SIGKILL to the process and every descendant, if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or AggregateException)
        {
            // Exited (or disposed) in between.
        }
    }

    internal async Task WaitForExitAsync(TimeSpan wait)
    {
        using var limit = new CancellationTokenSource(wait);
        try { await Process.WaitForExitAsync(limit.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            // Stuck past the wait, or disposed by its owner meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Kill();
        await WaitForExitAsync(ChildProcesses.ExitWait).ConfigureAwait(false);
        _owner.Forget(this);
        Process.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Kill();
        try { Process.WaitForExit(ChildProcesses.ExitWait); }
        catch (InvalidOperationException) { }
        _owner.Forget(this);
        Process.Dispose();
    }
}
