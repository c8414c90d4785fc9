using System.Globalization;
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

    /// <summary>Where and how cases go to the city's dispatch core; null when dispatch is not configured.</summary>
    public DispatchConfig? Dispatch { get; init; }

    /// <summary>Plate reading for parking cases; null when not configured (parking cases then carry no plate).</summary>
    public PlatesConfig? Plates { get; init; }

    /// <summary>Where cases and the rest of vision.db live: the embedded SQLite file, or a shared PostgreSQL.</summary>
    public DatabaseConfig Database { get; init; } = DatabaseConfig.Embedded;

    /// <summary>Set when several nodes share the cameras (PostgreSQL only); null for a node alone.</summary>
    public ClusterConfig? Cluster { get; init; }

    /// <summary>The review console's sessions (read when <c>vision run</c> starts).</summary>
    public ConsoleConfig Console { get; init; } = ConsoleConfig.Default;

    /// <summary>Full paths of the files the config includes (cameras' <c>zones_file</c>); the hot reload watches them too.</summary>
    public IReadOnlyList<string> IncludedFiles { get; init; } = [];

    public CameraConfig? FindCamera(string id)
    {
        foreach (var camera in Cameras)
            if (string.Equals(camera.Id, id, StringComparison.Ordinal)) return camera;
        return null;
    }
}

// The section records below declare their config keys on their members ([Setting], [ParsedByHand]): the key is the
// member's name in snake_case, the default its initial value. docs/config.md documents each (a test holds it to them).

/// <summary>Which detector model to load and how to run it.</summary>
public sealed record DetectorConfig
{
    public static DetectorConfig Default { get; } = new();

    [ParsedByHand("model name (yolox_nano) or path to an .onnx file")]
    public string Model { get; init; } = "";

    [Setting("model manifest (input size, classes, ...)", TypeText = "path")]
    public string? Manifest { get; init; }

    [Setting("ONNX Runtime execution provider", Words = ["cpu", "cuda", "tensorrt"])]
    public string Provider { get; init; } = "cpu";

    [Setting("CPU threads; 0 = the runtime's default", Limit = ">= 0", Note = " (0 = the runtime's default)")]
    public int Threads { get; init; }

    [Setting("detections below this are dropped")]
    public float MinScore { get; init; } = 0.1f;

    [Setting("IoU above which overlapping boxes of a class are merged")]
    public float NmsIou { get; init; } = 0.45f;

    [Setting("frames (from any cameras) per inference call", Limit = ">= 1")]
    public int MaxBatch { get; init; } = 8;

    [Setting("longest a frame waits for its batch to fill", Limit = ">= 0")]
    public TimeSpan MaxBatchWait { get; init; } = TimeSpan.FromMilliseconds(20);
}

/// <summary>Tracker tuning shared by all cameras.</summary>
public sealed record TrackerConfig
{
    public static TrackerConfig Default { get; } = new();

    [Setting("detections at or above this start and extend tracks")]
    public float HighScore { get; init; } = 0.3f;

    [Setting("weaker detections only extend existing tracks")]
    public float LowScore { get; init; } = 0.1f;

    [Setting("least IoU for a detection to match a track")]
    public float MatchIou { get; init; } = 0.2f;

    [Setting("a track unseen this long ends", Limit = "> 0")]
    public TimeSpan LostTimeout { get; init; } = TimeSpan.FromSeconds(30);

    [Setting("matches before a track counts", Limit = ">= 1")]
    public int ConfirmHits { get; init; } = 2;
}

/// <summary>How evidence is cut and rendered, where <c>vision run</c> spools it, where it is stored and for how long.</summary>
public sealed record EvidenceConfig
{
    [Setting("video kept before the violation", Limit = ">= 0")]
    public TimeSpan PreRoll { get; init; } = TimeSpan.FromSeconds(5);

    [Setting("video kept after it", Limit = ">= 0")]
    public TimeSpan PostRoll { get; init; } = TimeSpan.FromSeconds(5);

    [Setting("quality of evidence photos", Limit = "between 1 and 100")]
    public int JpegQuality { get; init; } = 90;

    /// <summary>The local spool: each case is written here first, then uploaded; also holds cases.jsonl and the case database.</summary>
    [Setting("vision run's spool: cases are written here first", TypeText = "path")]
    public string Directory { get; init; } = "evidence";

    /// <summary>The most bytes of not-yet-uploaded evidence the spool may hold; beyond it new cases keep their photos but not their clips.</summary>
    [Setting("most bytes of not-yet-uploaded evidence", Limit = "at least 67108864", Note = " (64 MiB)")]
    public long SpoolMaxBytes { get; init; } = 10L << 30;

