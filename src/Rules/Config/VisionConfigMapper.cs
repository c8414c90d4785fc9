using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;
using Vision.Rules.Schedules;
using Vision.Rules.Zones;
using YamlDotNet.RepresentationModel;

namespace Vision.Rules.Config;

/// <summary>Maps the YAML tree of one config file onto <see cref="VisionConfig"/>, validating every key and collecting every mistake.</summary>
internal sealed partial class VisionConfigMapper
{
    private static readonly string[] RootKeys = ["timezone", "detector", "tracker", "evidence", "live", "recording", "schedules", "cameras", "dispatch", "plates", "database", "cluster", "console"];
    private static readonly string[] DatabaseKeys = ["backend", "connection_string_env", "connection_string_file"];
    private static readonly string[] ClusterKeys = ["capacity", "lease", "heartbeat"];
    private static readonly string[] ConsoleKeys = ["session_idle", "session_lifetime"];
    private static readonly string[] PlatesKeys = ["models"];
    private static readonly string[] LiveKeys = ["stall_timeout", "reconnect_initial", "reconnect_max", "frames_per_camera"];
    private static readonly string[] RecordingKeys = ["enabled", "directory", "segment_length", "keep", "max_bytes_per_camera", "min_free_bytes"];
    private static readonly string[] DetectorKeys = ["model", "manifest", "provider", "threads", "min_score", "nms_iou", "max_batch", "max_batch_wait"];
    private static readonly string[] TrackerKeys = ["high_score", "low_score", "match_iou", "lost_timeout", "confirm_hits"];
    private static readonly string[] EvidenceKeys = ["pre_roll", "post_roll", "jpeg_quality", "directory", "spool_max_bytes", "store", "retention"];
    private static readonly string[] StoreKeys = ["type", "directory", "endpoint", "tls", "bucket", "region", "credentials_file", "presign_expiry", "upload_concurrency"];
    private static readonly string[] RetentionKeys = ["default", ViolationTypeNames.IllegalParking, ViolationTypeNames.StreetStall, ViolationTypeNames.Litter, "sweep_interval"];
    private static readonly (string, EvidenceStoreType)[] StoreTypes = [("local", EvidenceStoreType.Local), ("s3", EvidenceStoreType.S3)];
    private static readonly string[] ScheduleKeys = ["timezone", "days", "times", "holidays", "workdays"];
    private static readonly string[] CameraKeys = ["id", "name", "source", "streams", "timezone", "location", "analysis", "zones", "zones_file", "rules"];
    private static readonly string[] StreamKeys = ["detect", "record"];
    private const string StreamUrlExample = "rtsp://192.0.2.10:554/stream1";
    private static readonly string[] AnalysisKeys = ["fps", "max_width", "decode", "fast_decode", "tiles"];
    private static readonly string[] TilesKeys = ["grid", "overlap", "area"];
    private static readonly (string, TileArea)[] TileAreas = [("zones", TileArea.Zones), ("frame", TileArea.Frame)];
    private static readonly string[] ZoneKeys = ["id", "name", "polygon"];
    private static readonly string[] RuleKeys =
    [
        "id", "name", "type", "zones", "classes", "min_confidence", "min_box_size", "hold_confidence", "dwell", "cooldown",
        "schedule", "anchor", "max_motion", "near_classes", "near_distance", "version", "dispatch", "category",
    ];

    private static readonly (string, string)[] Providers = [("cpu", "cpu"), ("cuda", "cuda"), ("tensorrt", "tensorrt")];
    private static readonly (string, DecodeMode)[] DecodeModes = [("all", DecodeMode.All), ("keyframes", DecodeMode.Keyframes)];
    private static readonly (string, AnchorPoint)[] Anchors = [("bottom_center", AnchorPoint.BottomCenter), ("center", AnchorPoint.Center)];
    private static readonly (string, ViolationType)[] RuleTypes =
    [
        (ViolationTypeNames.IllegalParking, ViolationType.IllegalParking),
        (ViolationTypeNames.StreetStall, ViolationType.StreetStall),
        (ViolationTypeNames.Litter, ViolationType.Litter),
    ];
    private static readonly (string, DayOfWeek)[] DayNames =
    [
        ("mon", DayOfWeek.Monday), ("tue", DayOfWeek.Tuesday), ("wed", DayOfWeek.Wednesday), ("thu", DayOfWeek.Thursday),
        ("fri", DayOfWeek.Friday), ("sat", DayOfWeek.Saturday), ("sun", DayOfWeek.Sunday),
        ("monday", DayOfWeek.Monday), ("tuesday", DayOfWeek.Tuesday), ("wednesday", DayOfWeek.Wednesday), ("thursday", DayOfWeek.Thursday),
        ("friday", DayOfWeek.Friday), ("saturday", DayOfWeek.Saturday), ("sunday", DayOfWeek.Sunday),
    ];

    private const string PolygonExample = "[[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]";
    private const int MaxDateRangeDays = 366;

    // The reader of the file being mapped: the config's own, or an included zones file's while its zones are read.
    private YamlConfigReader _r;
    private readonly string _sourcePath;
    private readonly ConfigIncludes _includes;
    private readonly Dictionary<string, Schedule> _schedules = new(StringComparer.Ordinal);
    private readonly List<string> _scheduleNames = [];
    private readonly Dictionary<string, ConfigLocation> _ruleIds = new(StringComparer.Ordinal);
    private string _timeZoneId = TimeZoneNames.Default;
    private float _holdConfidenceDefault = 0.1f;
    private TimeZoneInfo? _timeZone;

