using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>One confirmed violation on its way through the <c>CaseFlow</c>: how far it got, so a retry after a failure goes on from there.</summary>
internal sealed class CaseProgress(ViolationCase violation)
{
    public ViolationCase Violation { get; internal set; } = violation;
    public StartedCase? Started { get; internal set; }
    public WrittenCase? Written { get; internal set; }
    public bool Recorded { get; internal set; }

    /// <summary>In a cluster: the camera lease the case was raised under, taken when it was confirmed.</summary>
    public Vision.Storage.CaseFence? Fence { get; internal set; }

    /// <summary>Why the plate check found this violation to be a case already raised; null while it is (to be) a case.</summary>
    public string? NotRaised { get; internal set; }
    public int Attempts { get; internal set; }
    public string? LastError { get; internal set; }
    public DateTimeOffset HeldSince { get; internal set; }

    /// <summary>One line that names the case with what is needed to find it again in the video: for a case that could not be written.</summary>
    public string Describe()
    {
        var v = Violation;
        var b = v.Confirmation.Box;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"camera {v.Camera.Id} rule {v.Rule.Id} ({v.Rule.Type.ToWire()}) zone {v.Zone.Id} track {v.TrackId} {v.ClassName} started {v.StartedAt:O} confirmed {v.ConfirmedAt:O} box x={b.X:0} y={b.Y:0} w={b.Width:0} h={b.Height:0} (of {v.FrameWidth}x{v.FrameHeight}) score {v.Confirmation.Score:0.000}; last error: {LastError}");
    }

    /// <summary>Bytes of frame snapshots this case keeps in memory (a snapshot shared by two photos counts once).</summary>
    internal long SnapshotBytes()
    {
        long bytes = 0;
        var photos = Violation.Photos;
        for (int i = 0; i < photos.Count; i++)
        {
            bool seen = false;
            for (int j = 0; j < i; j++) seen |= ReferenceEquals(photos[j].Snapshot.Jpeg, photos[i].Snapshot.Jpeg);
            if (!seen) bytes += photos[i].Snapshot.Jpeg.Length;
        }
        return bytes;
    }
}