    [ParsedByHand("where evidence is kept for good")]
    public EvidenceStoreConfig Store { get; init; } = EvidenceStoreConfig.LocalDefault;

    [ParsedByHand("how long")]
    public RetentionConfig Retention { get; init; } = RetentionConfig.Default;

    /// <summary>The local store's folder: as configured, or <c>store</c> inside the spool directory.</summary>
    public string LocalStoreDirectory => Store.Directory ?? Path.Combine(Directory, "store");
}

public enum EvidenceStoreType { Local, S3 }

/// <summary>
/// Where evidence is kept for good: a local folder (the default, zero set-up) or an S3-compatible bucket (MinIO,
/// any S3). S3 credentials are not part of the config: they come from the environment or <see cref="CredentialsFile"/>.
/// </summary>
public sealed record EvidenceStoreConfig(
    EvidenceStoreType Type,
    string? Directory,
    string? Host,
    int Port,
    bool Tls,
    string Bucket,
    string Region,
    string? CredentialsFile,
    TimeSpan PresignExpiry,
    int UploadConcurrency)
{
    public const string DefaultBucket = "vision-evidence";

    public static EvidenceStoreConfig LocalDefault { get; } =
        new(ConfigSchema.Store.Type.Default, null, null, 0, false, ConfigSchema.Store.Bucket.Default, ConfigSchema.Store.Region.Default, null,
            ConfigSchema.Store.PresignExpiry.Default, ConfigSchema.Store.UploadConcurrency.Default);

    /// <summary>scheme://host:port/bucket for S3, the folder for local; never a secret.</summary>
    public string Describe() => Type == EvidenceStoreType.S3 ? $"s3 {(Tls ? "https" : "http")}://{Host}:{Port}/{Bucket}" : $"local folder {Directory}";
}

/// <summary>How long evidence is kept, per violation type; held cases (under review, disputed) are kept regardless.</summary>
public sealed record RetentionConfig(TimeSpan DefaultKeep, IReadOnlyDictionary<ViolationType, TimeSpan> ByType, TimeSpan SweepInterval)
{
    public static RetentionConfig Default { get; } = new(ConfigSchema.Retention.Default.Default, new Dictionary<ViolationType, TimeSpan>(), ConfigSchema.Retention.SweepInterval.Default);

    public TimeSpan For(ViolationType type) => ByType.TryGetValue(type, out var keep) ? keep : DefaultKeep;
}

/// <summary>Live ingest: a stream silent for <see cref="StallTimeout"/> is reconnected, with exponential backoff between tries.</summary>
public sealed record LiveConfig
{
    public static LiveConfig Default { get; } = new();

    [Setting("a stream silent this long is reopened", Limit = "at least 1s")]
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    [Setting("first wait before reconnecting", Limit = "> 0")]
    public TimeSpan ReconnectInitial { get; init; } = TimeSpan.FromSeconds(1);

    [Setting("longest wait before reconnecting", Limit = "> 0")]
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(30);

    [Setting("decoded frames a camera may have in flight", Limit = "between 2 and 16")]
    public int FramesPerCamera { get; init; } = 3;
}

/// <summary>The rolling recording per camera: short stream-copied segments, bounded by seconds and bytes, on local disk.</summary>
public sealed record RecordingConfig
{
    public static RecordingConfig Default { get; } = new();

    [Setting("without it, live cases get no clip")]
    public bool Enabled { get; init; } = true;

    [Setting("one sub-folder per camera", TypeText = "path")]
    public string Directory { get; init; } = "recordings";

    [Setting("length of a recorded segment", Limit = "between 1s and 30s")]
    public TimeSpan SegmentLength { get; init; } = TimeSpan.FromSeconds(2);

    [Setting("video kept per camera", Limit = "at least 10s", Note = " (pre-roll plus a few segments)")]
    public TimeSpan Keep { get; init; } = TimeSpan.FromMinutes(4);

    [Setting("hard cap per camera", Limit = "at least 1048576", Note = " (1 MiB)")]
    public long MaxBytesPerCamera { get; init; } = 256L << 20;

    [Setting("below this free space, cameras connect without recording", Limit = ">= 0")]
    public long MinFreeBytes { get; init; } = 512L << 20;
}