    public VisionConfigMapper(YamlConfigReader reader, string sourcePath, ConfigIncludes includes)
    {
        _r = reader;
        _sourcePath = sourcePath;
        _includes = includes;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex IdPattern();

    /// <summary>The config, or null when any error was recorded.</summary>
    public VisionConfig? Map(YamlNode root)
    {
        var map = _r.Map(root, "", RootKeys, "detector, cameras, ...");
        if (map is null) return null;

        var tzNode = map.GetSet("timezone");
        if (tzNode is not null && _r.Text(tzNode, "timezone", "a time zone name such as Asia/Shanghai") is { } tzText)
        {
            _timeZoneId = tzText.Trim();
            _timeZone = TimeZoneNames.TryFind(_timeZoneId);
            if (_timeZone is null) _r.Error(tzNode, "timezone", TimeZoneNames.UnknownMessage(_timeZoneId));
        }
        else
        {
            _timeZone = TimeZoneNames.TryFind(_timeZoneId);
        }

        if (map.GetSet("schedules") is { } schedulesNode) ReadSchedules(schedulesNode, "schedules");

        DetectorConfig? detector = null;
        if (map.Required("detector", "{ model: yolox_nano }") is { } detectorNode) detector = ReadDetector(detectorNode, "detector");

        var tracker = map.GetSet("tracker") is { } trackerNode ? ReadTracker(trackerNode, "tracker") : ReadTracker(null, "tracker");
        if (tracker is not null) _holdConfidenceDefault = tracker.LowScore;
        var evidence = map.GetSet("evidence") is { } evidenceNode ? ReadEvidence(evidenceNode, "evidence") : ReadEvidence(null, "evidence");
        var live = map.GetSet("live") is { } liveNode ? ReadLive(liveNode, "live") : LiveConfig.Default;
        var recording = map.GetSet("recording") is { } recordingNode ? ReadRecording(recordingNode, "recording") : RecordingConfig.Default;

        var plates = map.GetSet("plates") is { } platesNode ? ReadPlates(platesNode, "plates") : null;
        var database = map.GetSet("database") is { } databaseNode ? ReadDatabase(databaseNode, "database") : DatabaseConfig.Embedded;
        var cluster = map.GetSet("cluster") is { } clusterNode ? ReadCluster(clusterNode, "cluster", database) : null;
        var console = map.GetSet("console") is { } consoleNode ? ReadConsole(consoleNode, "console") : ConsoleConfig.Default;

        // Before cameras: their locations and rules are checked against the dispatch code set.
        var dispatch = map.GetSet("dispatch") is { } dispatchNode ? ReadDispatch(dispatchNode, "dispatch") : null;

        var cameras = new List<CameraConfig>();
        var camerasNode = map.Get("cameras");
        if (camerasNode is null)
            _r.Error(_r.At(root), "cameras", "missing required key 'cameras'; list at least one camera, e.g. 'cameras: [{ id: cam-01, ... }]'");
        else
            ReadCameras(camerasNode, "cameras", cameras);

        if (_r.Errors.Count > 0 || detector is null) return null;
        return new VisionConfig(_sourcePath, detector, tracker!, evidence!, _schedules.ToFrozenDictionary(StringComparer.Ordinal), cameras, _r.Locations)
        {
            Live = live!,
            Recording = recording!,
            Dispatch = dispatch,
            Plates = plates,
            Database = database ?? DatabaseConfig.Embedded,
            Cluster = cluster,
            Console = console ?? ConsoleConfig.Default,
            IncludedFiles = [.. _includes.Paths],
        };
    }

    private DatabaseConfig? ReadDatabase(YamlNode node, string path)
    {
        var m = _r.Map(node, path, DatabaseKeys, "backend, connection_string_env, connection_string_file");
        if (m is null) return null;
        var backend = m.Choice("backend", DatabaseBackend.Sqlite, [("sqlite", DatabaseBackend.Sqlite), ("postgres", DatabaseBackend.Postgres)], "database backend");
        var env = m.OptionalText("connection_string_env")?.Trim();
        var file = m.OptionalText("connection_string_file")?.Trim();
        if (backend == DatabaseBackend.Sqlite)
        {
            if (env is not null || file is not null)
                m.Error(env is not null ? "connection_string_env" : "connection_string_file", "is only for backend: postgres (SQLite is the file vision.db in evidence.directory)");
            return DatabaseConfig.Embedded;
        }
        if ((env is null) == (file is null))
        {
            m.Error("backend", "postgres needs exactly one of connection_string_env (an environment variable holding the connection string, e.g. VISION_DATABASE_URL) or connection_string_file (a file holding it); the string itself never goes in the config");
            return null;
        }
        return new DatabaseConfig(backend) { ConnectionStringVariable = env, ConnectionStringFile = file };
    }

    private ClusterConfig? ReadCluster(YamlNode node, string path, DatabaseConfig? database)
    {
        var m = _r.Map(node, path, ClusterKeys, "capacity, lease, heartbeat");
        if (m is null) return null;
        if (database is { Backend: DatabaseBackend.Sqlite })
            _r.Error(node, path, "needs database.backend: postgres: the nodes of a cluster share one PostgreSQL database");
        int capacity = m.Integer("capacity", 25, v => v is >= 1 and <= 10_000 ? null : "capacity must be between 1 and 10000 (cameras this node can carry)");
        var lease = m.Duration("lease", TimeSpan.FromSeconds(15), v => v >= TimeSpan.FromSeconds(3) && v <= TimeSpan.FromMinutes(10) ? null : "lease must be between 3s and 10m");
        var heartbeat = m.Duration("heartbeat", TimeSpan.FromSeconds(3), v => v >= TimeSpan.FromMilliseconds(500) ? null : "heartbeat must be at least 500ms");
        if (heartbeat * 2 > lease)
            m.Error("heartbeat", $"heartbeat ({heartbeat.TotalSeconds:0.#}s) must be at most half the lease ({lease.TotalSeconds:0.#}s), so a live node renews its leases before they lapse");
        return new ClusterConfig(capacity, lease, heartbeat);
    }

    private ConsoleConfig? ReadConsole(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConsoleKeys, "session_idle, session_lifetime");
        if (m is null) return null;
        // The idle clock of a session moves at most once a minute (a request writes its last use that rarely).
        var idle = m.Duration("session_idle", ConsoleConfig.Default.SessionIdle,
            v => v >= TimeSpan.FromMinutes(5) && v <= TimeSpan.FromDays(30) ? null : "session_idle must be between 5m and 30d");
        var lifetime = m.Duration("session_lifetime", ConsoleConfig.Default.SessionLifetime,
            v => v >= TimeSpan.FromSeconds(5) && v <= TimeSpan.FromDays(90) ? null : "session_lifetime must be between 5s and 90d");
        return new ConsoleConfig(idle, lifetime);
    }

    private PlatesConfig? ReadPlates(YamlNode node, string path)
    {
        var m = _r.Map(node, path, PlatesKeys, "models");
        if (m is null) return null;
        if (m.Get("models") is null)
        {
            m.Error("models", "missing required key 'models': the folder holding the PP-OCRv4 plate models (get them with scripts/get-plate-models.sh)");
            return null;
        }
        var models = m.OptionalText("models");
        if (string.IsNullOrWhiteSpace(models))
        {
            m.Error("models", "is blank; write the folder holding the PP-OCRv4 plate models, e.g. models/ppocr");
            return null;
        }
        return new PlatesConfig(models.Trim());
    }

