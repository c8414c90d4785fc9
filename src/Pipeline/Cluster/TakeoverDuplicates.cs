using System.Globalization;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Cluster;

/// <summary>
/// A camera that moved to this node starts its analysis afresh: the car parked there for an hour is a new track and,
/// after its dwell, a new confirmation. That is the case the node that had the camera before already raised, so it is
/// not raised again: a confirmation is compared with the camera's recent cases under the same
/// rule and zone within the rule's cooldown (whichever lease raised them), by box overlap, as the rules compare spots.
/// </summary>
internal sealed class TakeoverDuplicates(CaseStore cases, ICameraOwnership ownership, RunningConfig config) : IEarlierCaseCheck
{
    private const double SameSpotIoU = 0.3;

    /// <summary>Why the case is one an earlier holder raised; null when it is new.</summary>
    public async Task<string?> EarlierCaseAsync(CaseRecord record, CancellationToken ct)
    {
        if (ownership.FenceOf(record.CameraId) is not { } fence || record.Objects.Count == 0) return null;
        var rule = config.Current.Cameras.FirstOrDefault(c => c.Id == record.CameraId)?.Rules.FirstOrDefault(r => r.Id == record.RuleId);
        if (rule is null) return null;
        var confirmedAt = DateTimeOffset.Parse(record.ConfirmedAt, CultureInfo.InvariantCulture);
        // Whichever lease raised them, this node's current one included: a node that lost the camera's lease (starved)
        // and took it back starts its analysis afresh too, and a case raised under its earlier lease is written under
        // the current one (ClusterRecoveryFences). Within one analysis the rules already keep a reported spot quiet for
        // the cooldown, so comparing with every recent case of the spot changes nothing there.
        var earlier = await cases.RecentCasesAsync(record.CameraId, record.RuleId, record.ZoneId, confirmedAt - rule.Cooldown, ct).ConfigureAwait(false);
        foreach (var stored in earlier)
        {
            if (stored.CaseId == record.CaseId) continue; // the same case written again (a retry), not a duplicate
            var previous = stored.Record;
            if (previous.Objects.Count == 0) continue;
            if (IoU(previous.Objects[0].Box, record.Objects[0].Box) >= SameSpotIoU)
                return $"case {stored.CaseId} reported this spot at {stored.ConfirmedAt:O}, before the camera moved to node {fence.NodeId}";
        }
        // With plates read, the same vehicle anywhere in the zone within the cooldown is the earlier holder's case (the
        // plate memory of turnover is per node and starts empty on the new one).
        if (record.Plate?.Text is { } plate
            && await cases.FindRecentByPlateAsync(record.CameraId, record.RuleId, plate, confirmedAt - rule.Cooldown, ct).ConfigureAwait(false) is { } same
            && same.CaseId != record.CaseId)
            return $"case {same.CaseId} already names {plate} on this camera (confirmed {same.ConfirmedAt:O})";
        return null;
    }

    internal static double IoU(PixelBox a, PixelBox b)
    {
        double x1 = Math.Max(a.X, b.X), y1 = Math.Max(a.Y, b.Y);
        double x2 = Math.Min(a.X + a.Width, b.X + b.Width), y2 = Math.Min(a.Y + a.Height, b.Y + b.Height);
        double overlap = Math.Max(0, x2 - x1) * Math.Max(0, y2 - y1);
        double union = (double)a.Width * a.Height + (double)b.Width * b.Height - overlap;
        return union <= 0 ? 0 : overlap / union;
    }
}
