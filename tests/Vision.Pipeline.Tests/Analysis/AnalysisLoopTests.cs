using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Tracking;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

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

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private static CameraAnalyzer Analyzer(string cameraId, DateTimeOffset start, string analysis = "{ fps: 1 }")
    {
        var config = VisionConfigLoader.Parse($$"""
            detector: { model: yolox_nano }
            cameras:
              - id: {{cameraId}}
                analysis: {{analysis}}
                zones: [ { id: kerb, polygon: [[0.0, 0.5], [1.0, 0.5], [1.0, 1.0], [0.0, 1.0]] } ]
                rules: [ { id: parking, type: illegal_parking, zones: [kerb], classes: [car] } ]
            """, "loop-test.yaml");
        return new CameraAnalyzer(config.Cameras[0], config.Tracker, config.Schedules, ["car"], start, 64, 36);
    }

    // A rules reload builds the new analyser while an older frame of that camera still waits; before, its clock threw
    // and the whole batch (every other camera's frame in it) was lost.
    [Fact]
    public async Task A_frame_older_than_its_analysers_clock_is_skipped_and_the_other_cameras_in_the_batch_are_analysed()
    {
        using var poolA = new FramePool("cam-a", 64, 36, 2);
        using var poolB = new FramePool("cam-b", 64, 36, 2);
        var feed = new ChannelFrameFeed(4);
        var failures = new List<IReadOnlyList<string>>();
        var analysed = new List<string>();
        var loop = new AnalysisLoop(new NothingDetector(maxBatch: 2), maxBatch: 2, maxBatchWait: TimeSpan.Zero, new StageTimings())
        {
            BatchFailed = (_, cameras) => failures.Add(cameras),
        };
        loop.FrameAnalysed += (frame, _) => analysed.Add(frame.CameraId);
        var lateCamera = Analyzer("cam-a", start: Now);
        loop.SetAnalyzer(lateCamera);
        loop.SetAnalyzer(Analyzer("cam-b", start: Now - TimeSpan.FromMinutes(1)));

        var late = await poolA.RentAsync(CancellationToken.None);
        late.CapturedAt = Now - TimeSpan.FromSeconds(1);
        var onTime = await poolB.RentAsync(CancellationToken.None);
        onTime.CapturedAt = Now;
        await feed.Writer.WriteAsync(late);
        await feed.Writer.WriteAsync(onTime);
        feed.Writer.Complete();
        await loop.RunAsync(feed, (_, _) => ValueTask.CompletedTask, CancellationToken.None);

        Assert.Equal(["cam-b"], analysed);
        Assert.Empty(failures);
        Assert.Equal(1, lateCamera.LateFrames);
    }

    // A cluster node whose lease renewals run late (starved, paused) must not analyse a camera another node may have taken.
    [Fact]
    public async Task A_frame_of_a_camera_whose_lease_may_have_lapsed_is_dropped_before_detection_and_returned_to_its_pool()
    {
        using var poolA = new FramePool("cam-a", 64, 36, 2);
        using var poolB = new FramePool("cam-b", 64, 36, 2);
        var feed = new ChannelFrameFeed(4);
        var detector = new CornerDetector(maxBatch: 2);
        var analysed = new List<string>();
        var loop = new AnalysisLoop(detector, maxBatch: 2, maxBatchWait: TimeSpan.Zero, new StageTimings(), new OnlyCamera("cam-b"));
        loop.FrameAnalysed += (frame, _) => analysed.Add(frame.CameraId);
        loop.SetAnalyzer(Analyzer("cam-a", Now));
        loop.SetAnalyzer(Analyzer("cam-b", Now));

        foreach (var pool in new[] { poolA, poolB })
        {
            var frame = await pool.RentAsync(CancellationToken.None);
            frame.CapturedAt = Now;
            await feed.Writer.WriteAsync(frame);
        }
        feed.Writer.Complete();
        await loop.RunAsync(feed, (_, _) => ValueTask.CompletedTask, CancellationToken.None);

        Assert.Equal(["cam-b"], analysed);
        Assert.Equal(["64x36"], Assert.Single(detector.Calls));
        Assert.Equal(1, loop.FramesOutsideLease);
        for (int i = 0; i < 2; i++) Assert.True(poolA.TryRent(out _), $"cam-a frame {i} never came back");
    }

    [Fact]
    public async Task Tiles_of_every_frame_in_a_batch_go_into_one_detector_call_and_merge_into_their_frames_detections()
    {
        using var tiledPool = new FramePool("cam-tiled", 64, 36, 2);
        using var plainPool = new FramePool("cam-plain", 64, 36, 2);
        var feed = new ChannelFrameFeed(4);
        var detector = new CornerDetector(maxBatch: 2);
        var loop = new AnalysisLoop(detector, maxBatch: 2, maxBatchWait: TimeSpan.Zero, new StageTimings());
        var seen = new Dictionary<string, List<Detection>>();
        loop.FrameAnalysed += (frame, _) => seen[frame.CameraId] = [.. frame.Detections];
        loop.SetAnalyzer(Analyzer("cam-tiled", Now, "{ tiles: { grid: 2x1, overlap: 0.2, area: frame } }"));
        loop.SetAnalyzer(Analyzer("cam-plain", Now));

        var tiled = await tiledPool.RentAsync(CancellationToken.None);
        tiled.CapturedAt = Now;
        var plain = await plainPool.RentAsync(CancellationToken.None);
        plain.CapturedAt = Now;
        await feed.Writer.WriteAsync(tiled);
        await feed.Writer.WriteAsync(plain);
        feed.Writer.Complete();
        await loop.RunAsync(feed, (_, _) => ValueTask.CompletedTask, CancellationToken.None);

        // One call: the tiled frame, its two 36 px wide tiles (64 = 1.8 x 35.6), the plain frame.
        var call = Assert.Single(detector.Calls);
        Assert.Equal(["64x36", "36x36", "36x36", "64x36"], call);
        // The frame's own corner and the left tile's are one object; the right tile's corner lies at x = 28 + 1.
        Assert.Equal([new BoundingBox(1, 1, 4, 4), new BoundingBox(29, 1, 4, 4)], seen["cam-tiled"].Select(d => d.Box));
        Assert.Equal([new BoundingBox(1, 1, 4, 4)], seen["cam-plain"].Select(d => d.Box));
    }

    /// <summary>Finds one small object near the top-left corner of every image it is given, and records the images' sizes.</summary>
    private sealed class CornerDetector(int maxBatch) : IObjectDetector
    {
        public List<List<string>> Calls { get; } = [];
        public IReadOnlyList<string> ClassNames { get; } = ["car"];
        public int MaxBatch => maxBatch;

        public void Detect(ReadOnlySpan<Mat> frames, ReadOnlySpan<List<Detection>> results)
        {
            var sizes = new List<string>();
            for (int i = 0; i < frames.Length; i++)
            {
                sizes.Add($"{frames[i].Cols}x{frames[i].Rows}");
                results[i].Clear();
                results[i].Add(new Detection(0, 0.5f, new BoundingBox(1, 1, 4, 4)));
            }
            Calls.Add(sizes);
        }

        public void Dispose()
        {
        }
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

    /// <summary>Finds nothing in any frame.</summary>
    private sealed class NothingDetector(int maxBatch) : IObjectDetector
    {
        public IReadOnlyList<string> ClassNames { get; } = ["car"];
        public int MaxBatch => maxBatch;

        public void Detect(ReadOnlySpan<Mat> frames, ReadOnlySpan<List<Detection>> results)
        {
            foreach (var list in results) list.Clear();
        }

        public void Dispose()
        {
        }
    }

    private sealed class OnlyCamera(string id) : IAnalysisGate
    {
        public bool MayAnalyse(string cameraId) => cameraId == id;
    }
}