    private DetectorConfig? ReadDetector(YamlNode node, string path)
    {
        var m = _r.Map(node, path, DetectorKeys, "model, provider, ...");
        if (m is null) return null;
        string? model = null;
        if (m.Required("model", "yolox_nano") is { } modelNode)
        {
            model = _r.Text(modelNode, m.PathOf("model"), "a model name or a path to an .onnx file");
            if (model is not null && string.IsNullOrWhiteSpace(model))
            {
                _r.Error(modelNode, m.PathOf("model"), "is blank; write a model name (yolox_nano) or a path to an .onnx file");
                model = null;
            }
        }
        var manifest = m.OptionalText("manifest");
        string provider;
        if (m.GetSet("provider") is YamlScalarNode { Value: { } providerText } providerNode && providerText.Trim().Equals("gpu", StringComparison.OrdinalIgnoreCase))
        {
            _r.Error(providerNode, m.PathOf("provider"), $"unknown provider '{providerText}': for an NVIDIA GPU write cuda (or tensorrt); valid: cpu, cuda, tensorrt");
            provider = "cpu";
        }
        else provider = m.Choice("provider", "cpu", Providers, "provider");
        int threads = m.Integer("threads", 0, v => v >= 0 ? null : "threads must be >= 0 (0 = the runtime's default)");
        float minScore = m.Fraction("min_score", 0.1f, "min_score");
        float nmsIou = m.Fraction("nms_iou", 0.45f, "nms_iou");
        int maxBatch = m.Integer("max_batch", 8, v => v >= 1 ? null : "max_batch must be >= 1");
        var maxBatchWait = m.Duration("max_batch_wait", TimeSpan.FromMilliseconds(20), v => v >= TimeSpan.Zero ? null : "max_batch_wait must be >= 0");
        return model is null ? null : new DetectorConfig(model.Trim(), manifest, provider, threads, minScore, nmsIou, maxBatch, maxBatchWait);
    }

    private TrackerConfig? ReadTracker(YamlNode? node, string path)
    {
        var m = node is null ? null : _r.Map(node, path, TrackerKeys, "high_score, low_score, ...");
        if (node is not null && m is null) return null;
        float high = m?.Fraction("high_score", 0.3f, "high_score") ?? 0.3f;
        float low = m?.Fraction("low_score", 0.1f, "low_score") ?? 0.1f;
        if (m is not null && low >= high)
        {
            var message = string.Create(CultureInfo.InvariantCulture,
                $"low_score ({low}) must be below high_score ({high}): low-score detections only extend tracks that high-score detections started");
            if (m.Get("low_score") is not null) m.Error("low_score", message);
            else m.Error("high_score", message);
        }
        float matchIou = m?.Fraction("match_iou", 0.2f, "match_iou") ?? 0.2f;
        var lostTimeout = m?.Duration("lost_timeout", TimeSpan.FromSeconds(30), v => v > TimeSpan.Zero ? null : "lost_timeout must be > 0") ?? TimeSpan.FromSeconds(30);
        int confirmHits = m?.Integer("confirm_hits", 2, v => v >= 1 ? null : "confirm_hits must be >= 1") ?? 2;
        return new TrackerConfig(high, low, matchIou, lostTimeout, confirmHits);
    }

    private EvidenceConfig? ReadEvidence(YamlNode? node, string path)
    {
        var m = node is null ? null : _r.Map(node, path, EvidenceKeys, "pre_roll, post_roll, jpeg_quality");
        if (node is not null && m is null) return null;
        var preRoll = m?.Duration("pre_roll", TimeSpan.FromSeconds(5), v => v >= TimeSpan.Zero ? null : "pre_roll must be >= 0") ?? TimeSpan.FromSeconds(5);
        var postRoll = m?.Duration("post_roll", TimeSpan.FromSeconds(5), v => v >= TimeSpan.Zero ? null : "post_roll must be >= 0") ?? TimeSpan.FromSeconds(5);
        int quality = m?.Integer("jpeg_quality", 90, v => v is >= 1 and <= 100 ? null : "jpeg_quality must be between 1 and 100") ?? 90;
        string directory = m?.OptionalText("directory") ?? "evidence";
        long spoolMax = (long)(m?.Number("spool_max_bytes", EvidenceConfig.DefaultSpoolMaxBytes, v => v >= 64 << 20 ? null : "spool_max_bytes must be at least 67108864 (64 MiB)") ?? EvidenceConfig.DefaultSpoolMaxBytes);
        var store = m?.GetSet("store") is { } storeNode ? ReadStore(storeNode, m.PathOf("store")) : EvidenceStoreConfig.LocalDefault;
        var retention = m?.GetSet("retention") is { } retentionNode ? ReadRetention(retentionNode, m.PathOf("retention")) : RetentionConfig.Default;
        return new EvidenceConfig(preRoll, postRoll, quality)
        {
            Directory = directory,
            SpoolMaxBytes = spoolMax,
            Store = store ?? EvidenceStoreConfig.LocalDefault,
            Retention = retention ?? RetentionConfig.Default,
        };
    }

