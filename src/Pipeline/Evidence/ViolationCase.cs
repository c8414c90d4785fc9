using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>A confirmed violation episode with everything needed to write its evidence and case record.</summary>
internal sealed record ViolationCase(
    CameraConfig Camera,
    RuleDefinition Rule,
    Zone Zone,
    long EpisodeId,
    int TrackId,
    string ClassName,
    DateTimeOffset StartedAt,
    DateTimeOffset ConfirmedAt,
    IReadOnlyList<(PhotoRole Role, FrameSnapshot Snapshot)> Photos,
    int FrameWidth,
    int FrameHeight,
    int SourceWidth,
    int SourceHeight)
{
    public FrameSnapshot Confirmation => Photos[^1].Snapshot;

    /// <summary>
    /// Confirmed in a spot where the rule reported a case at this time (another track, within the cooldown): the case
    /// stands only if its plate is read and differs from every plate this rule reported on the camera since then.
    /// </summary>
    public DateTimeOffset? SameSpotReportedAt { get; init; }

    /// <summary>For a new object: the camera's learned empty scene (基准图) at analysis size, as JPEG, shown beside the case's photos; null otherwise.</summary>
    public byte[]? ReferenceJpeg { get; init; }
}
