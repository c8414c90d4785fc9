namespace Vision.Pipeline.Evidence;

/// <summary>What a clip cut actually covers: keyframe alignment makes it start a little earlier than asked.</summary>
internal sealed record ClipInfo(DateTimeOffset Start, DateTimeOffset End, TimeSpan Duration);

/// <summary>Something a clip of a camera's original stream can be cut from: the source file in replay, the recording ring live.</summary>
internal interface IClipSource
{
    /// <summary>Cuts [from, to] (wall-clock) into <paramref name="outputPath"/> without re-encoding.</summary>
    Task<ClipInfo> CutAsync(DateTimeOffset from, DateTimeOffset to, string outputPath, CancellationToken ct);
}
