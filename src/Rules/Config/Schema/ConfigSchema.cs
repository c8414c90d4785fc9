using static Vision.Rules.Config.Setting;

namespace Vision.Rules.Config;

/// <summary>
/// Every key of vision.yaml, declared once per section: name, default, admitted values, meaning. The mapper reads
/// these, the records' defaults come from them, and a test holds docs/config.md to them.
/// </summary>
internal static class ConfigSchema
{
    private static readonly TimeSpan Zero = TimeSpan.Zero;

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);
    private static TimeSpan Minutes(double m) => TimeSpan.FromMinutes(m);
    private static TimeSpan Hours(double h) => TimeSpan.FromHours(h);
    private static TimeSpan Days(double d) => TimeSpan.FromDays(d);

    public static readonly ConfigSection Root = new("## Top level", "detector, cameras, ...",
    [
        new("timezone", "default zone for cameras and schedules"), new("detector", "the detector"), new("tracker", "the tracker"),
        new("evidence", "evidence"), new("live", "live ingest"), new("recording", "the rolling recording"),
        new("schedules", "named schedules"), new("cameras", "the cameras"), new("dispatch", "the dispatch core"),
        new("plates", "plate reading"), new("database", "the case database"), new("cluster", "nodes sharing cameras"),
        new("console", "the review console"),
    ]);

    internal static class Detector
    {
        public static readonly (string, string)[] Providers = [("cpu", "cpu"), ("cuda", "cuda"), ("tensorrt", "tensorrt")];

        public static readonly ConfigKey Model = new("model", "model name (yolox_nano) or path to an .onnx file");
        public static readonly Setting<string?> Manifest = OptionalText("manifest", "model manifest (input size, classes, ...)", "path");
        public static readonly Setting<string> Provider = Choice("provider", "cpu", Providers, "provider", "ONNX Runtime execution provider");
        public static readonly Setting<int> Threads = Integer("threads", 0, Limit<int>.NotBelow(0), "CPU threads; 0 = the runtime's default", " (0 = the runtime's default)");
        public static readonly Setting<float> MinScore = Fraction("min_score", 0.1f, "detections below this are dropped");
        public static readonly Setting<float> NmsIou = Fraction("nms_iou", 0.45f, "IoU above which overlapping boxes of a class are merged");
        public static readonly Setting<int> MaxBatch = Integer("max_batch", 8, Limit<int>.NotBelow(1), "frames (from any cameras) per inference call");
        public static readonly Setting<TimeSpan> MaxBatchWait = Duration("max_batch_wait", Ms(20), Limit<TimeSpan>.NotBelow(Zero), "longest a frame waits for its batch to fill");

        public static readonly ConfigSection Section = new("## `detector`", "model, provider, ...",
            [Model, Manifest, Provider, Threads, MinScore, NmsIou, MaxBatch, MaxBatchWait]);
    }

    internal static class Tracker
    {
        public static readonly Setting<float> HighScore = Fraction("high_score", 0.3f, "detections at or above this start and extend tracks");
        public static readonly Setting<float> LowScore = Fraction("low_score", 0.1f, "weaker detections only extend existing tracks");
        public static readonly Setting<float> MatchIou = Fraction("match_iou", 0.2f, "least IoU for a detection to match a track");
        public static readonly Setting<TimeSpan> LostTimeout = Duration("lost_timeout", Seconds(30), Limit<TimeSpan>.Above(Zero), "a track unseen this long ends");
        public static readonly Setting<int> ConfirmHits = Integer("confirm_hits", 2, Limit<int>.NotBelow(1), "matches before a track counts");

        public static readonly ConfigSection Section = new("## `tracker`", "high_score, low_score, ...",
            [HighScore, LowScore, MatchIou, LostTimeout, ConfirmHits]);
    }

    internal static class Evidence
    {
        public static readonly Setting<TimeSpan> PreRoll = Duration("pre_roll", Seconds(5), Limit<TimeSpan>.NotBelow(Zero), "video kept before the violation");
        public static readonly Setting<TimeSpan> PostRoll = Duration("post_roll", Seconds(5), Limit<TimeSpan>.NotBelow(Zero), "video kept after it");
        public static readonly Setting<int> JpegQuality = Integer("jpeg_quality", 90, Limit<int>.Between(1, 100), "quality of evidence photos");
        public static readonly Setting<string> Directory = Text("directory", "evidence", "vision run's spool: cases are written here first", "path");
        public static readonly Setting<long> SpoolMaxBytes = Bytes("spool_max_bytes", 10L << 30, Limit<double>.AtLeast(64 << 20),
            "most bytes of not-yet-uploaded evidence", " (64 MiB)");

        public static readonly ConfigSection Section = new("## `evidence`", "pre_roll, post_roll, jpeg_quality",
            [PreRoll, PostRoll, JpegQuality, Directory, SpoolMaxBytes, new("store", "where evidence is kept for good"), new("retention", "how long")]);
    }

    internal static class Store
    {
        public static readonly (string, EvidenceStoreType)[] Types = [("local", EvidenceStoreType.Local), ("s3", EvidenceStoreType.S3)];

        public static readonly Setting<EvidenceStoreType> Type = Choice("type", EvidenceStoreType.Local, Types, "evidence store type", "a folder, or any S3-compatible store");
        public static readonly Setting<string?> Directory = OptionalText("directory", "local only: the store's root folder", "path");
        public static readonly ConfigKey Endpoint = new("endpoint", "the S3 endpoint, host:port or an http(s) URL");
        public static readonly Setting<bool> Tls = Switch("tls", true, "https to the store", "tls setting");
        public static readonly Setting<string> Bucket = Text("bucket", EvidenceStoreConfig.DefaultBucket, "created at start when missing", "S3 bucket name");
        public static readonly Setting<string> Region = Text("region", "us-east-1", "the region requests are signed for");
        public static readonly Setting<string?> CredentialsFile = OptionalText("credentials_file", "a file with access_key and secret_key lines", "path");
        public static readonly Setting<TimeSpan> PresignExpiry = Duration("presign_expiry", Minutes(10), Limit<TimeSpan>.Between(Seconds(1), Days(7)),
            "lifetime of presigned GET links", " (the S3 limit)");
        public static readonly Setting<int> UploadConcurrency = Integer("upload_concurrency", 4, Limit<int>.Between(1, 64), "uploads in flight at once");

        /// <summary>The keys only an S3 store takes.</summary>
        public static readonly string[] S3Only = ["endpoint", "tls", "bucket", "region", "credentials_file"];

        public static readonly ConfigSection Section = new("### `evidence.store`", "type: s3, endpoint: minio.example:9000, bucket: vision-evidence",
            [Type, Directory, Endpoint, Tls, Bucket, Region, CredentialsFile, PresignExpiry, UploadConcurrency]);
    }

    internal static class Retention
    {
        public static readonly Setting<TimeSpan> Default = Duration("default", Days(180), Limit<TimeSpan>.AtLeast(Days(1)),
            "kept this long after confirmation unless a type says otherwise", subject: "retention");
        public static readonly Setting<TimeSpan> IllegalParking = PerType(ViolationTypeNames.IllegalParking);
        public static readonly Setting<TimeSpan> StreetStall = PerType(ViolationTypeNames.StreetStall);
        public static readonly Setting<TimeSpan> Litter = PerType(ViolationTypeNames.Litter);
        public static readonly Setting<TimeSpan> SweepInterval = Duration("sweep_interval", Hours(1), Limit<TimeSpan>.AtLeast(Minutes(1)), "how often expired evidence is deleted");

        public static Setting<TimeSpan> For(ViolationType type) => type switch
        {
            ViolationType.IllegalParking => IllegalParking,
            ViolationType.StreetStall => StreetStall,
            ViolationType.Litter => Litter,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };

        private static Setting<TimeSpan> PerType(string type) =>
            Duration(type, Limit<TimeSpan>.AtLeast(Days(1)), "per violation type; default: retention.default", subject: "retention");

        public static readonly ConfigSection Section = new("### `evidence.retention`", "default: 180d, illegal_parking: 180d, litter: 30d",
            [Default, IllegalParking, StreetStall, Litter, SweepInterval]);
    }

    internal static class Live
    {
        public static readonly Setting<TimeSpan> StallTimeout = Duration("stall_timeout", Seconds(10), Limit<TimeSpan>.AtLeast(Seconds(1)), "a stream silent this long is reopened");
        public static readonly Setting<TimeSpan> ReconnectInitial = Duration("reconnect_initial", Seconds(1), Limit<TimeSpan>.Above(Zero), "first wait before reconnecting");
        public static readonly Setting<TimeSpan> ReconnectMax = Duration("reconnect_max", Seconds(30), Limit<TimeSpan>.Above(Zero), "longest wait before reconnecting");
        public static readonly Setting<int> FramesPerCamera = Integer("frames_per_camera", 3, Limit<int>.Between(2, 16), "decoded frames a camera may have in flight");

        public static readonly ConfigSection Section = new("## `live`", "stall_timeout, reconnect_initial, reconnect_max, frames_per_camera",
            [StallTimeout, ReconnectInitial, ReconnectMax, FramesPerCamera]);
    }

    internal static class Recording
    {
        public static readonly Setting<bool> Enabled = Switch("enabled", true, "without it, live cases get no clip");
        public static readonly Setting<string> Directory = Text("directory", "recordings", "one sub-folder per camera", "path");
        public static readonly Setting<TimeSpan> SegmentLength = Duration("segment_length", Seconds(2), Limit<TimeSpan>.Between(Seconds(1), Seconds(30)), "length of a recorded segment");
        public static readonly Setting<TimeSpan> Keep = Duration("keep", Minutes(4), Limit<TimeSpan>.AtLeast(Seconds(10)), "video kept per camera", " (pre-roll plus a few segments)");
        public static readonly Setting<long> MaxBytesPerCamera = Bytes("max_bytes_per_camera", 256L << 20, Limit<double>.AtLeast(1 << 20), "hard cap per camera", " (1 MiB)");
        public static readonly Setting<long> MinFreeBytes = Bytes("min_free_bytes", 512L << 20, Limit<double>.NotBelow(0), "below this free space, cameras connect without recording");

        public static readonly ConfigSection Section = new("## `recording`", "enabled, directory, segment_length, keep, max_bytes_per_camera, min_free_bytes",
            [Enabled, Directory, SegmentLength, Keep, MaxBytesPerCamera, MinFreeBytes]);
    }

    internal static class Plates
    {
        public static readonly ConfigSection Section = new("## `plates`", "models", [new("models", "folder with the PP-OCRv4 plate models")]);
    }

    internal static class Database
    {
        public static readonly Setting<DatabaseBackend> Backend = Choice("backend", DatabaseBackend.Sqlite,
            [("sqlite", DatabaseBackend.Sqlite), ("postgres", DatabaseBackend.Postgres)], "database backend", "the embedded SQLite file, or a shared PostgreSQL");
        public static readonly Setting<string?> ConnectionStringEnv = OptionalText("connection_string_env", "postgres: the variable holding the connection string", "name");
        public static readonly Setting<string?> ConnectionStringFile = OptionalText("connection_string_file", "postgres: or a file holding it", "path");

        public static readonly ConfigSection Section = new("## `database`", "backend, connection_string_env, connection_string_file",
            [Backend, ConnectionStringEnv, ConnectionStringFile]);
    }

    internal static class Cluster
    {
        public static readonly Setting<int> Capacity = Integer("capacity", 25, Limit<int>.Between(1, 10_000), "this node's weight when cameras are shared", " (cameras this node can carry)");
        public static readonly Setting<TimeSpan> Lease = Duration("lease", Seconds(15), Limit<TimeSpan>.Between(Seconds(3), Minutes(10)), "a camera's lease");
        public static readonly Setting<TimeSpan> Heartbeat = Duration("heartbeat", Seconds(3), Limit<TimeSpan>.AtLeast(Ms(500)), "how often a node heartbeats and renews its leases");

        public static readonly ConfigSection Section = new("## `cluster`", "capacity, lease, heartbeat", [Capacity, Lease, Heartbeat]);
    }

    internal static class Console
    {
        // The idle clock of a session moves at most once a minute (a request writes its last use that rarely).
        public static readonly Setting<TimeSpan> SessionIdle = Duration("session_idle", Hours(8), Limit<TimeSpan>.Between(Minutes(5), Days(30)), "a session ends after this long without a request");
        public static readonly Setting<TimeSpan> SessionLifetime = Duration("session_lifetime", Hours(12), Limit<TimeSpan>.Between(Seconds(5), Days(90)), "a session ends this long after sign-in");

        public static readonly ConfigSection Section = new("## `console`", "session_idle, session_lifetime", [SessionIdle, SessionLifetime]);
    }

    internal static class Schedule
    {
        public static readonly ConfigSection Section = new("## `schedules.<name>`", "days, times, holidays, workdays",
        [
            new("timezone", "zone of the dates and times"), new("days", "weekdays that are on"), new("times", "time ranges"),
            new("holidays", "dates that are off"), new("workdays", "extra dates that are on"),
        ]);
    }

    internal static class Camera
    {
        public static readonly ConfigSection Section = new("## `cameras[]`", "id, source, zones, rules, ...",
        [
            new("id", "the camera's id"), new("name", "display name"), new("source", "one stream, analysed and recorded"),
            new("streams", "the sub-stream analysed and the main stream recorded"), new("timezone", "the camera's local time"),
            new("location", "where the camera looks"), new("analysis", "how its frames are analysed"), new("zones", "its zones"),
            new("zones_file", "its zones in their own file"), new("rules", "its rules"),
        ]);
    }

    internal static class Streams
    {
        public static readonly ConfigSection Section = new("## `cameras[]`", "detect: URL of the sub-stream, record: URL of the main stream",
            [new("detect", "the stream that is analysed"), new("record", "the stream that is recorded")], docKeyPrefix: "streams.");
    }

    internal static class Analysis
    {
        public static readonly (string, DecodeMode)[] DecodeModes = [("all", DecodeMode.All), ("keyframes", DecodeMode.Keyframes)];

        public static readonly Setting<double> Fps = Number("fps", 1, Limit<double>.AboveUpTo(0, 30), "frames analysed per second", " (frames analysed per second)");
        public static readonly Setting<int> MaxWidth = Integer("max_width", 1280, Limit<int>.NotBelow(64), "wider frames are scaled down before analysis", " pixels");
        public static readonly Setting<DecodeMode> Decode = Choice("decode", DecodeMode.All, DecodeModes, "decode mode", "decode every frame, or only keyframes");
        public static readonly Setting<bool> FastDecode = Switch("fast_decode", false, "skip deblocking on non-key frames");

        public static readonly ConfigSection Section = new("## `cameras[]`", "fps, max_width, decode, fast_decode, tiles",
            [Fps, MaxWidth, Decode, FastDecode, new("tiles", "tiled detection")], docKeyPrefix: "analysis.");
    }

    internal static class Tiles
    {
        public static readonly (string, TileArea)[] Areas = [("zones", TileArea.Zones), ("frame", TileArea.Frame)];

        public static readonly ConfigKey Grid = new("grid", "how the area is cut, COLUMNSxROWS");
        public static readonly Setting<double> Overlap = Number("overlap", TilesConfig.DefaultOverlap, Limit<double>.FromBelow(0, 0.5),
            "share of a tile's size shared with its neighbour", " (a fraction of a tile's size shared with its neighbour)");
        public static readonly Setting<TileArea> Area = Choice("area", TilesConfig.DefaultArea, Areas, "tile area", "the zones' padded bounding box, or the whole frame");

        public static readonly ConfigSection Section = new("### `analysis.tiles`", "{ grid: 2x1, overlap: 0.2, area: zones }", [Grid, Overlap, Area]);
    }

    internal static class Zone
    {
        public static readonly ConfigKey Id = new("id", "the zone's id");
        public static readonly ConfigKey Name = new("name", "display name");
        public static readonly ConfigKey Polygon = new("polygon", "corners as fractions of the frame");

        public static readonly ConfigSection Section = new("## `cameras[].zones[]`", "id, name, polygon", [Id, Name, Polygon]);
    }

    internal static class Location
    {
        public static readonly ConfigSection Section = new("## `cameras[].location`", "address: 人民路东侧人行道, lon: 116.397, lat: 39.909, grid: \"11010500100101\"",
        [
            new("address", "the street address"), new("lon", "longitude"), new("lat", "latitude"), new("grid", "unit grid cell code"),
            new("district", "district id"), new("street", "street id"), new("community", "community id"),
        ]);
    }

    /// <summary>Rule keys; their defaults are the rule type's (<see cref="RuleTypeDefaults"/>), or derived.</summary>
    internal static class Rule
    {
        public static readonly (string, AnchorPoint)[] Anchors = [("bottom_center", AnchorPoint.BottomCenter), ("center", AnchorPoint.Center)];

        public static readonly Setting<float> MinConfidence = Fraction("min_confidence", "least detection score for an object to count");
        public static readonly Setting<float> MinBoxSize = Fraction("min_box_size", "least of box width/height, as a fraction of frame height",
            subject: "min_box_size (a fraction of the frame height)");
        public static readonly Setting<float> HoldConfidence = Fraction("hold_confidence", "how low a started episode's object may dip");
        public static readonly Setting<TimeSpan> Dwell = Duration("dwell", Limit<TimeSpan>.Above(Zero), "how long an object must stay to be a violation",
            " (how long an object must stay before it is a violation)");
        public static readonly Setting<TimeSpan> Cooldown = Duration("cooldown", Limit<TimeSpan>.NotBelow(Zero), "after a case, how long the spot must stay clear", " (0 = no cooldown)");
        public static readonly Setting<AnchorPoint> Anchor = Choice("anchor", Anchors, "anchor", "point of the box tested against zones and for motion");
        public static readonly Setting<float> MaxMotion = Single("max_motion", Limit<double>.Above(0), "most the anchor may move to count as stationary",
            " (a fraction of the object's size)");
        public static readonly Setting<float> NearDistance = Single("near_distance", Limit<double>.NotBelow(0), "how close a near_classes object must be",
            " (gap between the boxes, in multiples of the nearby object's larger side)");
        public static readonly Setting<TimeSpan> AttendTime = Duration("attend_time", Limit<TimeSpan>.NotBelow(Zero),
            "how long a near_classes object must stay near to count (an owner, a vendor; not a passer-by)", " (0s: any near object counts at once)");

        public static readonly ConfigSection Section = new("## `cameras[].rules[]`", "id, type, zones, ...",
        [
            new("id", "the rule's id"), new("name", "display name"), new("type", "the violation type"), new("zones", "zones the rule watches"),
            new("classes", "detector classes the rule applies to"), MinConfidence, MinBoxSize, HoldConfidence, Dwell, Cooldown,
            new("schedule", "when the rule is active"), Anchor, MaxMotion, new("near_classes", "objects that must or must not be near"), NearDistance, AttendTime,
            new("version", "recorded with each case"), new("dispatch", "when this rule's cases are sent"), new("category", "this rule's case category"),
        ]);
    }

    internal static class Dispatch
    {
        public const string UrlExample = "https://dispatch.city.example/api/vision/cases";

        public static readonly Setting<CaseCodeSet> CodeSet = Choice("code_set", CaseCodeSet.CjT214,
            [("cjt214", CaseCodeSet.CjT214), ("gbt47678", CaseCodeSet.GbT47678)], "code set", "the event code set");
        public static readonly Setting<GridCodeFormat> GridFormat = Choice("grid_format", GridCodeFormat.CjT213,
            [("cjt213", GridCodeFormat.CjT213), ("gbt30428", GridCodeFormat.GbT30428)], "grid code format", "unit grid codes in camera locations");
        public static readonly Setting<CoordinateSystem> Coordinates = Choice("coordinates", CoordinateSystem.Wgs84,
            [("wgs84", CoordinateSystem.Wgs84), ("gcj02", CoordinateSystem.Gcj02)], "coordinate system", "coordinates sent to the core");
        public static readonly (string, DispatchPolicy)[] Policies = [("on_detection", DispatchPolicy.OnDetection), ("after_review", DispatchPolicy.AfterReview)];
        public static readonly Setting<DispatchPolicy> Send = Choice("send", DispatchPolicy.OnDetection, Policies, "dispatch policy", "send at once, or after review");
        public static readonly Setting<TimeSpan> Timeout = Duration("timeout", Seconds(10), Limit<TimeSpan>.Between(Seconds(1), Minutes(2)), "one delivery attempt", " (one attempt)");
        public static readonly Setting<int> MaxAttempts = Integer("max_attempts", 10, Limit<int>.Between(1, 100), "attempts before a case goes to the dead letters",
            " (then the case is dead-lettered)");
        public static readonly Setting<TimeSpan> RetryInitial = Duration("retry_initial", Seconds(2), Limit<TimeSpan>.Above(Zero), "first wait before a retry");
        public static readonly Setting<TimeSpan> RetryMax = Duration("retry_max", Minutes(10), Limit<TimeSpan>.Above(Zero), "longest wait between retries");
        public static readonly Setting<TimeSpan> OrderWait = Duration("order_wait", Minutes(10), Limit<TimeSpan>.Between(Zero, Days(1)),
            "how long a camera's later cases wait for an older case's evidence",
            " (how long a camera's later cases wait for an older case's evidence; 0s: not at all)");

        public static readonly ConfigSection Section = new("## `dispatch`", $"url: {UrlExample}, code_set: cjt214, ...",
        [
            new("url", "the dispatch core's intake address"), CodeSet, new("area_code", "GB/T 2260 area code"), GridFormat, Coordinates, Send,
            Timeout, MaxAttempts, RetryInitial, RetryMax, OrderWait,
            new("categories", "the category of each violation type's cases"), new("category_names", "codes the city added"),
        ]);
    }
}
