using Vision.Models;

namespace Vision.Rules.Evaluation;

/// <summary>
/// Where a rule last raised a case. A new episode overlapping a live spot is the same violation (typically
/// the tracker lost the object and found it again under a new id), so it raises no second case; the spot
/// stays live while anything occupies it and for the rule's cooldown after.
/// </summary>
internal sealed class ReportedSpot(int trackId, BoundingBox box, DateTimeOffset lastOccupied)
{
    public const float SameSpotIoU = 0.3f;

    /// <summary>
    /// When the case of this spot was confirmed. A spot added by a candidate the plate check may find to be the vehicle
    /// already reported keeps that case's time, so a car parked for hours is compared with its own case however often
    /// the tracker loses and finds it.
    /// </summary>
    public DateTimeOffset ReportedAt { get; init; } = lastOccupied;

    public int TrackId { get; set; } = trackId;
    public BoundingBox Box { get; set; } = box;
    public DateTimeOffset LastOccupied { get; set; } = lastOccupied;

    public bool Covers(int trackId, in BoundingBox box) => trackId == TrackId || Box.IoU(box) >= SameSpotIoU;
}