    private EvidenceStoreConfig? ReadStore(YamlNode node, string path)
    {
        var m = _r.Map(node, path, StoreKeys, "type: s3, endpoint: minio.example:9000, bucket: vision-evidence");
        if (m is null) return null;
        var d = EvidenceStoreConfig.LocalDefault;
        var type = m.Choice("type", d.Type, StoreTypes, "evidence store type");
        string? directory = m.OptionalText("directory");
        var presign = m.Duration("presign_expiry", d.PresignExpiry, v => v >= TimeSpan.FromSeconds(1) && v <= TimeSpan.FromDays(7) ? null : "presign_expiry must be between 1s and 7d (the S3 limit)");
        int concurrency = m.Integer("upload_concurrency", d.UploadConcurrency, v => v is >= 1 and <= 64 ? null : "upload_concurrency must be between 1 and 64");
        if (type == EvidenceStoreType.Local)
        {
            foreach (var s3Only in new[] { "endpoint", "tls", "bucket", "region", "credentials_file" })
                if (m.Get(s3Only) is not null) m.ErrorAtKey(s3Only, $"'{s3Only}' is for 'type: s3'; a local store only takes 'directory'");
            return d with { Directory = directory, PresignExpiry = presign, UploadConcurrency = concurrency };
        }

        if (directory is not null) m.ErrorAtKey("directory", "'directory' is for 'type: local'; an S3 store takes endpoint and bucket");
        bool? tlsWritten = m.Get("tls") is null ? null : m.Choice("tls", true, [("true", true), ("false", false)], "tls setting");
        string? host = null;
        int port = 0;
        bool tls = tlsWritten ?? true;
        if (m.Required("endpoint", "minio.example:9000") is { } endpointNode && _r.Text(endpointNode, m.PathOf("endpoint"), "endpoint") is { } endpoint)
        {
            if (ParseEndpoint(endpoint.Trim(), tlsWritten) is { } parsed && parsed.Error is null)
                (host, port, tls) = (parsed.Host, parsed.Port, parsed.Tls);
            else
                m.Error("endpoint", parsed.Error ?? "bad endpoint");
        }
        string bucket = m.OptionalText("bucket") ?? d.Bucket;
        if (!BucketName().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
            m.Error("bucket", $"'{bucket}' is not a valid S3 bucket name: 3-63 characters, lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        string region = m.OptionalText("region") ?? d.Region;
        string? credentials = m.OptionalText("credentials_file");
        return new EvidenceStoreConfig(EvidenceStoreType.S3, null, host, port, tls, bucket, region, credentials, presign, concurrency);
    }

    /// <summary>
    /// "host:port", "host" or "http(s)://host[:port]". A scheme decides TLS; it must agree with an explicit
    /// <c>tls</c>. The port defaults to 443 with TLS and 80 without.
    /// </summary>
    internal static (string Host, int Port, bool Tls, string? Error) ParseEndpoint(string text, bool? tlsWritten)
    {
        bool tls = tlsWritten ?? true;
        string rest = text;
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            string scheme = text[..schemeEnd].ToLowerInvariant();
            if (scheme is not ("http" or "https"))
                return ("", 0, tls, $"'{text}' has scheme '{scheme}': write host:port, or an http:// or https:// URL");
            bool schemeTls = scheme == "https";
            if (tlsWritten is { } written && written != schemeTls)
                return ("", 0, tls, $"'{text}' says {scheme} but tls is {(written ? "true" : "false")}: make them agree or drop one");
            tls = schemeTls;
            rest = text[(schemeEnd + 3)..];
        }
        rest = rest.TrimEnd('/');
        if (rest.Contains('/', StringComparison.Ordinal) || rest.Contains('@', StringComparison.Ordinal))
            return ("", 0, tls, $"'{text}' must be only host and port (no path, no credentials): put the bucket in 'bucket' and keys in the environment or credentials_file");
        if (!Uri.TryCreate($"http://{rest}", UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            return ("", 0, tls, $"'{text}' is not a host:port, e.g. minio.example:9000");
        int port = rest.EndsWith($":{uri.Port}", StringComparison.Ordinal) ? uri.Port : tls ? 443 : 80;
        return (uri.Host, port, tls, null);
    }

    private RetentionConfig? ReadRetention(YamlNode node, string path)
    {
        var m = _r.Map(node, path, RetentionKeys, "default: 180d, illegal_parking: 180d, litter: 30d");
        if (m is null) return null;
        var d = RetentionConfig.Default;
        static string? AtLeastADay(TimeSpan v) => v >= TimeSpan.FromDays(1) ? null : "retention must be at least 1d";
        var fallback = m.Duration("default", d.DefaultKeep, AtLeastADay);
        var byType = new Dictionary<ViolationType, TimeSpan>();
        foreach (var type in Enum.GetValues<ViolationType>())
            if (m.Get(type.ToWire()) is not null)
                byType[type] = m.Duration(type.ToWire(), fallback, AtLeastADay);
        var sweep = m.Duration("sweep_interval", d.SweepInterval, v => v >= TimeSpan.FromMinutes(1) ? null : "sweep_interval must be at least 1m");
        return new RetentionConfig(fallback, byType, sweep);
    }

    private LiveConfig? ReadLive(YamlNode node, string path)
    {
        var m = _r.Map(node, path, LiveKeys, "stall_timeout, reconnect_initial, reconnect_max, frames_per_camera");
        if (m is null) return null;
        var d = LiveConfig.Default;
        var stall = m.Duration("stall_timeout", d.StallTimeout, v => v >= TimeSpan.FromSeconds(1) ? null : "stall_timeout must be at least 1s");
        var initial = m.Duration("reconnect_initial", d.ReconnectInitial, v => v > TimeSpan.Zero ? null : "reconnect_initial must be > 0");
        var max = m.Duration("reconnect_max", d.ReconnectMax, v => v > TimeSpan.Zero ? null : "reconnect_max must be > 0");
        if (max < initial) m.Error("reconnect_max", $"reconnect_max ({ConfigDuration.Format(max)}) must not be below reconnect_initial ({ConfigDuration.Format(initial)})");
        int frames = m.Integer("frames_per_camera", d.FramesPerCamera, v => v is >= 2 and <= 16 ? null : "frames_per_camera must be between 2 and 16");
        return new LiveConfig(stall, initial, max, frames);
    }

    private RecordingConfig? ReadRecording(YamlNode node, string path)
    {
        var m = _r.Map(node, path, RecordingKeys, "enabled, directory, segment_length, keep, max_bytes_per_camera, min_free_bytes");
        if (m is null) return null;
        var d = RecordingConfig.Default;
        bool enabled = m.Choice("enabled", d.Enabled, [("true", true), ("false", false)], "enabled");
        string directory = m.OptionalText("directory") ?? d.Directory;
        var segment = m.Duration("segment_length", d.SegmentLength, v => v >= TimeSpan.FromSeconds(1) && v <= TimeSpan.FromSeconds(30) ? null : "segment_length must be between 1s and 30s");
        var keep = m.Duration("keep", d.Keep, v => v >= TimeSpan.FromSeconds(10) ? null : "keep must be at least 10s (pre-roll plus a few segments)");
        long maxBytes = (long)m.Number("max_bytes_per_camera", d.MaxBytesPerCamera, v => v >= 1 << 20 ? null : "max_bytes_per_camera must be at least 1048576 (1 MiB)");
        long minFree = (long)m.Number("min_free_bytes", d.MinFreeBytes, v => v >= 0 ? null : "min_free_bytes must be >= 0");
        return new RecordingConfig(directory, segment, keep, maxBytes, minFree, enabled);
    }

    private void ReadSchedules(YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            _r.Error(node, path, $"expected a mapping of schedule names to schedules (e.g. 'daytime: {{ times: [\"07:00-21:00\"] }}'), got {YamlConfigReader.Describe(node)}");
            return;
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name } || YamlConfigReader.IsNull(keyNode))
            {
                _r.Error(keyNode, path, $"schedule names must be plain names, got {YamlConfigReader.Describe(keyNode)}");
                continue;
            }
            var schedulePath = YamlConfigReader.Child(path, name);
            _r.Locations.Add(schedulePath, _r.At(keyNode));
            _scheduleNames.Add(name);
            if (!CheckId(name, keyNode, schedulePath, "schedule name")) continue;
            var schedule = ReadSchedule(name, YamlConfigReader.IsNull(value) ? null : value, schedulePath);
            if (schedule is not null) _schedules[name] = schedule;
        }
    }

