using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;
using Vision.Pipeline.Tracking;

namespace Vision.Pipeline.Detect;

/// <summary>
/// The one path every frame takes, in replay and live alike: batches of frames (of any cameras) from a
/// feed → one detector call per batch → each frame's camera analyser (tracking, rules, snapshots) →
/// confirmed violations handed on. One detector serves every camera; analysers are per camera and can
/// be added or removed while running (config reload). A camera with tiles adds its tiles (views into the frame) to the
/// same detector calls, and their detections are merged into the frame's.
/// </summary>
/// <param name="gate">In a cluster, which cameras' frames may be analysed now (<see cref="IAnalysisGate"/>); null, every frame is.</param>
internal sealed class AnalysisLoop(IObjectDetector detector, int maxBatch, TimeSpan maxBatchWait, StageTimings timings, IAnalysisGate? gate = null)
{
    private readonly ConcurrentDictionary<string, CameraAnalyzer> _analyzers = new(StringComparer.Ordinal);
    private readonly int _maxBatch = Math.Max(1, Math.Min(maxBatch, Math.Max(1, detector.MaxBatch)));
    // Touched only by the loop's own thread.
    private readonly Dictionary<string, CameraTiles> _tiles = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<FrameBuffer, TileViews> _views = new();
    private readonly TiledDetectionMerge _merge = new();
    private TileLayout?[] _frameLayouts = [];
    private Mat[] _images = [];
    private List<Detection>[] _results = [];
    private List<Detection>[] _tileResults = [];

    /// <summary>The IoU above which two detections of one class (whole frame and tile, or two tiles) are one object: the detector's nms_iou.</summary>
    public float MergeIou { get; init; } = 0.45f;

    /// <summary>Frames analysed so far, per camera.</summary>
    public event Action<AnalysisFrame, int>? FrameAnalysed;

    /// <summary>After each detector call: frames in the batch and how long the call took.</summary>
    public event Action<int, TimeSpan>? BatchDetected;

    /// <summary>
    /// Live: a batch that fails unexpectedly is reported here, its frames dropped, and the loop goes on,
    /// so one bad frame or camera cannot stop every camera. Unset (replay), the failure ends the run.
    /// </summary>
    public Action<Exception, IReadOnlyList<string>>? BatchFailed { get; init; }

    /// <summary>Frames dropped because their camera's lease may have lapsed (<see cref="IAnalysisGate"/>).</summary>
    public long FramesOutsideLease => Interlocked.Read(ref _framesOutsideLease);
    private long _framesOutsideLease;

    public void SetAnalyzer(CameraAnalyzer analyzer) => _analyzers[analyzer.Camera.Id] = analyzer;

    public void RemoveAnalyzer(string cameraId) => _analyzers.TryRemove(cameraId, out _);

    public bool TryGetAnalyzer(string cameraId, out CameraAnalyzer analyzer) => _analyzers.TryGetValue(cameraId, out analyzer!);

    /// <summary>Runs until the feed ends or <paramref name="ct"/> is cancelled; each confirmed violation goes to <paramref name="confirmed"/>.</summary>
    public async Task RunAsync(IFrameFeed feed, Func<ViolationCase, CancellationToken, ValueTask> confirmed, CancellationToken ct)
    {
        var batch = new AnalysisFrame[_maxBatch];
        var found = new List<ViolationCase>();

        while (true)
        {
            int count = await feed.ReadBatchAsync(batch, maxBatchWait, ct).ConfigureAwait(false);
            if (count == 0) return;
            if (gate is not null && (count = DropOutsideLease(batch, count, gate)) == 0) continue;
            try
            {
                await AnalyseBatchAsync(batch, count, found, confirmed, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (BatchFailed is not null && e is not OperationCanceledException)
            {
                var cameras = new List<string>(count);
                for (int i = 0; i < count; i++) if (batch[i] is { } f) cameras.Add(f.CameraId);
                BatchFailed(e, cameras);
            }
            finally
            {
                for (int i = 0; i < count; i++)
                {
                    batch[i]?.Release();
                    batch[i] = null!;
                }
            }
        }
    }

    // Keeps the frames that may be analysed at the front of the batch, in their order; returns how many.
    private int DropOutsideLease(AnalysisFrame[] batch, int count, IAnalysisGate gate)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            var frame = batch[i];
            batch[i] = null!;
            if (gate.MayAnalyse(frame.CameraId)) batch[kept++] = frame;
            else
            {
                frame.Release();
                Interlocked.Increment(ref _framesOutsideLease);
            }
        }
        return kept;
    }

