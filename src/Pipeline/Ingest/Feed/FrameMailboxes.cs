using Vision.Pipeline.Detect;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// The live frame feed: one slot per camera holding that camera's newest frame. A newer frame replaces
/// an unanalysed older one (latest frame wins; the replaced one is counted as dropped), so a slow
/// detector makes every camera skip frames rather than fall behind, and memory never grows. Batches
/// take cameras round-robin so no camera starves another.
/// </summary>
internal sealed class FrameMailboxes(TimeProvider clock) : IFrameFeed
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Slot> _byCamera = new(StringComparer.Ordinal);
    private readonly List<Slot> _order = new();
    private readonly SemaphoreSlim _filled = new(0);
    private int _next;

    /// <summary>Frames waiting to be analysed (at most one per camera).</summary>
    public int Depth
    {
        get { lock (_gate) { int n = 0; foreach (var s in _order) if (s.Frame is not null) n++; return n; } }
    }

    public void Add(string cameraId, CameraHealth health)
    {
        lock (_gate)
        {
            if (_byCamera.ContainsKey(cameraId)) return;
            var slot = new Slot(health);
            _byCamera.Add(cameraId, slot);
            _order.Add(slot);
        }
    }

    public void Remove(string cameraId)
    {
        lock (_gate)
        {
            if (!_byCamera.Remove(cameraId, out var slot)) return;
            _order.Remove(slot);
            if (slot.Frame is { } frame)
            {
                slot.Frame = null;
                frame.Release();
                _filled.Wait(0);
            }
        }
    }

    /// <summary>Offers a camera's newest frame; an older one still waiting is released and counted as dropped.</summary>
    public void Post(AnalysisFrame frame)
    {
        AnalysisFrame? replaced = null;
        lock (_gate)
        {
            if (!_byCamera.TryGetValue(frame.CameraId, out var slot))
            {
                replaced = frame;
            }
            else
            {
                replaced = slot.Frame;
                slot.Frame = frame;
                if (replaced is null) _filled.Release();
                else slot.Health.FrameDropped();
            }
        }
        replaced?.Release();
    }

    public async ValueTask<int> ReadBatchAsync(AnalysisFrame[] batch, TimeSpan maxWait, CancellationToken ct)
    {
        int count = 0;
        while (count == 0)
        {
            // A camera removed between the wait and the take leaves nothing to take: wait again, never
            // return 0, which would end the feed for every camera.
            await _filled.WaitAsync(ct).ConfigureAwait(false);
            count = TakeOne(batch, 0);
        }
        while (count < batch.Length && _filled.Wait(0)) count = TakeOne(batch, count);

        if (count < batch.Length && maxWait > TimeSpan.Zero)
        {
            // Only an idle detector gets here (a busy one fills its batch at once), so these two small objects are not per frame.
            using var waited = new CancellationTokenSource(maxWait, clock);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, waited.Token);
            while (count < batch.Length)
            {
                try { await _filled.WaitAsync(either.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { break; }
                count = TakeOne(batch, count);
            }
        }
        return count;
    }

    /// <summary>Takes the next waiting frame in round-robin order; the caller has already consumed one count of <see cref="_filled"/>.</summary>
    private int TakeOne(AnalysisFrame[] batch, int count)
    {
        lock (_gate)
        {
            for (int i = 0; i < _order.Count; i++)
            {
                var slot = _order[(_next + i) % _order.Count];
                if (slot.Frame is null) continue;
                batch[count] = slot.Frame;
                slot.Frame = null;
                _next = (_next + i + 1) % Math.Max(1, _order.Count);
                return count + 1;
            }
        }
        return count;
    }

    private sealed class Slot(CameraHealth health)
    {
        public CameraHealth Health { get; } = health;
        public AnalysisFrame? Frame { get; set; }
    }
}
