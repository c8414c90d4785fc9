using static Vision.Rules.Config.Setting;

namespace Vision.Rules.Config;

/// <summary>
/// Every key of vision.yaml, declared once per section: name, default, admitted values, meaning. Sections that map
/// onto one record (tracker, evidence, ...) are declared on the record's members (<see cref="SettingAttribute"/>);
/// sections with structure (stores, rules, dispatch) key by key here. The mapper reads these, and a test holds
/// docs/config.md to them.
/// </summary>
internal static class ConfigSchema
{
    private static readonly TimeSpan Zero = TimeSpan.Zero;

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
        public static readonly ConfigSection Section = ConfigSection.Of<DetectorConfig>("## `detector`", "model, provider, ...");
    }

    internal static class Tracker
    {
        public static readonly ConfigSection Section = ConfigSection.Of<TrackerConfig>("## `tracker`", "high_score, low_score, ...");
    }

    internal static class Evidence
    {
        public static readonly ConfigSection Section = ConfigSection.Of<EvidenceConfig>("## `evidence`", "pre_roll, post_roll, jpeg_quality");
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
        public static readonly ConfigSection Section = ConfigSection.Of<LiveConfig>("## `live`", "stall_timeout, reconnect_initial, reconnect_max, frames_per_camera");
    }

    internal static class Recording
    {
        public static readonly ConfigSection Section = ConfigSection.Of<RecordingConfig>("## `recording`",
            "enabled, directory, segment_length, keep, max_bytes_per_camera, min_free_bytes");
    }

    internal static class Plates
    {
        public static readonly ConfigSection Section = new("## `plates`", "models", [new("models", "folder with the PP-OCRv4 plate models")]);
    }

    internal static class Database
    {
        public static readonly ConfigSection Section = ConfigSection.Of<DatabaseConfig>("## `database`", "backend, connection_string_env, connection_string_file");
    }

    internal static class Cluster
    {
        public static readonly ConfigSection Section = ConfigSection.Of<ClusterConfig>("## `cluster`", "capacity, lease, heartbeat");
    }

    internal static class Console
    {
        public static readonly ConfigSection Section = ConfigSection.Of<ConsoleConfig>("## `console`", "session_idle, session_lifetime");
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
        public static readonly ConfigSection Section = ConfigSection.Of<AnalysisConfig>("## `cameras[]`", "fps, max_width, decode, fast_decode, tiles, new_objects", docKeyPrefix: "analysis.");
    }

    internal static class Tiles
    {
        public static readonly ConfigSection Section = ConfigSection.Of<TilesConfig>("### `analysis.tiles`", "{ grid: 2x1, overlap: 0.2, area: zones }");
    }

    internal static class NewObjects
    {
        public static readonly ConfigSection Section = ConfigSection.Of<NewObjectsConfig>("### `analysis.new_objects`", "{ stay_time: 2m, learn_time: 1m, absorb_after: 2h }");
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
