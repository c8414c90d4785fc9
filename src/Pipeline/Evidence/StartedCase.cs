using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// A case whose first photos are written (from the analysis frames, where the full-resolution frames are not readable
/// yet) and whose full-resolution photos, clip and manifest are still to come (after the post-roll).
/// </summary>
internal sealed record StartedCase(ViolationCase Violation, string CaseId, string CaseDirectory, string KeyPrefix, TimeZoneInfo Zone,
    IReadOnlyList<EvidencePhoto> Photos, IClipSource? Clips)
{
    /// <summary>Where the full-resolution photo frames come from; null when the camera has none (the photos stay the analysis frames).</summary>
    public IFrameSource? Frames { get; init; }
}
