using Vision.Rules.Schedules;
using Vision.Rules.Zones;

namespace Vision.Rules.Config;

/// <summary>The whole validated configuration: detector, cameras with their zones and rules, named schedules, evidence and tracker settings.</summary>
public sealed record VisionConfig(
    string SourcePath,
    DetectorConfig Detector,
    TrackerConfig Tracker,
    EvidenceConfig Evidence,
    IReadOnlyDictionary<string, Schedule> Schedules,
    IReadOnlyList<CameraConfig> Cameras,
    ConfigLocations Locations)
{
    /// <summary>How live cameras are pulled: stall timeout, reconnect backoff, frames in flight.</summary>
    public LiveConfig Live { get; init; } = LiveConfig.Default;

    /// <summary>The rolling recording of each camera's original stream that live clips are cut from.</summary>
    public RecordingConfig Recording { get; init; } = RecordingConfig.Default;

    public CameraConfig? FindCamera(string id)
    {
        foreach (var camera in Cameras)
            if (string.Equals(camera.Id, id, StringComparison.Ordinal)) return camera;
        return null;
    }
}

/// <summary>Which detector model to load and how to run it.</summary>
public sealed record DetectorConfig(
    string Model,
    string? Manifest,
    string Provider,
    int Threads,
    float MinScore,
    float NmsIou,
    int MaxBatch,
    TimeSpan MaxBatchWait);

/// <summary>Tracker tuning shared by all cameras.</summary>
public sealed record TrackerConfig(
    float HighScore,
    float LowScore,
    float MatchIou,
    TimeSpan LostTimeout,
    int ConfirmHits);

/// <summary>How evidence is cut and rendered, and where <c>vision run</c> keeps it.</summary>
public sealed record EvidenceConfig(
    TimeSpan PreRoll,
    TimeSpan PostRoll,
    int JpegQuality)
{
    public string Directory { get; init; } = "evidence";
}

/// <summary>Live ingest: a stream silent for <see cref="StallTimeout"/> is reconnected, with exponential backoff between tries.</summary>
public sealed record LiveConfig(TimeSpan StallTimeout, TimeSpan ReconnectInitial, TimeSpan ReconnectMax, int FramesPerCamera)
{
    public static LiveConfig Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 3);
}

/// <summary>The rolling recording per camera: short stream-copied segments, bounded by seconds and bytes, on local disk.</summary>
public sealed record RecordingConfig(string Directory, TimeSpan SegmentLength, TimeSpan Keep, long MaxBytesPerCamera, long MinFreeBytes, bool Enabled)
{
    public static RecordingConfig Default { get; } = new("recordings", TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(4), 256L << 20, 512L << 20, true);
}

/// <summary>One camera: its source, analysis rate, time zone, zones and rules.</summary>
public sealed record CameraConfig(
    string Id,
    string Name,
    string? Source,
    string TimeZoneId,
    AnalysisConfig Analysis,
    IReadOnlyList<Zone> Zones,
    IReadOnlyList<RuleDefinition> Rules)
{
    public Zone? FindZone(string id)
    {
        foreach (var zone in Zones)
            if (string.Equals(zone.Id, id, StringComparison.Ordinal)) return zone;
        return null;
    }
}

/// <summary>How often and at what size a camera's frames are analysed.</summary>
public sealed record AnalysisConfig(double Fps, int MaxWidth, DecodeMode Decode)
{
    /// <summary>Skip H.264/H.265 deblocking on non-key frames: about 25 % less decode CPU, slightly blockier analysis frames and photos. Clips are unaffected (stream copy).</summary>
    public bool FastDecode { get; init; }
}

public enum DecodeMode { All, Keyframes }

/// <summary>A named polygon on one camera's image.</summary>
public sealed record Zone(string Id, string Name, ZonePolygon Polygon);

public enum ViolationType { IllegalParking, StreetStall, Litter }

public enum AnchorPoint { BottomCenter, Center }

/// <summary>One rule: which objects, where, when and for how long make a violation.</summary>
public sealed record RuleDefinition(
    string Id,
    string Name,
    ViolationType Type,
    string Version,
    IReadOnlyList<string> Classes,
    IReadOnlyList<string> ZoneIds,
    float MinConfidence,
    float MinBoxSize,
    TimeSpan Dwell,
    TimeSpan Cooldown,
    string? ScheduleName,
    AnchorPoint Anchor,
    float MaxMotion,
    IReadOnlyList<string> NearClasses,
    float NearDistance);

/// <summary>Wire names of violation types as they appear in YAML and in cases.jsonl.</summary>
public static class ViolationTypeNames
{
    public const string IllegalParking = "illegal_parking";
    public const string StreetStall = "street_stall";
    public const string Litter = "litter";

    public static string ToWire(this ViolationType type) => type switch
    {
        ViolationType.IllegalParking => IllegalParking,
        ViolationType.StreetStall => StreetStall,
        ViolationType.Litter => Litter,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool TryParse(string value, out ViolationType type)
    {
        switch (value)
        {
            case IllegalParking: type = ViolationType.IllegalParking; return true;
            case StreetStall: type = ViolationType.StreetStall; return true;
            case Litter: type = ViolationType.Litter; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Chinese display name used on photos.</summary>
    public static string ChineseName(this ViolationType type) => type switch
    {
        ViolationType.IllegalParking => "机动车违停",
        ViolationType.StreetStall => "占道经营",
        ViolationType.Litter => "暴露垃圾",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