    private Schedule? ReadSchedule(string name, YamlNode? node, string path)
    {
        var m = node is null ? null : _r.Map(node, path, ScheduleKeys, "days, times, holidays, workdays");
        if (node is not null && m is null) return null;
        bool ok = true;

        var timeZone = _timeZone;
        if (m?.GetSet("timezone") is { } tzNode)
        {
            var tzText = _r.Text(tzNode, m.PathOf("timezone"), "a time zone name such as Asia/Shanghai");
            timeZone = tzText is null ? null : TimeZoneNames.TryFind(tzText.Trim());
            if (tzText is not null && timeZone is null) _r.Error(tzNode, m.PathOf("timezone"), TimeZoneNames.UnknownMessage(tzText.Trim()));
        }
        ok &= timeZone is not null;

        IReadOnlySet<DayOfWeek>? days = null;
        if (m?.GetSet("days") is { } daysNode)
        {
            var items = _r.Sequence(daysNode, m.PathOf("days"), "[mon, tue, wed, thu, fri]");
            if (items is null) ok = false;
            else
            {
                var set = new HashSet<DayOfWeek>();
                foreach (var (item, itemPath) in items)
                {
                    if (ReadDay(item, itemPath) is { } day) set.Add(day);
                    else ok = false;
                }
                days = set.ToFrozenSet();
            }
        }

        List<TimeOfDayRange>? ranges = null;
        if (m?.GetSet("times") is { } timesNode)
        {
            var items = _r.Sequence(timesNode, m.PathOf("times"), "[\"07:00-21:00\"]");
            if (items is null) ok = false;
            else if (items.Count == 0)
            {
                _r.Error(timesNode, m.PathOf("times"), "is empty, so the schedule would never be on; list time ranges or remove 'times' for all day");
                ok = false;
            }
            else
            {
                ranges = [];
                foreach (var (item, itemPath) in items)
                {
                    var text = _r.Text(item, itemPath, $"a time range such as {TimeOfDayRange.Examples}");
                    if (text is null) { ok = false; continue; }
                    if (TimeOfDayRange.TryParse(text, out var range)) ranges.Add(range);
                    else
                    {
                        _r.Error(item, itemPath, $"bad time range '{text}': write HH:MM-HH:MM with hours 00-23 (end may be 24:00), e.g. {TimeOfDayRange.Examples}");
                        ok = false;
                    }
                }
            }
        }

        var holidays = m?.GetSet("holidays") is { } holidaysNode ? ReadDates(holidaysNode, m.PathOf("holidays")) : [];
        var workdays = m?.GetSet("workdays") is { } workdaysNode ? ReadDates(workdaysNode, m.PathOf("workdays")) : [];
        if (holidays is null || workdays is null) ok = false;
        else
        {
            foreach (var (date, (item, itemPath)) in workdays)
            {
                if (holidays.ContainsKey(date))
                {
                    _r.Error(item, itemPath, $"{date:yyyy-MM-dd} is listed in both holidays and workdays; keep it in one of them");
                    ok = false;
                }
            }
        }

        if (!ok) return null;
        return new Schedule
        {
            Name = name,
            TimeZone = timeZone!,
            Days = days ?? Schedule.EveryDayOfWeek,
            TimeRanges = ranges ?? [TimeOfDayRange.AllDay],
            Holidays = holidays!.Keys.ToFrozenSet(),
            ExtraWorkdays = workdays!.Keys.ToFrozenSet(),
        };
    }

    private DayOfWeek? ReadDay(YamlNode node, string path)
    {
        var text = _r.Text(node, path, "a day name (mon, tue, ...)");
        if (text is null) return null;
        foreach (var (word, day) in DayNames)
            if (string.Equals(word, text.Trim(), StringComparison.OrdinalIgnoreCase)) return day;
        var shortNames = new List<string>(7);
        for (int i = 0; i < 7; i++) shortNames.Add(DayNames[i].Item1);
        var allNames = new List<string>(DayNames.Length);
        foreach (var (word, _) in DayNames) allNames.Add(word);
        var closest = Suggestions.Closest(text, allNames);
        var hint = closest is null ? "" : $" (did you mean '{closest}'?)";
        _r.Error(node, path, $"bad day name '{text}'{hint}; use {string.Join(", ", shortNames)}");
        return null;
    }

    /// <summary>Dates "YYYY-MM-DD" or ranges "YYYY-MM-DD..YYYY-MM-DD", each with the list item it came from.</summary>
    private Dictionary<DateOnly, (YamlNode, string)>? ReadDates(YamlNode node, string path)
    {
        var items = _r.Sequence(node, path, "[2026-10-01, 2026-10-02]");
        if (items is null) return null;
        var dates = new Dictionary<DateOnly, (YamlNode, string)>();
        bool ok = true;
        foreach (var (item, itemPath) in items)
        {
            var text = _r.Text(item, itemPath, "a date YYYY-MM-DD");
            if (text is null) { ok = false; continue; }
            text = text.Trim();
            int dots = text.IndexOf("..", StringComparison.Ordinal);
            string firstText = dots < 0 ? text : text[..dots].Trim();
            string lastText = dots < 0 ? text : text[(dots + 2)..].Trim();
            if (!TryDate(firstText, out var first) || !TryDate(lastText, out var last))
            {
                _r.Error(item, itemPath, $"bad date '{text}': write dates as YYYY-MM-DD, e.g. 2026-10-01, or a range 2026-10-01..2026-10-07");
                ok = false;
                continue;
            }
            if (last < first || last.DayNumber - first.DayNumber >= MaxDateRangeDays)
            {
                _r.Error(item, itemPath, $"bad date range '{text}': the end must be on or after the start and within {MaxDateRangeDays} days of it");
                ok = false;
                continue;
            }
            for (var date = first; date <= last; date = date.AddDays(1)) dates.TryAdd(date, (item, itemPath));
        }
        return ok ? dates : null;
    }

    private static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private void ReadCameras(YamlNode node, string path, List<CameraConfig> cameras)
    {
        const string example = "[{ id: cam-01, zones: [...], rules: [...] }]";
        if (YamlConfigReader.IsNull(node))
        {
            _r.Error(node, path, $"no cameras: list at least one camera, e.g. 'cameras: {example}'");
            return;
        }
        var items = _r.Sequence(node, path, example);
        if (items is null) return;
        if (items.Count == 0)
        {
            _r.Error(node, path, $"no cameras: list at least one camera, e.g. 'cameras: {example}'");
            return;
        }
        var seen = new Dictionary<string, ConfigLocation>(StringComparer.Ordinal);
        foreach (var (item, itemPath) in items)
        {
            var camera = ReadCamera(item, itemPath, seen);
            if (camera is not null) cameras.Add(camera);
        }
    }

