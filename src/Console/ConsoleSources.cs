using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>A camera as the console's cameras page shows it.</summary>
public sealed record ConsoleCamera(string Id, string Name, string State, string Reason, double Fps, bool HasThumbnail);

/// <summary>Live camera state and last-frame thumbnails, from the running service.</summary>
public interface ICameraStatusSource
{
    IReadOnlyList<ConsoleCamera> Cameras();

    /// <summary>The camera's last analysed frame as a small JPEG; null before its first frame.</summary>
    byte[]? Thumbnail(string cameraId);
}

/// <summary>Everything the console reads and changes: the case database, the evidence, the running config and cameras.</summary>
public sealed record ConsoleSources(
    CaseStore Cases,
    UserStore Users,
    Outbox Outbox,
    EvidenceCatalog Evidence,
    IEvidenceStore Store,
    string SpoolDirectory,
    Func<VisionConfig> Config,
    ICameraStatusSource? Cameras,
    TimeProvider Clock)
{
    /// <summary>Wakes the dispatch publisher after a confirmation released a case.</summary>
    public Action? CaseReleased { get; init; }
}
