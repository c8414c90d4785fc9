using System.Collections.Concurrent;
using OpenCvSharp;
using Vision.Pipeline.Cluster;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.ReviewConsole;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// A camera's latest full-resolution frame for the zone editor: decoded from the newest complete segment of its
/// recording ring (the recorded stream, full resolution), or, without a recording yet, the next analysed frame (the
/// analysed stream at up to <c>analysis.max_width</c>). Nothing is kept or encoded unless a frame is asked for.
/// </summary>
internal sealed class CameraFrames(RunningConfig config, ICameraOwnership ownership, RecordingSources recordings) : ICameraFrameSource
{
    private static readonly TimeSpan AnalysedFrameWait = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<byte[]>> _wanted = new(StringComparer.Ordinal);

    public async Task<(byte[] Jpeg, string From)?> LatestFrameAsync(string cameraId, CancellationToken ct)
    {
        var camera = config.Current.FindCamera(cameraId);
        if (camera is null || !ownership.Owns(cameraId)) return null;
        if (recordings.FramesFor(camera) is RingFrameSource ring)
        {
            try
            {
                using var frame = await ring.ReadLatestAsync(ct).ConfigureAwait(false);
                if (frame is not null) return (Encode(frame), "recording");
            }
            catch (RecordingUnavailableException)
            {
                // the segment went (trimmed) or did not decode: the analysed frame will do
            }
        }
        var wanted = _wanted.GetOrAdd(cameraId, _ => new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return (await wanted.Task.WaitAsync(AnalysedFrameWait, ct).ConfigureAwait(false), "analysis");
        }
        catch (TimeoutException)
        {
            _wanted.TryRemove(new KeyValuePair<string, TaskCompletionSource<byte[]>>(cameraId, wanted));
            return null;
        }
    }

    /// <summary>Called for each analysed frame, on the analysis loop: a dictionary lookup unless the camera's frame was asked for.</summary>
    public void Offer(AnalysisFrame frame)
    {
        if (_wanted.IsEmpty || !_wanted.TryRemove(frame.CameraId, out var wanted)) return;
        wanted.TrySetResult(Encode(frame.Buffer.Image));
    }

    private static byte[] Encode(Mat image)
    {
        Cv2.ImEncode(".jpg", image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
        return jpeg;
    }
}