    private CameraConfig? ReadCamera(YamlNode node, string path, Dictionary<string, ConfigLocation> seenIds)
    {
        var m = _r.Map(node, path, CameraKeys, "id, source, zones, rules, ...");
        if (m is null) return null;
        var id = ReadId(m, "cam-01", "camera id", seenIds, "camera ids must be unique");
        var name = m.OptionalText("name") ?? id;
        var (source, recordSource, streamsOk) = ReadSources(m);

        string timeZoneId = _timeZoneId;
        if (m.GetSet("timezone") is { } tzNode && _r.Text(tzNode, m.PathOf("timezone"), "a time zone name such as Asia/Shanghai") is { } tzText)
        {
            timeZoneId = tzText.Trim();
            if (TimeZoneNames.TryFind(timeZoneId) is null) m.Error("timezone", TimeZoneNames.UnknownMessage(timeZoneId));
        }

        var location = m.GetSet("location") is { } locationNode ? ReadLocation(locationNode, m.PathOf("location")) : CameraLocation.Unknown;
        var analysis = m.GetSet("analysis") is { } analysisNode ? ReadAnalysis(analysisNode, m.PathOf("analysis")) : new AnalysisConfig(1, 1280, DecodeMode.All);

        var zones = new List<Zone>();
        var zoneIds = new List<string>();
        string? zonesFile = null;
        // A zones file that cannot be read leaves the zone ids unknown: the rules' zone names are then not checked (nor reported).
        bool zonesKnown = true;
        if (m.Get("zones_file") is not null)
        {
            if (m.Get("zones") is not null)
            {
                m.ErrorAtKey("zones_file", "write the camera's zones either under 'zones' or in the file 'zones_file' names, not both (the console's zone editor writes the zones file)");
                zonesKnown = false;
            }
            else
                (zonesFile, zonesKnown) = ReadZonesFile(m, zones, zoneIds);
        }
        else if (m.GetSet("zones") is { } zonesNode)
            zonesKnown = ReadZones(zonesNode, m.PathOf("zones"), zones, zoneIds);

        if (analysis?.Tiles is { Area: TileArea.Zones } && zones.Count == 0 && m.GetSet("zones") is null)
            _r.Error(m.Get("analysis")!, m.PathOf("analysis") + ".tiles.area", TilesConfig.AreaWithoutZones);

        var rules = new List<RuleDefinition>();
        if (m.GetSet("rules") is { } rulesNode && _r.Sequence(rulesNode, m.PathOf("rules"), "[{ id: parking, type: illegal_parking, zones: [kerb] }]") is { } ruleItems)
        {
            foreach (var (ruleNode, rulePath) in ruleItems)
            {
                var rule = ReadRule(ruleNode, rulePath, id is null ? "this camera" : $"camera '{id}'", zones, zonesKnown ? zoneIds : null);
                if (rule is not null) rules.Add(rule);
            }
        }

        return id is null || analysis is null || location is null || !streamsOk
            ? null
            : new CameraConfig(id, name ?? id, source, timeZoneId, analysis, zones, rules) { Location = location, RecordSource = recordSource, ZonesFile = zonesFile };
    }

    /// <returns>False when there are too many zones to read (their ids are then unknown).</returns>
    private bool ReadZones(YamlNode node, string path, List<Zone> zones, List<string> zoneIds)
    {
        if (_r.Sequence(node, path, "[{ id: kerb, polygon: " + PolygonExample + " }]") is not { } zoneItems) return true;
        if (zoneItems.Count > Zone.MaxPerCamera)
        {
            _r.Error(node, path, $"a camera has at most {Zone.MaxPerCamera} zones, got {zoneItems.Count}: merge zones that share their rules, or remove the ones no rule uses");
            return false;
        }
        var seenZones = new Dictionary<string, ConfigLocation>(StringComparer.Ordinal);
        foreach (var (zoneNode, zonePath) in zoneItems)
        {
            var zone = ReadZone(zoneNode, zonePath, seenZones, zoneIds);
            if (zone is not null) zones.Add(zone);
        }
        return true;
    }