    private async Task AnalyseBatchAsync(AnalysisFrame[] batch, int count, List<ViolationCase> found,
        Func<ViolationCase, CancellationToken, ValueTask> confirmed, CancellationToken ct)
    {
        long started = Stopwatch.GetTimestamp();
        Detect(batch, count);
        var elapsed = Stopwatch.GetElapsedTime(started);
        timings.Add(Stage.Detection, elapsed, count);
        timings.RecordBatch(count);
        BatchDetected?.Invoke(count, elapsed);

        for (int i = 0; i < count; i++)
        {
            var frame = batch[i];
            found.Clear();
            long t0 = Stopwatch.GetTimestamp();
            // A camera removed by a reload while its frame was in flight: the frame is simply dropped.
            bool skipped = _analyzers.TryGetValue(frame.CameraId, out var analyzer) && !Analyse(analyzer, frame, found);
            timings.Add(Stage.TrackingAndRules, Stopwatch.GetElapsedTime(t0));
            if (!skipped) FrameAnalysed?.Invoke(frame, found.Count);
            frame.Release();
            batch[i] = null!;
            foreach (var violation in found) await confirmed(violation, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Every frame of the batch and every tile of those frames in one detector call, then each tiled frame's detections merged.</summary>
    private void Detect(AnalysisFrame[] batch, int count)
    {
        if (_frameLayouts.Length < count) _frameLayouts = new TileLayout?[count];
        int images = 0, tiles = 0;
        for (int i = 0; i < count; i++)
        {
            var frame = batch[i];
            var layout = _frameLayouts[i] = LayoutFor(frame);
            int tileCount = layout?.Tiles.Count ?? 0;
            EnsureSlots(images + 1 + tileCount, tiles + tileCount);
            _images[images] = frame.Buffer.Image;
            _results[images++] = frame.Detections;
            if (layout is null) continue;
            var views = ViewsFor(frame.Buffer, layout);
            for (int t = 0; t < views.Length; t++)
            {
                _images[images] = views[t];
                _results[images++] = _tileResults[tiles++];
            }
        }
        detector.Detect(_images.AsSpan(0, images), _results.AsSpan(0, images));

        int next = 0;
        for (int i = 0; i < count; i++)
        {
            var frame = batch[i];
            next++;
            if (_frameLayouts[i] is not { } layout) continue;
            _merge.Clear();
            _merge.AddFrame(frame.Detections);
            for (int t = 0; t < layout.Tiles.Count; t++)
            {
                var tile = layout.Tiles[t];
                _merge.AddTile(_results[next++], tile, frame.Buffer.Width, frame.Buffer.Height);
            }
            _merge.MergeInto(frame.Detections, MergeIou);
            _frameLayouts[i] = null;
        }
    }

    /// <summary>The camera's tiles for this frame size; null without tiles (or for a camera no longer analysed). Recomputed only when its config or frame size changes.</summary>
    private TileLayout? LayoutFor(AnalysisFrame frame)
    {
        if (!_analyzers.TryGetValue(frame.CameraId, out var analyzer) || analyzer.Camera.Analysis.Tiles is not { } tiles)
            return null;
        var camera = analyzer.Camera;
        if (_tiles.TryGetValue(frame.CameraId, out var known) && ReferenceEquals(known.Camera, camera)
            && known.Layout.FrameWidth == frame.Buffer.Width && known.Layout.FrameHeight == frame.Buffer.Height)
            return known.Layout;
        var layout = TileLayout.For(camera, tiles, frame.Buffer.Width, frame.Buffer.Height);
        _tiles[frame.CameraId] = new CameraTiles(camera, layout);
        return layout;
    }

    /// <summary>Views (no copy) of a pooled frame buffer's tiles, made once per buffer and layout.</summary>
    private Mat[] ViewsFor(FrameBuffer buffer, TileLayout layout)
    {
        if (_views.TryGetValue(buffer, out var views) && ReferenceEquals(views.Layout, layout)) return views.Mats;
        views?.Dispose();
        var mats = new Mat[layout.Tiles.Count];
        for (int t = 0; t < mats.Length; t++)
        {
            var tile = layout.Tiles[t];
            mats[t] = new Mat(buffer.Image, new Rect((int)tile.X, (int)tile.Y, (int)tile.Width, (int)tile.Height));
        }
        _views.AddOrUpdate(buffer, new TileViews(layout, mats));
        return mats;
    }

    private void EnsureSlots(int images, int tiles)
    {
        if (_images.Length < images)
        {
            int size = Math.Max(images, _images.Length * 2);
            Array.Resize(ref _images, size);
            Array.Resize(ref _results, size);
        }
        if (_tileResults.Length < tiles)
        {
            int old = _tileResults.Length;
            Array.Resize(ref _tileResults, Math.Max(tiles, old * 2));
            for (int i = old; i < _tileResults.Length; i++) _tileResults[i] = new List<Detection>(16);
        }
    }

    private sealed record CameraTiles(CameraConfig Camera, TileLayout Layout);

    private sealed class TileViews(TileLayout layout, Mat[] mats) : IDisposable
    {
        public TileLayout Layout { get; } = layout;
        public Mat[] Mats { get; } = mats;

        public void Dispose()
        {
            foreach (var mat in Mats) mat.Dispose();
        }
    }

    /// <summary>
    /// One camera's tracking and rules. Live, a failure is that camera's alone: it is reported with its camera id and
    /// the next frames of the batch (other cameras) are still analysed. In replay it ends the run.
    /// </summary>
    private bool Analyse(CameraAnalyzer analyzer, AnalysisFrame frame, List<ViolationCase> found)
    {
        if (BatchFailed is null) return analyzer.Process(frame, found);
        try
        {
            return analyzer.Process(frame, found);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            found.Clear();
            BatchFailed(e, [frame.CameraId]);
            return false;
        }
    }
}
