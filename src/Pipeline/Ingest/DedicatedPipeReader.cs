namespace Vision.Pipeline.Ingest;

/// <summary>
/// Reads a child process's stdout on a thread of its own. On Linux, .NET reads a redirected pipe
/// synchronously even through ReadAsync: each pending read parks a thread-pool thread. With a hundred
/// cameras those parked reads (plus the probes of cameras reconnecting) outnumber the pool, and the
/// analysis loop, timers and HTTP wait in the pool's queue behind them: analysis collapses with the CPU
/// idle. A dedicated thread per pipe keeps the pool free whatever the number of cameras.
/// </summary>
internal sealed class DedicatedPipeReader : IDisposable
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _requested = new(0);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Memory<byte> _buffer;
    private int _minimum;
    private TaskCompletionSource<int>? _pending;
    private volatile bool _stopping;

    public DedicatedPipeReader(Stream stream, string name)
    {
        _stream = stream;
        var thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Completes when the reading thread has ended (the pipe closed); after that nothing writes into a caller's buffer.</summary>
    public Task Exited => _exited.Task;

    /// <summary>
    /// Reads at least <paramref name="minimum"/> bytes (fewer only at the end of the pipe). One read at a
    /// time. Cancelling stops the wait, not the read: the caller must end the process and await
    /// <see cref="Exited"/> before it reuses <paramref name="buffer"/>.
    /// </summary>
    public Task<int> ReadAtLeastAsync(Memory<byte> buffer, int minimum, CancellationToken ct)
    {
        if (_pending is { Task.IsCompleted: false }) throw new InvalidOperationException("a read is already in progress");
        if (_exited.Task.IsCompleted) return Task.FromResult(0);
        _buffer = buffer;
        _minimum = minimum;
        var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending = pending;
        _requested.Release();
        return pending.Task.WaitAsync(ct);
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _requested.Wait();
                if (_stopping) return;
                var pending = _pending!;
                try
                {
                    int read = _stream.ReadAtLeast(_buffer.Span, _minimum, throwOnEndOfStream: false);
                    pending.TrySetResult(read);
                    if (read < _minimum) return;
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    pending.TrySetResult(0);
                    return;
                }
            }
        }
        finally
        {
            _buffer = default;
            _exited.TrySetResult();
        }
    }

    /// <summary>Lets an idle thread end; a thread blocked in a read ends when the process's pipe closes.</summary>
    public void Dispose()
    {
        _stopping = true;
        _requested.Release();
    }
}