    /// <summary>
    /// The zones of a camera from its <c>zones_file</c> (relative to the config file): a YAML list of zones exactly as
    /// under <c>zones</c>, whose mistakes name that file's line and column. An empty file is a camera without zones.
    /// Returns the file's full path (also when it has mistakes, so the hot reload watches it; null when the key is
    /// unusable) and whether its zone ids are known (false when the file could not be read as a list).
    /// </summary>
    private (string? Path, bool ZonesKnown) ReadZonesFile(YamlMap camera, List<Zone> zones, List<string> zoneIds)
    {
        const string example = "zones/cam-01.yaml";
        if (camera.Required("zones_file", example) is not { } node) return (null, false);
        var written = _r.Text(node, camera.PathOf("zones_file"), "a file path such as " + example);
        if (written is null) return (null, false);
        if (string.IsNullOrWhiteSpace(written))
        {
            _r.Error(node, camera.PathOf("zones_file"), $"is blank; write the path of the camera's zones file (relative to this config), e.g. {example}");
            return (null, false);
        }
        written = written.Trim();
        string fullPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_sourcePath)) ?? ".", written));
        // Messages name the zones file the way the config file is named (relative stays relative).
        string shownName = Path.IsPathRooted(written) ? written : Path.Combine(Path.GetDirectoryName(_r.File) ?? "", written);
        var text = _includes.Read(fullPath, out var problem);
        if (text is null)
        {
            _r.Error(node, camera.PathOf("zones_file"), $"zones file '{fullPath}' {problem}: create it (a YAML list of zones, e.g. - {{ id: kerb, polygon: {PolygonExample} }}) or correct the path, which is relative to the config file");
            return (fullPath, false);
        }

        YamlStream stream;
        try
        {
            stream = VisionConfigLoader.ReadYaml(text, shownName);
        }
        catch (ConfigException e)
        {
            _r.Errors.AddRange(e.Errors);
            return (fullPath, false);
        }
        var fileReader = _r.ForIncludedFile(shownName);
        if (stream.Documents.Count > 1)
        {
            fileReader.Error(stream.Documents[1].RootNode, camera.PathOf("zones"), "the zones file holds more than one YAML document ('---'); write one list of zones");
            return (fullPath, false);
        }
        if (stream.Documents.Count == 0 || YamlConfigReader.IsNull(stream.Documents[0].RootNode)) return (fullPath, true);
        if (stream.Documents[0].RootNode is not YamlSequenceNode)
        {
            fileReader.Error(stream.Documents[0].RootNode, camera.PathOf("zones"), $"expected a list of zones, e.g. - {{ id: kerb, polygon: {PolygonExample} }}, got {YamlConfigReader.Describe(stream.Documents[0].RootNode)}");
            return (fullPath, false);
        }

        var configReader = _r;
        _r = fileReader;
        try
        {
            return (fullPath, ReadZones(stream.Documents[0].RootNode, camera.PathOf("zones"), zones, zoneIds));
        }
        finally
        {
            _r = configReader;
        }
    }

    /// <summary>
    /// <c>source</c> (one stream analysed and recorded) or <c>streams: { detect, record }</c> (the sub-stream analysed, the
    /// main stream recorded), not both; neither is allowed (replay gives the video on its command line).
    /// </summary>
    private (string? Source, string? RecordSource, bool Ok) ReadSources(YamlMap camera)
    {
        var source = camera.OptionalText("source");
        if (camera.Get("streams") is not { } streamsNode) return (source, null, true);
        if (camera.Get("source") is not null)
        {
            camera.ErrorAtKey("streams", "write either 'source: URL' (one stream, analysed and recorded) or 'streams: { detect: URL, record: URL }' (two streams), not both");
            return (null, null, false);
        }
        var path = camera.PathOf("streams");
        if (YamlConfigReader.IsNull(streamsNode))
        {
            _r.Error(streamsNode, path, $"is empty; write 'streams: {{ detect: URL, record: URL }}' (detect: the sub-stream analysed, record: the main stream recorded), or 'source: URL' for one stream");
            return (null, null, false);
        }
        var streams = _r.Map(streamsNode, path, StreamKeys, "detect: URL of the sub-stream, record: URL of the main stream");
        if (streams is null) return (null, null, false);
        var detect = ReadStreamUrl(streams, "detect");
        var record = ReadStreamUrl(streams, "record");
        if (detect is null || record is null) return (null, null, false);
        // The same URL twice is one stream: it is analysed and recorded by one connection, as with 'source'.
        return (detect, string.Equals(detect, record, StringComparison.Ordinal) ? null : record, true);
    }

    /// <summary>A required stream URL of <c>streams</c> (or a file standing in for a camera): text, not blank. Errors quoting it lose its credentials.</summary>
    private string? ReadStreamUrl(YamlMap m, string key)
    {
        if (m.Required(key, StreamUrlExample) is not { } node) return null;
        var text = _r.Text(node, m.PathOf(key), "a stream URL such as " + StreamUrlExample);
        if (text is null) return null;
        if (string.IsNullOrWhiteSpace(text))
        {
            _r.Error(node, m.PathOf(key), $"is blank; write the stream's URL, e.g. {StreamUrlExample}");
            return null;
        }
        return text.Trim();
    }

    private AnalysisConfig? ReadAnalysis(YamlNode node, string path)
    {
        var m = _r.Map(node, path, AnalysisKeys, "fps, max_width, decode, fast_decode, tiles");
        if (m is null) return null;
        double fps = m.Number("fps", 1, v => v > 0 && v <= 30 ? null : "fps must be > 0 and <= 30 (frames analysed per second)");
        int maxWidth = m.Integer("max_width", 1280, v => v >= 64 ? null : "max_width must be >= 64 pixels");
        var decode = m.Choice("decode", DecodeMode.All, DecodeModes, "decode mode");
        bool fast = m.Choice("fast_decode", false, [("true", true), ("false", false)], "fast_decode");
        var tiles = m.GetSet("tiles") is { } tilesNode ? ReadTiles(tilesNode, m.PathOf("tiles")) : null;
        return new AnalysisConfig(fps, maxWidth, decode) { FastDecode = fast, Tiles = tiles };
    }

    /// <summary><c>tiles: { grid: 2x1, overlap: 0.2, area: zones }</c>; every key has that default.</summary>
    private TilesConfig? ReadTiles(YamlNode node, string path)
    {
        const string example = "{ grid: 2x1, overlap: 0.2, area: zones }";
        var m = _r.Map(node, path, TilesKeys, example);
        if (m is null) return null;
        int columns = 2, rows = 1;
        if (m.GetSet("grid") is { } gridNode && _r.Text(gridNode, m.PathOf("grid"), "a grid such as 2x1") is { } gridText)
        {
            if (!TilesConfig.TryParseGrid(gridText, out columns, out rows))
            {
                _r.Error(gridNode, m.PathOf("grid"), TilesConfig.NotAGrid(gridText));
                return null;
            }
        }
        float overlap = (float)m.Number("overlap", TilesConfig.DefaultOverlap, v => v is >= 0 and < 0.5 ? null : "overlap must be >= 0 and < 0.5 (a fraction of a tile's size shared with its neighbour)");
        var area = m.Choice("area", TilesConfig.DefaultArea, TileAreas, "tile area");
        if (columns * rows == 1 && area == TileArea.Frame)
        {
            m.Error("grid", TilesConfig.WholeFrameGrid);
            return null;
        }
        return new TilesConfig(columns, rows, overlap, area);
    }

    private Zone? ReadZone(YamlNode node, string path, Dictionary<string, ConfigLocation> seenIds, List<string> zoneIds)
    {
        var m = _r.Map(node, path, ZoneKeys, "id, name, polygon");
        if (m is null) return null;
        var id = ReadId(m, "kerb-east", "zone id", seenIds, "zone ids must be unique on a camera");
        if (id is not null) zoneIds.Add(id);
        var name = m.OptionalText("name") ?? id;
        ZonePolygon? polygon = null;
        if (m.Required("polygon", PolygonExample) is { } polygonNode) polygon = ReadPolygon(polygonNode, m.PathOf("polygon"));
        return id is null || polygon is null ? null : new Zone(id, name ?? id, polygon);
    }

    private ZonePolygon? ReadPolygon(YamlNode node, string path)
    {
        var items = _r.Sequence(node, path, PolygonExample);
        if (items is null) return null;
        // Counted before any point is read: the crossing check looks at every pair of edges.
        if (items.Count > ZonePolygon.MaxPoints)
        {
            _r.Error(node, path, ZonePolygon.TooManyPoints(items.Count));
            return null;
        }
        var points = new List<NormalizedPoint>(items.Count);
        bool ok = true;
        foreach (var (item, itemPath) in items)
        {
            if (item is not YamlSequenceNode { Children.Count: 2 } pair)
            {
                _r.Error(item, itemPath, $"expected a point [x, y] (fractions of the frame's width and height), got {YamlConfigReader.Describe(item)}");
                ok = false;
                continue;
            }
            var x = _r.Number(pair.Children[0], YamlConfigReader.Item(itemPath, 0));
            var y = _r.Number(pair.Children[1], YamlConfigReader.Item(itemPath, 1));
            if (x is null || y is null) { ok = false; continue; }
            if (x is < 0 or > 1 || y is < 0 or > 1)
            {
                var text = string.Create(CultureInfo.InvariantCulture, $"[{x}, {y}]");
                _r.Error(item, itemPath, $"point {text} is outside the image: coordinates are fractions of the frame's width and height, each 0..1");
                ok = false;
                continue;
            }
            points.Add(new NormalizedPoint(x.Value, y.Value));
        }
        if (!ok) return null;
        var problem = ZonePolygon.Validate(points);
        if (problem is not null)
        {
            _r.Error(node, path, problem);
            return null;
        }
        return new ZonePolygon(points);
    }

    /// <param name="cameraZoneIds">The camera's zone ids; null when they are unknown (its zones file could not be read).</param>
    private RuleDefinition? ReadRule(YamlNode node, string path, string cameraName, List<Zone> cameraZones, List<string>? cameraZoneIds)
    {
        var m = _r.Map(node, path, RuleKeys, "id, type, zones, ...");
        if (m is null) return null;
        var id = ReadId(m, "parking-east", "rule id", _ruleIds, "rule ids must be unique across the file");
        var name = m.OptionalText("name") ?? id;

        ViolationType? type = null;
        if (m.Required("type", ViolationTypeNames.IllegalParking) is { } typeNode && m.TryChoice(typeNode, m.PathOf("type"), RuleTypes, "rule type", out var parsedType))
            type = parsedType;
        var defaults = RuleTypeDefaults.For(type ?? ViolationType.IllegalParking);
        bool ok = id is not null && type is not null;

        // Zones must name zones of this camera.
        var zoneIds = new List<string>();
        var ruleZones = new List<Zone>();
        if (m.Required("zones", "[kerb-east]") is { } zonesNode)
        {
            var names = _r.Names(zonesNode, m.PathOf("zones"), "[kerb-east]");
            if (names is null) ok = false;
            else if (names.Count == 0)
            {
                _r.Error(zonesNode, m.PathOf("zones"), "is empty; list the zones (of this camera) the rule watches");
                ok = false;
            }
            else
            {
                foreach (var (zoneId, item, itemPath) in names)
                {
                    if (cameraZoneIds is null)
                    {
                        ok = false;
                        continue;
                    }
                    if (!cameraZoneIds.Contains(zoneId))
                    {
                        var known = cameraZoneIds.Count == 0
                            ? $"{cameraName} has no zones; define it under the camera's 'zones'"
                            : $"zones on {cameraName}: {string.Join(", ", cameraZoneIds)}";
                        _r.Error(item, itemPath, $"unknown zone '{zoneId}'{Suggestions.DidYouMean(zoneId, cameraZoneIds)}; {known}");
                        ok = false;
                        continue;
                    }
                    if (!zoneIds.Contains(zoneId)) zoneIds.Add(zoneId);
                    foreach (var zone in cameraZones)
                        if (zone.Id == zoneId) ruleZones.Add(zone);
                }
            }
        }
        else ok = false;

        var classes = ReadClassList(m, "classes", defaults.Classes, allowEmpty: false, ref ok);
        float minConfidence = m.Fraction("min_confidence", defaults.MinConfidence, "min_confidence");
        float minBoxSize = m.Fraction("min_box_size", defaults.MinBoxSize, "min_box_size (a fraction of the frame height)");
        float holdDefault = Math.Min(_holdConfidenceDefault, minConfidence);
        float holdConfidence = m.Fraction("hold_confidence", holdDefault, "hold_confidence");
        if (holdConfidence > minConfidence)
        {
            m.Error("hold_confidence", string.Create(CultureInfo.InvariantCulture,
                $"hold_confidence ({holdConfidence}) must be <= min_confidence ({minConfidence}): it is how low a started episode's object may dip; write it equal to min_confidence to turn the hold off"));
            ok = false;
        }
        var dwell = m.Duration("dwell", defaults.Dwell, v => v > TimeSpan.Zero ? null : "dwell must be > 0 (how long an object must stay before it is a violation)");
        var cooldown = m.Duration("cooldown", defaults.Cooldown, v => v >= TimeSpan.Zero ? null : "cooldown must be >= 0 (0 = no cooldown)");

        string? scheduleName = null;
        Schedule? schedule = null;
        if (m.GetSet("schedule") is { } scheduleNode && _r.Text(scheduleNode, m.PathOf("schedule"), "a schedule name") is { } scheduleText)
        {
            scheduleName = scheduleText.Trim();
            if (!_scheduleNames.Contains(scheduleName))
            {
                var known = _scheduleNames.Count == 0
                    ? "no schedules are defined; add it under the top-level 'schedules', or remove 'schedule' to keep the rule always active"
                    : $"defined schedules: {string.Join(", ", _scheduleNames)}";
                _r.Error(scheduleNode, m.PathOf("schedule"), $"unknown schedule '{scheduleName}'{Suggestions.DidYouMean(scheduleName, _scheduleNames)}; {known}");
                ok = false;
            }
            else if (!_schedules.TryGetValue(scheduleName, out schedule)) ok = false;
        }

        var anchor = m.Choice("anchor", defaults.Anchor, Anchors, "anchor");
        float maxMotion = (float)m.Number("max_motion", defaults.MaxMotion, v => v > 0 ? null : "max_motion must be > 0 (a fraction of the object's size)");
        var nearClasses = ReadClassList(m, "near_classes", defaults.NearClasses, allowEmpty: true, ref ok);
        float nearDistance = (float)m.Number("near_distance", defaults.NearDistance, v => v >= 0 ? null : "near_distance must be >= 0 (gap between the boxes, in multiples of the nearby object's larger side)");

        string? version = null;
        if (m.GetSet("version") is { } versionNode)
        {
            version = _r.Text(versionNode, m.PathOf("version"), "a version text such as \"3\"")?.Trim();
            if (version is { Length: 0 })
            {
                _r.Error(versionNode, m.PathOf("version"), "is blank; write a version or remove the key to derive one from the rule");
                version = null;
            }
        }

        var (dispatchPolicy, categoryCode) = ReadRuleDispatch(m, type, ref ok);

        if (!ok) return null;
        var rule = new RuleDefinition(id!, name ?? id!, type!.Value, "", classes, zoneIds, minConfidence, minBoxSize, dwell, cooldown,
            scheduleName, anchor, maxMotion, nearClasses, nearDistance);
        rule = rule with { HoldConfidence = holdConfidence };
        // The default hold leaves the version as it was before the key existed; a hand-set one changes it.
        string definition = RuleVersion.Compute(rule, ruleZones, schedule, includeHold: holdConfidence != holdDefault);
        return rule with { Version = version ?? definition, Definition = definition, Dispatch = dispatchPolicy, CategoryCode = categoryCode };
    }

    private IReadOnlyList<string> ReadClassList(YamlMap m, string key, IReadOnlyList<string> fallback, bool allowEmpty, ref bool ok)
    {
        var node = m.Get(key);
        if (node is null) return fallback;
        if (YamlConfigReader.IsNull(node))
        {
            if (allowEmpty) return [];
            m.Error(key, $"is empty; list at least one class or remove the key to use the default [{string.Join(", ", fallback)}]");
            ok = false;
            return fallback;
        }
        var names = _r.Names(node, m.PathOf(key), "[car, bus]");
        if (names is null) { ok = false; return fallback; }
        if (names.Count == 0 && !allowEmpty)
        {
            m.Error(key, $"is empty; list at least one class or remove the key to use the default [{string.Join(", ", fallback)}]");
            ok = false;
            return fallback;
        }
        var result = new List<string>(names.Count);
        foreach (var (name, _, _) in names) result.Add(name);
        return result;
    }

    /// <summary>Reads and checks a required id: characters, uniqueness. Null when unusable.</summary>
    private string? ReadId(YamlMap m, string example, string what, Dictionary<string, ConfigLocation> seen, string uniqueness)
    {
        if (m.Required("id", example) is not { } node) return null;
        var id = _r.Text(node, m.PathOf("id"), $"a {what} such as {example}");
        if (id is null) return null;
        if (!CheckId(id, node, m.PathOf("id"), what)) return null;
        var here = _r.At(node);
        if (seen.TryGetValue(id, out var first))
        {
            _r.Error(node, m.PathOf("id"), $"duplicate {what} '{id}' (first used at line {first.Line}); {uniqueness}");
            return null;
        }
        seen[id] = here;
        return id;
    }

    private bool CheckId(string id, YamlNode node, string path, string what)
    {
        if (IdPattern().IsMatch(id)) return true;
        _r.Error(node, path, $"invalid {what} '{id}': use only letters A-Z a-z, digits, '_' and '-' (ids appear in file names and case records; put free text in 'name')");
        return false;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
