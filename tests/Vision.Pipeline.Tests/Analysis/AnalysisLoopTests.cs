using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Analysis;
using Vision.Pipeline.Inference;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.Analysis;

/// <summary>The shared analysis loop's failure policy: live goes on past a failed batch, replay stops.</summary>
public sealed class AnalysisLoopTests
{
    [Fact]
    public async Task Live_loop_drops_a_failed_batch_returns_its_frames_and_goes_on_with_the_next()
    {
        using var pool = new FramePool("cam-1", 64, 36, 4);
        var feed = new ChannelFrameFeed(4);
        var failures = new List<(Exception Error, IReadOnlyList<string> Cameras)>();
        int analysed = 0;
        var loop = new AnalysisLoop(new FailingOnceDetector(), maxBatch: 1, maxBatchWait: TimeSpan.Zero, new StageTimings())
        {
            BatchFailed = (e, cameras) => failures.Add((e, cameras)),
        };
        loop.FrameAnalysed += (_, _) => analysed++;

        for (int i = 0; i < 3; i++) await feed.Writer.WriteAsync(await pool.RentAsync(CancellationToken.None));
        feed.Writer.Complete();
        await loop.RunAsync(feed, (_, _) => ValueTask.CompletedTask, CancellationToken.None);

        var failure = Assert.Single(failures);
        Assert.Equal(["cam-1"], failure.Cameras);
        Assert.Equal(2, analysed);
        // Every frame is back in the pool, the failed one included.
        for (int i = 0; i < 4; i++) Assert.True(pool.TryRent(out _), $"frame {i} never came back");
    }

    [Fact]
    public async Task Replay_loop_stops_on_a_failed_batch()
    {
        using var pool = new FramePool("cam-1", 64, 36, 2);
        var feed = new ChannelFrameFeed(2);
        var loop = new AnalysisLoop(new FailingOnceDetector(), maxBatch: 1, maxBatchWait: TimeSpan.Zero, new StageTimings());
        await feed.Writer.WriteAsync(await pool.RentAsync(CancellationToken.None));
        feed.Writer.Complete();

        await Assert.ThrowsAsync<InvalidOperationException>(() => loop.RunAsync(feed, (_, _) => ValueTask.CompletedTask, CancellationToken.None));
    }

    /// <summary>Throws on its first call, then finds nothing: a fault the real model cannot be made to produce on demand.</summary>
    private sealed class FailingOnceDetector : IObjectDetector
    {
        private int _calls;

        public IReadOnlyList<string> ClassNames { get; } = ["car"];
        public int MaxBatch => 1;

        public void Detect(ReadOnlySpan<Mat> frames, ReadOnlySpan<List<Detection>> results)
        {
            if (_calls++ == 0) throw new InvalidOperationException("detector failed");
            foreach (var list in results) list.Clear();
        }

        public void Dispose()
        {
        }
    }
}
