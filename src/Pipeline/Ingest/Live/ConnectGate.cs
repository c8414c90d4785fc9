namespace Vision.Pipeline.Ingest;

/// <summary>
/// How many cameras of the node may be connecting at once (probe, then ffmpeg until its first frame).
/// Opening a stream costs far more than keeping it: ffprobe and ffmpeg each read and decode seconds of
/// it to learn its format. A hundred cameras starting together (node start, or a server coming back)
/// made every probe miss its timeout, so every camera retried, and the storm never ended: the node sat
/// half idle with no camera online. Queued cameras connect in turn, so start-up is a ramp.
/// </summary>
internal sealed class ConnectGate(int concurrent)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, concurrent));
    private int _waiting;

    /// <summary>The default: four connects per core keep the cores busy without starving the cameras already streaming.</summary>
    public static ConnectGate ForThisMachine() => new(Environment.ProcessorCount * 4);

    /// <summary>Cameras waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for a slot; dispose the result when the camera is streaming, or has failed.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _waiting);
        try { await _slots.WaitAsync(ct).ConfigureAwait(false); }
        finally { Interlocked.Decrement(ref _waiting); }
        return new Slot(_slots);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
