using Vision.Models;

namespace Vision.Rules.Evaluation;

/// <summary>What the rules see of one tracked object in one analysed frame.</summary>
/// <param name="Visible">True when a detection matched the track in this frame; false while it is coasting through a gap.</param>
/// <param name="Confirmed">True once the tracker has seen the object often enough to trust it.</param>
public readonly record struct TrackedObject(
    int TrackId,
    int ClassId,
    float Score,
    BoundingBox Box,
    bool Visible,
    bool Confirmed);