/// <summary>
/// One camera: its source, analysis rate, time zone, zones and rules. <see cref="Source"/> is the stream that is
/// analysed (<c>source</c>, or <c>streams.detect</c>); <see cref="RecordSource"/> the one recorded for clips and photos
/// when the camera has two (<c>streams.record</c>), null when the analysed stream is also the recorded one.
/// </summary>
public sealed record CameraConfig(
    string Id,
    string Name,
    string? Source,
    string TimeZoneId,
    AnalysisConfig Analysis,
    IReadOnlyList<Zone> Zones,
    IReadOnlyList<RuleDefinition> Rules)
{
    /// <summary>The main stream recorded into the camera's ring (<c>streams.record</c>); null: <see cref="Source"/> records.</summary>
    public string? RecordSource { get; init; }

    /// <summary>Where the camera looks: address, coordinates, unit grid cell; used in dispatch records.</summary>
    public CameraLocation Location { get; init; } = CameraLocation.Unknown;

    /// <summary>Full path of the file the camera's zones come from (<c>zones_file</c>); null when they are written inline.</summary>
    public string? ZonesFile { get; init; }

    public Zone? FindZone(string id)
    {
        foreach (var zone in Zones)
            if (string.Equals(zone.Id, id, StringComparison.Ordinal)) return zone;
        return null;
    }
}

/// <summary>How often and at what size a camera's frames are analysed.</summary>
public sealed record AnalysisConfig
{
    public static AnalysisConfig Default { get; } = new();

    [Setting("frames analysed per second", Limit = "> 0 and <= 30", Note = " (frames analysed per second)")]
    public double Fps { get; init; } = 1;

    [Setting("wider frames are scaled down before analysis", Limit = ">= 64", Note = " pixels")]
    public int MaxWidth { get; init; } = 1280;

    [Setting("decode every frame, or only keyframes", What = "decode mode")]
    public DecodeMode Decode { get; init; } = DecodeMode.All;

    /// <summary>Skip H.264/H.265 deblocking on non-key frames: about 25 % less decode CPU, slightly blockier analysis frames and photos. Clips are unaffected (stream copy).</summary>
    [Setting("skip deblocking on non-key frames")]
    public bool FastDecode { get; init; }

    /// <summary>Tiled detection (small, distant objects seen at a resolution closer to the model's input); null = the whole frame only (the default).</summary>
    [ParsedByHand("tiled detection")]
    public TilesConfig? Tiles { get; init; }

    /// <summary>New-object detection's timing, used while one of the camera's rules names <see cref="NewObjectClass.Name"/>.</summary>
    [ParsedByHand("new-object detection's timing")]
    public NewObjectsConfig NewObjects { get; init; } = NewObjectsConfig.Default;
}

/// <summary>
/// How long new-object detection takes to learn a camera's empty scene and to call something that appeared in it new
/// (docs/new-objects.md). The other options are in units of the camera's own noise and hold for any street camera.
/// </summary>
public sealed record NewObjectsConfig
{
    public static NewObjectsConfig Default { get; } = new();

    [Setting("how long something must stay before it is a new object; a rule's dwell counts after it", Limit = "between 10s and 1h")]
    public TimeSpan StayTime { get; init; } = TimeSpan.FromMinutes(2);

    [Setting("how long a place must be seen empty and still before it is learned", Limit = "between 10s and 30m")]
    public TimeSpan LearnTime { get; init; } = TimeSpan.FromMinutes(1);

    [Setting("a new object that stays this long becomes part of the scene (a new kiosk, a fence)", Limit = "between 10m and 7d")]
    public TimeSpan AbsorbAfter { get; init; } = TimeSpan.FromHours(2);
}

/// <summary>
/// Tiled detection: <see cref="Area"/> is cut into a <see cref="Columns"/> x <see cref="Rows"/> grid of tiles overlapping by
/// <see cref="Overlap"/> of a tile's size; each tile is detected on its own besides the whole frame (large near objects
/// span tiles), and the detections are merged into one per object.
/// </summary>
public sealed record TilesConfig
{
    /// <summary>How far the zones' bounding box is grown on each side, as a fraction of the frame: objects stand up out of a zone that holds their base.</summary>
    public const float ZonePadding = 0.1f;

    public const int MaxPerSide = 4;

    /// <summary>A <c>tiles</c> section that writes no key: a 2x1 grid over the zones.</summary>
    public static TilesConfig Default { get; } = new();

    /// <summary>What a 1x1 grid over the whole frame is refused with.</summary>
    public const string WholeFrameGrid = "a 1x1 grid over the whole frame is the frame itself; use a larger grid, or 'area: zones' to detect the zones' area at a higher resolution";

    /// <summary>What 'area: zones' on a camera without zones is refused with.</summary>
    public const string AreaWithoutZones = "is 'zones' but the camera has no zones; add zones or write 'area: frame' to tile the whole frame";

