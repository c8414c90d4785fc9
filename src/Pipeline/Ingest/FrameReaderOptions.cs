using Vision.Rules.Config;

namespace Vision.Pipeline.Ingest;

/// <summary>How ffmpeg should decode a source for analysis: which frames, at what size.</summary>
public sealed record FrameReaderOptions(
    string Source,
    int OutputWidth,
    int OutputHeight,
    double Fps,
    DecodeMode Decode)
{
    /// <summary>When set, ffmpeg also writes the original stream, stream-copied, into segments at this strftime pattern (one connection serves both).</summary>
    public string? RecordTo { get; init; }

    public TimeSpan SegmentLength { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Network sources: a socket silent this long makes ffmpeg give up (it reports a timeout).</summary>
    public TimeSpan SocketTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
