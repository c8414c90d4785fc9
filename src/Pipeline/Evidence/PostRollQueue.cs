namespace Vision.Pipeline.Evidence;

/// <summary>
/// Cases waiting for their post-roll to be recorded before the clip is cut. Waiting holds no worker: one loop sleeps
/// until the earliest case is due and hands it on. Bounded: a case that finds the queue full is due at once (its clip
/// ends where the recording is, rather than the analysis waiting).
/// </summary>
internal sealed class PostRollQueue(TimeProvider clock, int capacity = PostRollQueue.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private readonly object _gate = new();
    private readonly PriorityQueue<CaseProgress, (DateTimeOffset Due, long Order)> _waiting = new();
    private long _order;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count { get { lock (_gate) return _waiting.Count; } }

    public void Add(CaseProgress started, DateTimeOffset due)
    {
        lock (_gate)
        {
            if (_waiting.Count >= capacity) due = DateTimeOffset.MinValue;
            _waiting.Enqueue(started, (due, _order++));
            _changed.TrySetResult();
        }
    }

    /// <summary>
    /// The next case whose post-roll is due, waiting for it; null once the queue is empty and <paramref name="finished"/>
    /// says no more cases come. While <paramref name="hurry"/> says so (a stop past its grace), every case left is
    /// handed out at once.
    /// </summary>
    public async Task<CaseProgress?> NextAsync(Func<bool> finished, Func<bool> hurry)
    {
        while (true)
        {
            Task changed;
            TimeSpan wait;
            lock (_gate)
            {
                if (_waiting.TryPeek(out var next, out var key) && (hurry() || key.Due <= clock.GetUtcNow()))
                {
                    _waiting.Dequeue();
                    return next;
                }
                if (_waiting.Count == 0 && finished()) return null;
                if (_changed.Task.IsCompleted) _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _changed.Task;
                wait = _waiting.Count == 0 ? MaxWait : key.Due - clock.GetUtcNow();
            }
            // Never longer than MaxWait, so a stop is seen soon.
            wait = wait > MaxWait ? MaxWait : wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            using var waitOver = new CancellationTokenSource();
            await Task.WhenAny(changed, Task.Delay(wait, clock, waitOver.Token)).ConfigureAwait(false);
            await waitOver.CancelAsync().ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(500);
}