    public int Columns { get; init; } = 2;

    public int Rows { get; init; } = 1;

    /// <summary>"2x1".</summary>
    [ParsedByHand("how the area is cut, COLUMNSxROWS")]
    public string Grid => string.Create(CultureInfo.InvariantCulture, $"{Columns}x{Rows}");

    [Setting("share of a tile's size shared with its neighbour", Limit = ">= 0 and < 0.5", Note = " (a fraction of a tile's size shared with its neighbour)")]
    public float Overlap { get; init; } = 0.2f;

    [Setting("the zones' padded bounding box, or the whole frame", What = "tile area")]
    public TileArea Area { get; init; } = TileArea.Zones;

    public int Count => Columns * Rows;

    /// <summary>Parses <c>COLUMNSxROWS</c> (each 1..<see cref="MaxPerSide"/>), as in <c>grid: 2x1</c>.</summary>
    public static bool TryParseGrid(string text, out int columns, out int rows)
    {
        columns = rows = 0;
        var parts = text.Trim().Split('x');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int c)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int r)
            || c is < 1 or > MaxPerSide || r is < 1 or > MaxPerSide)
            return false;
        (columns, rows) = (c, r);
        return true;
    }

    /// <summary>What a text that is not a grid is refused with.</summary>
    public static string NotAGrid(string text) => $"'{text}' is not a tile grid: write COLUMNSxROWS, each 1..{MaxPerSide}, e.g. 2x1 (two tiles side by side) or 3x2";
}

/// <summary>What tiles cover: the padded bounding box of the camera's zones, or the whole frame.</summary>
public enum TileArea { Zones, Frame }

public enum DecodeMode { All, Keyframes }

/// <summary>A named polygon on one camera's image.</summary>
public sealed record Zone(string Id, string Name, ZonePolygon Polygon)
{
    /// <summary>The most zones one camera may have (each is tested against every tracked object on every frame).</summary>
    public const int MaxPerCamera = 64;
}

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
    float NearDistance)
{
    /// <summary>This rule's dispatch policy; null follows <see cref="DispatchConfig.Send"/>. Not part of the rule version (it does not change what is detected).</summary>
    public DispatchPolicy? Dispatch { get; init; }

    /// <summary>
    /// Once an episode has started, a frame that sees the object below <see cref="MinConfidence"/> but at or above this
    /// does not end it: it counts as a frame the object was not seen (bounded by the visible share and the unseen limits).
    /// Equal to <see cref="MinConfidence"/> (when not set): no hysteresis. The config's default is the tracker's low score.
    /// </summary>
    public float HoldConfidence { get => _holdConfidence ?? MinConfidence; init => _holdConfidence = value; }
    private readonly float? _holdConfidence;

    /// <summary>
    /// How long a <see cref="NearClasses"/> object must have stayed near this rule's object to count: litter is attended,
    /// a stall has its vendor, only while someone stays with it; a passer-by does not count. Zero: any near object counts at once.
    /// </summary>
    public TimeSpan AttendTime { get; init; }

    /// <summary>The case category code for this rule (e.g. "0504" 店外经营 instead of the type's default); null uses the type's.</summary>
    public string? CategoryCode { get; init; }

    /// <summary>
    /// A hash of what the rule detects (its definition, zones and schedule), whatever <see cref="Version"/> says: a
    /// hand-set version names the rule for people, this tells a reload that the rule really changed.
    /// </summary>
    public string Definition { get; init; } = "";
}

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

    /// <summary>The Chinese name (photos, dispatch descriptions, the console), from <see cref="Glossary"/>.</summary>
    public static string ChineseName(this ViolationType type) => Glossary.ViolationName(type);
}

/// <summary>
/// What the dispatch core needs to place a camera's cases: a human address, WGS-84 coordinates, and the unit grid cell
/// (单元网格) with district / street / community ids when known. Every field is optional.
/// </summary>
public sealed record CameraLocation(string? Address, double? Longitude, double? Latitude, string? GridCode, string? DistrictId, string? StreetId, string? CommunityId)
{
    public static CameraLocation Unknown { get; } = new(null, null, null, null, null, null, null);
}

/// <summary>When a case goes to the dispatch core: as soon as its evidence is stored, or only after an officer confirms it.</summary>
public enum DispatchPolicy { OnDetection, AfterReview }

/// <summary>The event code set: CJ/T 214 / GB/T 30428.2 (4-digit small classes) or GB/T 47678.5-2026 (5-digit, 11-digit item codes).</summary>
public enum CaseCodeSet { CjT214, GbT47678 }

