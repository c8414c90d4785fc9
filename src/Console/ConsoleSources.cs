using Vision.Cases;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>A camera as the console's cameras page shows it; source URLs have their credentials removed.</summary>
public sealed record ConsoleCamera(string Id, string Name, string State, string Reason, double Fps, bool HasThumbnail)
{
    /// <summary>The analysed stream.</summary>
    public string? Source { get; init; }

    /// <summary>The separately recorded main stream; null when the analysed stream is recorded.</summary>
    public string? RecordSource { get; init; }

    /// <summary>off, starting, ok or failing, and why.</summary>
    public string? Recording { get; init; }

    public string? RecordingReason { get; init; }

    /// <summary>The cluster node analysing the camera; null for a node alone.</summary>
    public string? Node { get; init; }
}

/// <summary>Live camera state and last-frame thumbnails, from the running service.</summary>
public interface ICameraStatusSource
{
    IReadOnlyList<ConsoleCamera> Cameras();

    /// <summary>The camera's last analysed frame as a small JPEG; null before its first frame.</summary>
    byte[]? Thumbnail(string cameraId);
}

/// <summary>The picture a zone editor draws on: a camera's latest frame at full resolution, as a JPEG.</summary>
public interface ICameraFrameSource
{
    /// <summary>The JPEG and where it came from (<c>recording</c> or <c>analysis</c>); null when the camera gives none (not analysed on this node, no frame yet).</summary>
    Task<(byte[] Jpeg, string From)?> LatestFrameAsync(string cameraId, CancellationToken ct);
}

/// <summary>Everything the console reads and changes: the case database, the evidence, the running config and cameras.</summary>
/// <param name="ReleaseObserver">Told when a reviewer's confirmation released cases (it wakes the dispatch publisher).</param>
public sealed record ConsoleSources(
    CaseStore Cases,
    UserStore Users,
    Outbox Outbox,
    EvidenceCatalog Evidence,
    IEvidenceStore Store,
    string SpoolDirectory,
    Func<VisionConfig> Config,
    ICameraStatusSource? Cameras,
    TimeProvider Clock,
    ICaseReleaseObserver ReleaseObserver)
{
    /// <summary>Cameras' latest full-resolution frames, for the zone editor; null when the host has none.</summary>
    public ICameraFrameSource? Frames { get; init; }

    /// <summary>Makes H.265 clips playable in browsers; null serves clips as stored.</summary>
    public IClipPlayback? Clips { get; init; }
}

/// <summary>
/// Clips a browser can play. Evidence clips are stream copies of the camera's video; browsers (Chromium among them)
/// play H.264 but not H.265, so an H.265 clip is shown through an H.264 copy made for viewing. The evidence itself
/// is never changed.
/// </summary>
public interface IClipPlayback
{
    /// <summary>A local file of the clip a browser can play; null when the stored object plays as it is and the store can link to it directly.</summary>
    Task<string?> PlayablePathAsync(CatalogEntry entry, SpooledObject clip, CancellationToken ct);
}
