using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.LiveUnits;

public sealed class FrameMailboxesTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<FramePool> _pools = new();
    private readonly Dictionary<string, CameraHealth> _health = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FrameMailboxes _mailboxes;

    public FrameMailboxesTests() => _mailboxes = new FrameMailboxes(_time);

    public void Dispose()
    {
        foreach (var pool in _pools) pool.Dispose();
    }

    /// <summary>Registers a camera with the mailboxes and gives it a tiny pool of 2×2 frames.</summary>
    private FramePool Camera(string id, int frames = 2)
    {
        var pool = new FramePool(id, 2, 2, frames);
        _pools.Add(pool);
        var health = new CameraHealth(id, id, $"rtsp://10.0.0.1/{id}", TimeProvider.System);
        _health[id] = health;
        _mailboxes.Add(id, health);
        return pool;
    }

    private static AnalysisFrame Rent(FramePool pool, long sequence)
    {
        Assert.True(pool.TryRent(out var frame), $"camera {pool.CameraId} has no free frame");
        frame.Sequence = sequence;
        return frame;
    }

    private static int FreeFrames(FramePool pool)
    {
        var rented = new List<AnalysisFrame>();
        while (pool.TryRent(out var frame)) rented.Add(frame);
        foreach (var frame in rented) frame.Release();
        return rented.Count;
    }

    private async Task<AnalysisFrame[]> ReadAsync(int batchSize, TimeSpan maxWait = default)
    {
        using var cts = new CancellationTokenSource(Patience);
        var batch = new AnalysisFrame[batchSize];
        int count = await _mailboxes.ReadBatchAsync(batch, maxWait, cts.Token);
        return batch[..count];
    }

    [Fact]
    public async Task Newer_frame_replaces_a_waiting_one_which_returns_to_its_pool_and_counts_as_dropped()
    {
        var pool = Camera("cam-a");
        _mailboxes.Post(Rent(pool, 1));
        _mailboxes.Post(Rent(pool, 2));

        Assert.Equal(1, FreeFrames(pool));
        Assert.Equal(1, _mailboxes.Depth);
        Assert.Equal(1, _health["cam-a"].Snapshot().FramesDropped);

        var read = Assert.Single(await ReadAsync(4));
        Assert.Equal(2, read.Sequence);
    }

    [Fact]
    public void Depth_counts_at_most_one_waiting_frame_per_camera()
    {
        var a = Camera("cam-a", frames: 4);
        var b = Camera("cam-b", frames: 4);
        Camera("cam-c");

        for (int i = 0; i < 3; i++) _mailboxes.Post(Rent(a, i));
        _mailboxes.Post(Rent(b, 0));

        Assert.Equal(2, _mailboxes.Depth);
        Assert.Equal(2, _health["cam-a"].Snapshot().FramesDropped);
        Assert.Equal(0, _health["cam-b"].Snapshot().FramesDropped);
    }

    [Fact]
    public async Task One_read_gathers_the_waiting_frame_of_every_camera()
    {
        var pools = new[] { Camera("cam-a"), Camera("cam-b"), Camera("cam-c") };
        foreach (var pool in pools) _mailboxes.Post(Rent(pool, 1));

        var batch = await ReadAsync(8);

        Assert.Equal(["cam-a", "cam-b", "cam-c"], batch.Select(f => f.CameraId).Order());
        Assert.Equal(0, _mailboxes.Depth);
    }

    [Fact]
    public async Task Batches_take_cameras_round_robin_so_a_fast_camera_does_not_starve_the_others()
    {
        var a = Camera("cam-a", frames: 8);
        var b = Camera("cam-b");
        var c = Camera("cam-c");
        _mailboxes.Post(Rent(a, 1));
        _mailboxes.Post(Rent(b, 1));
        _mailboxes.Post(Rent(c, 1));

        var order = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var frame = Assert.Single(await ReadAsync(1));
            order.Add(frame.CameraId);
            frame.Release();
            _mailboxes.Post(Rent(a, i + 2)); // cam-a always has a fresh frame waiting
        }

        Assert.Equal(["cam-a", "cam-b", "cam-c"], order);
    }

    [Fact]
    public async Task Read_waits_until_a_frame_is_posted()
    {
        var pool = Camera("cam-a");

        var read = ReadAsync(4);
        await Task.Delay(50); // on purpose: nothing is read within this time
        Assert.False(read.IsCompleted);

        _mailboxes.Post(Rent(pool, 7));

        var frame = Assert.Single(await read.WaitAsync(Patience));
        Assert.Equal(7, frame.Sequence);
    }

    [Fact]
    public async Task Read_with_a_batch_wait_also_takes_a_frame_posted_during_the_wait()
    {
        var a = Camera("cam-a");
        var b = Camera("cam-b");
        _mailboxes.Post(Rent(a, 1));

        var read = ReadAsync(2, maxWait: Patience);
        await Task.Delay(50); // on purpose: the second frame arrives while the batch wait is running
        _mailboxes.Post(Rent(b, 1));

        var batch = await read.WaitAsync(Patience);
        Assert.Equal(["cam-a", "cam-b"], batch.Select(f => f.CameraId).Order());
    }

    [Fact]
    public async Task Read_with_a_batch_wait_returns_what_it_has_when_the_wait_ends_on_the_injected_clock()
    {
        var a = Camera("cam-a");
        Camera("cam-b");
        _mailboxes.Post(Rent(a, 1));

        var read = ReadAsync(2, maxWait: TimeSpan.FromSeconds(1));
        await Task.Delay(100); // on purpose: real time passes
        Assert.False(read.IsCompleted); // real time passing does not end the wait: only the injected clock does
        _time.Advance(TimeSpan.FromSeconds(1));

        var batch = await read.WaitAsync(Patience);
        Assert.Equal("cam-a", Assert.Single(batch).CameraId);
    }

    [Fact]
    public async Task Read_is_cancelled_by_its_token()
    {
        Camera("cam-a");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await _mailboxes.ReadBatchAsync(new AnalysisFrame[2], TimeSpan.Zero, cts.Token));
    }

    [Fact]
    public async Task Removing_a_camera_releases_its_waiting_frame_and_no_read_sees_it()
    {
        var a = Camera("cam-a", frames: 1);
        var b = Camera("cam-b");
        _mailboxes.Post(Rent(a, 1));

        _mailboxes.Remove("cam-a");

        Assert.Equal(1, FreeFrames(a));
        Assert.Equal(0, _mailboxes.Depth);

        _mailboxes.Post(Rent(b, 1));
        Assert.Equal("cam-b", Assert.Single(await ReadAsync(4)).CameraId);

        // Nothing is left: a further read must wait, not return an empty batch for the removed frame.
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await _mailboxes.ReadBatchAsync(new AnalysisFrame[4], TimeSpan.Zero, cts.Token));
    }

    [Fact]
    public void Frame_posted_for_a_removed_camera_goes_back_to_its_pool()
    {
        var pool = Camera("cam-a", frames: 1);
        _mailboxes.Remove("cam-a");

        _mailboxes.Post(Rent(pool, 1));

        Assert.Equal(1, FreeFrames(pool));
        Assert.Equal(0, _mailboxes.Depth);
    }

    [Fact]
    public void Adding_a_camera_again_keeps_its_waiting_frame_and_its_counters()
    {
        var pool = Camera("cam-a", frames: 3);
        _mailboxes.Post(Rent(pool, 1));
        _mailboxes.Post(Rent(pool, 2));

        _mailboxes.Add("cam-a", new CameraHealth("cam-a", "cam-a", "rtsp://10.0.0.1/cam-a", TimeProvider.System));
        _mailboxes.Post(Rent(pool, 3));

        Assert.Equal(1, _mailboxes.Depth);
        Assert.Equal(2, _health["cam-a"].Snapshot().FramesDropped);
        Assert.Equal(2, FreeFrames(pool));
    }

    [Fact]
    public async Task A_frame_taken_for_analysis_is_not_released_by_the_camera_s_next_frame()
    {
        var pool = Camera("cam-a", frames: 2);
        _mailboxes.Post(Rent(pool, 1));
        var inFlight = Assert.Single(await ReadAsync(1));

        _mailboxes.Post(Rent(pool, 2));

        Assert.Equal(0, FreeFrames(pool));
        Assert.Equal(0, _health["cam-a"].Snapshot().FramesDropped);
        inFlight.Release();
        Assert.Equal(1, FreeFrames(pool));
    }

    // The reader has taken the semaphore count for cam-a's frame but not yet the frame when a config
    // reload removes cam-a. To make that interleaving deterministic, the test holds the mailboxes' lock
    // (reentrant for this thread) while the reader is parked on it, and calls Remove in between.
    [Fact]
    public async Task Removing_a_camera_while_a_read_is_taking_its_frame_does_not_end_the_feed()
    {
        var a = Camera("cam-a", frames: 1);
        var b = Camera("cam-b");
        _mailboxes.Post(Rent(a, 1));
        var gate = typeof(FrameMailboxes).GetField("_gate", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(_mailboxes)!;
        var filled = (SemaphoreSlim)typeof(FrameMailboxes).GetField("_filled", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(_mailboxes)!;

        Task<AnalysisFrame[]> read;
        Monitor.Enter(gate);
        try
        {
            read = Task.Run(() => ReadAsync(4));
            var deadline = DateTime.UtcNow + Patience;
            while (filled.CurrentCount > 0 && DateTime.UtcNow < deadline) Thread.Sleep(1);
            Thread.Sleep(50); // let the reader reach the lock
            _mailboxes.Remove("cam-a");
        }
        finally
        {
            Monitor.Exit(gate);
        }

        await Task.Delay(50); // on purpose: the reader gets the lock and sees the removal before the next post
        if (read.IsCompleted) Assert.NotEmpty(await read); // an empty batch tells the analysis loop the feed has ended
        _mailboxes.Post(Rent(b, 1));
        Assert.Equal("cam-b", Assert.Single(await read.WaitAsync(Patience)).CameraId);
    }
}