/// <summary>Unit grid cell code format: CJ/T 213 (14 digits) or GB/T 30428.1 (15 digits).</summary>
public enum GridCodeFormat { CjT213, GbT30428 }

public enum CoordinateSystem { Wgs84, Gcj02 }

/// <summary>A case category of the configured code set: big class (first two digits) and small class, with Chinese names.</summary>
public sealed record CaseCategory(string BigClassCode, string? BigClassName, string SmallClassCode, string SmallClassName);

/// <summary>
/// The dispatch core's webhook and how cases are coded for it. The signing key is not here: it comes from
/// <c>VISION_DISPATCH_KEY</c> (and <c>VISION_DISPATCH_KEY_ID</c>).
/// </summary>
/// <param name="OrderWait">
/// How long after a case's confirmation the later cases of its camera wait for its evidence to be stored, so that the
/// camera's cases reach the dispatch core in the order they were confirmed.
/// </param>
public sealed record DispatchConfig(
    Uri Url,
    CaseCodeSet CodeSet,
    string? AreaCode,
    GridCodeFormat GridFormat,
    CoordinateSystem Coordinates,
    DispatchPolicy Send,
    TimeSpan Timeout,
    int MaxAttempts,
    TimeSpan RetryInitial,
    TimeSpan RetryMax,
    TimeSpan OrderWait,
    IReadOnlyDictionary<ViolationType, CaseCategory> Categories,
    IReadOnlyDictionary<string, CaseCategory> ExtraCategories)
{
    /// <summary>The policy of a rule: its own, or the default.</summary>
    public DispatchPolicy PolicyFor(RuleDefinition rule) => rule.Dispatch ?? Send;

    /// <summary>The category of a rule's cases: its own code when set, else its violation type's.</summary>
    public CaseCategory CategoryFor(RuleDefinition rule) =>
        rule.CategoryCode is { } code && ExtraCategories.TryGetValue(code, out var own) ? own : Categories[rule.Type];
}

/// <summary>
/// Plate reading for parking cases: the PP-OCRv4 models' folder (relative to the working directory, like
/// <c>evidence.directory</c>). Plates are read once per case from its full-resolution photos, and decide turnover: a
/// different plate in a reported spot is a new case, the same plate within the cooldown is the same case.
/// </summary>
public sealed record PlatesConfig(string ModelDirectory);

public enum DatabaseBackend { Sqlite, Postgres }

/// <summary>
/// The case database. PostgreSQL's connection string is read from an environment variable or a file named here, never
/// from the config itself, so the config can be shared (a Kubernetes ConfigMap) and the password kept in a Secret.
/// </summary>
public sealed record DatabaseConfig
{
    public static readonly DatabaseConfig Embedded = new();

    [Setting("the embedded SQLite file, or a shared PostgreSQL", What = "database backend")]
    public DatabaseBackend Backend { get; init; } = DatabaseBackend.Sqlite;

    [Setting("postgres: the variable holding the connection string", Key = "connection_string_env", TypeText = "name")]
    public string? ConnectionStringVariable { get; init; }

    [Setting("postgres: or a file holding it", TypeText = "path")]
    public string? ConnectionStringFile { get; init; }
}

/// <summary>
/// Nodes sharing cameras: each heartbeats every <see cref="Heartbeat"/>; a camera is owned through a lease of
/// <see cref="Lease"/>, so a dead node's cameras move within about lease + heartbeat. <see cref="Capacity"/> weighs
/// this node in the assignment (VISION_NODE_CAPACITY overrides it per node).
/// </summary>
public sealed record ClusterConfig
{
    [Setting("this node's weight when cameras are shared", Limit = "between 1 and 10000", Note = " (cameras this node can carry)")]
    public int Capacity { get; init; } = 25;

    [Setting("a camera's lease", Limit = "between 3s and 10m")]
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(15);

    [Setting("how often a node heartbeats and renews its leases", Limit = "at least 500ms")]
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// How long a console session lasts: it ends after <see cref="SessionIdle"/> without a request, and
/// <see cref="SessionLifetime"/> after sign-in however much it is used.
/// </summary>
public sealed record ConsoleConfig
{
    public static readonly ConsoleConfig Default = new();

    // The idle clock of a session moves at most once a minute (a request writes its last use that rarely).
    [Setting("a session ends after this long without a request", Limit = "between 5m and 30d")]
    public TimeSpan SessionIdle { get; init; } = TimeSpan.FromHours(8);

    [Setting("a session ends this long after sign-in", Limit = "between 5s and 90d")]
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);
}
