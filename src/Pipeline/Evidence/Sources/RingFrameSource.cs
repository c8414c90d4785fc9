using OpenCvSharp;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Full-resolution photo frames of a live camera from its <see cref="SegmentRing"/>: the complete segment whose span
/// (in analysis time, the clip cut's timeline) holds the snapshot's moment, decoded at that moment's offset into it.
/// Readable only once that segment is complete, i.e. after the case's post-roll.
/// </summary>
internal sealed class RingFrameSource(SegmentRing ring, ChildProcesses children) : IFrameSource
{
    /// <summary>Live frames have no exact twin in the recording (another decode of the same stream): the nearest frame within a 25 fps interval.</summary>
    private static readonly TimeSpan HalfFrame = TimeSpan.FromMilliseconds(20);

    public bool ReadableAtConfirmation => false;

    public async Task<Mat> ReadFrameAsync(FrameSnapshot snapshot, CancellationToken ct)
    {
        var at = snapshot.At;
        ring.Hold(at, at);
        try
        {
            var segment = Covering(ring.Segments(), at)
                ?? throw new RecordingUnavailableException($"the recording holds no complete segment at {at:O} (camera offline then, recording off or full, or the ring already trimmed it)");
            return await RecordedFrameDecoder.DecodeAsync(children, segment.Path, at - segment.Start, HalfFrame, keyframe: null, ct).ConfigureAwait(false);
        }
        finally
        {
            ring.Release(at, at);
        }
    }

    /// <summary>A full-resolution frame near the end of the newest complete segment; null when the ring holds none yet.</summary>
    public async Task<Mat?> ReadLatestAsync(CancellationToken ct)
    {
        var segments = ring.Segments();
        if (segments.Count == 0) return null;
        var latest = segments[^1];
        var at = latest.End - TimeSpan.FromMilliseconds(200);
        if (at < latest.Start) at = latest.Start;
        ring.Hold(at, at);
        try
        {
            return await RecordedFrameDecoder.DecodeAsync(children, latest.Path, at - latest.Start, HalfFrame, keyframe: null, ct).ConfigureAwait(false);
        }
        finally
        {
            ring.Release(at, at);
        }
    }

    internal static Segment? Covering(IReadOnlyList<Segment> segments, DateTimeOffset at)
    {
        foreach (var s in segments)
            if (s.Start <= at && at < s.End) return s;
        return null;
    }
}
