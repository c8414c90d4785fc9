using Vision.Rules.Config;

namespace Vision.Pipeline.Ingest;

/// <summary>How ffmpeg should decode a source for analysis: which frames, at what size.</summary>
internal sealed record FrameReaderOptions(
    string Source,
    int OutputWidth,
    int OutputHeight,
    double Fps,
    DecodeMode Decode)
{
    /// <summary>When set, ffmpeg also writes the original stream, stream-copied, into segments at this numbered pattern (<c>%010d</c>; one connection serves both).</summary>
    public string? RecordTo { get; init; }

    /// <summary>The number of the first segment this connection records (the ring's sequence only grows).</summary>
    public long RecordStartNumber { get; init; }

    /// <summary>Where ffmpeg lists each segment once it is complete (csv: file, start, end in stream seconds); required with <see cref="RecordTo"/>.</summary>
    public string? RecordList { get; init; }

    public TimeSpan SegmentLength { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Network sources: a socket silent this long makes ffmpeg give up (it reports a timeout).</summary>
    public TimeSpan SocketTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Decoder threads; 0 lets ffmpeg choose. Live cameras use 1: hundreds of streams gain nothing from frame threading but its memory.</summary>
    public int DecoderThreads { get; init; }

    /// <summary>A file standing in for a camera in <c>vision run</c>: read at its own frame rate and loop, like a stream.</summary>
    public bool PlayFileAsLive { get; init; }

    /// <summary>Skip deblocking on non-key frames (see <c>analysis.fast_decode</c>).</summary>
    public bool FastDecode { get; init; }
}
