using OpenCvSharp;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Full-resolution photo frames from the replayed file, at each snapshot's own stream time: the exact frame the
/// analysis saw (before it was scaled), so replay stays byte-for-byte deterministic.
/// </summary>
internal sealed class FileFrameSource(VideoInfo video, ChildProcesses children) : IFrameSource
{
    private readonly TimeSpan _halfFrame = TimeSpan.FromSeconds(video.FrameRate > 0 ? 0.5 / video.FrameRate : 0.02);

    public bool ReadableAtConfirmation => true;

    public async Task<Mat> ReadFrameAsync(FrameSnapshot snapshot, CancellationToken ct)
    {
        var keyframe = await RecordedFrameDecoder.KeyframeBeforeAsync(children, video.Source, video.StartTime, snapshot.StreamTime, _halfFrame, ct).ConfigureAwait(false);
        return await RecordedFrameDecoder.DecodeAsync(children, video.Source, snapshot.StreamTime, _halfFrame, keyframe, ct).ConfigureAwait(false);
    }
}
