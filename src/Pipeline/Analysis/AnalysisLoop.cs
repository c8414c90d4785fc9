using System.Collections.Concurrent;
using System.Diagnostics;
using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Inference;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Analysis;

/// <summary>
/// The one path every frame takes, in replay and live alike: batches of frames (of any cameras) from a
/// feed → one detector call per batch → each frame's camera analyser (tracking, rules, snapshots) →
/// confirmed violations handed on. One detector serves every camera; analysers are per camera and can
/// be added or removed while running (config reload).
/// </summary>
public sealed class AnalysisLoop(IObjectDetector detector, int maxBatch, TimeSpan maxBatchWait, StageTimings timings)
{
    private readonly ConcurrentDictionary<string, CameraAnalyzer> _analyzers = new(StringComparer.Ordinal);
    private readonly int _maxBatch = Math.Max(1, Math.Min(maxBatch, Math.Max(1, detector.MaxBatch)));

    /// <summary>Frames analysed so far, per camera.</summary>
    public event Action<AnalysisFrame, int>? FrameAnalysed;

    /// <summary>After each detector call: frames in the batch and how long the call took.</summary>
    public event Action<int, TimeSpan>? BatchDetected;

    /// <summary>
    /// Live: a batch that fails unexpectedly is reported here, its frames dropped, and the loop goes on,
    /// so one bad frame or camera cannot stop every camera. Unset (replay), the failure ends the run.
    /// </summary>
    public Action<Exception, IReadOnlyList<string>>? BatchFailed { get; init; }

    public void SetAnalyzer(CameraAnalyzer analyzer) => _analyzers[analyzer.Camera.Id] = analyzer;

    public void RemoveAnalyzer(string cameraId) => _analyzers.TryRemove(cameraId, out _);

    public bool TryGetAnalyzer(string cameraId, out CameraAnalyzer analyzer) => _analyzers.TryGetValue(cameraId, out analyzer!);

    /// <summary>Runs until the feed ends or <paramref name="ct"/> is cancelled; each confirmed violation goes to <paramref name="confirmed"/>.</summary>
    public async Task RunAsync(IFrameFeed feed, Func<ViolationCase, CancellationToken, ValueTask> confirmed, CancellationToken ct)
    {
        var batch = new AnalysisFrame[_maxBatch];
        var images = new Mat[_maxBatch];
        var results = new List<Detection>[_maxBatch];
        var found = new List<ViolationCase>();

        while (true)
        {
            int count = await feed.ReadBatchAsync(batch, maxBatchWait, ct).ConfigureAwait(false);
            if (count == 0) return;
            try
            {
                await AnalyseBatchAsync(batch, count, images, results, found, confirmed, ct).ConfigureAwait(false);
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

    private async Task AnalyseBatchAsync(AnalysisFrame[] batch, int count, Mat[] images, List<Detection>[] results, List<ViolationCase> found,
        Func<ViolationCase, CancellationToken, ValueTask> confirmed, CancellationToken ct)
    {
        for (int i = 0; i < count; i++)
        {
            images[i] = batch[i].Buffer.Image;
            results[i] = batch[i].Detections;
        }
        long started = Stopwatch.GetTimestamp();
        detector.Detect(images.AsSpan(0, count), results.AsSpan(0, count));
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
