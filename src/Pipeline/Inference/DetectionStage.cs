using System.Diagnostics;
using System.Threading.Channels;
using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Inference;

/// <summary>
/// Gathers frames (of any cameras) into batches of up to <c>maxBatch</c>, waiting at most <c>maxWait</c>
/// for a batch to fill, runs the detector once per batch, and passes each frame on with its detections.
/// One detector serves every camera.
/// </summary>
public sealed class DetectionStage(IObjectDetector detector, int maxBatch, TimeSpan maxWait, StageTimings timings)
{
    private readonly int _maxBatch = Math.Max(1, Math.Min(maxBatch, Math.Max(1, detector.MaxBatch)));

    public async Task RunAsync(ChannelReader<AnalysisFrame> input, Func<AnalysisFrame, CancellationToken, ValueTask> output, CancellationToken ct)
    {
        var batch = new AnalysisFrame[_maxBatch];
        var images = new Mat[_maxBatch];
        var results = new List<Detection>[_maxBatch];

        while (await input.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            int count = 0;
            while (count < _maxBatch && input.TryRead(out var frame)) batch[count++] = frame;
            if (count < _maxBatch && maxWait > TimeSpan.Zero && count > 0)
                count = await FillAsync(input, batch, count, ct).ConfigureAwait(false);
            if (count == 0) continue;

            for (int i = 0; i < count; i++)
            {
                images[i] = batch[i].Buffer.Image;
                results[i] = batch[i].Detections;
            }

            long started = Stopwatch.GetTimestamp();
            detector.Detect(images.AsSpan(0, count), results.AsSpan(0, count));
            timings.Add(Stage.Detection, Stopwatch.GetElapsedTime(started), count);
            timings.RecordBatch(count);

            for (int i = 0; i < count; i++)
            {
                await output(batch[i], ct).ConfigureAwait(false);
                batch[i] = null!;
            }
        }
    }

    private async Task<int> FillAsync(ChannelReader<AnalysisFrame> input, AnalysisFrame[] batch, int count, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(maxWait);
        try
        {
            while (count < _maxBatch && await input.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                while (count < _maxBatch && input.TryRead(out var frame)) batch[count++] = frame;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        return count;
    }
}
