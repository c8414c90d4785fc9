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
    private const string StreamUrlExample = "rtsp://192.0.2.10:554/stream1";
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
    private float _holdConfidenceDefault = TrackerConfig.Default.LowScore;
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
        var map = _r.Map(root, "", ConfigSchema.Root);
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

        var tracker = ReadTracker(map.GetSet("tracker"), "tracker");
        if (tracker is not null) _holdConfidenceDefault = tracker.LowScore;
        var evidence = ReadEvidence(map.GetSet("evidence"), "evidence");
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
        var m = _r.Map(node, path, ConfigSchema.Database.Section);
        if (m is null) return null;
        var database = m.Bind<DatabaseConfig>(ConfigSchema.Database.Section);
        var (env, file) = (database.ConnectionStringVariable?.Trim(), database.ConnectionStringFile?.Trim());
        if (database.Backend == DatabaseBackend.Sqlite)
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
        return database with { ConnectionStringVariable = env, ConnectionStringFile = file };
    }

    private ClusterConfig? ReadCluster(YamlNode node, string path, DatabaseConfig? database)
    {
        var m = _r.Map(node, path, ConfigSchema.Cluster.Section);
        if (m is null) return null;
        if (database is { Backend: DatabaseBackend.Sqlite })
            _r.Error(node, path, "needs database.backend: postgres: the nodes of a cluster share one PostgreSQL database");
        var cluster = m.Bind<ClusterConfig>(ConfigSchema.Cluster.Section);
        if (cluster.Heartbeat * 2 > cluster.Lease)
            m.Error("heartbeat", $"heartbeat ({cluster.Heartbeat.TotalSeconds:0.#}s) must be at most half the lease ({cluster.Lease.TotalSeconds:0.#}s), so a live node renews its leases before they lapse");
        return cluster;
    }

    private ConsoleConfig? ReadConsole(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Console.Section);
        if (m is null) return null;
        return m.Bind<ConsoleConfig>(ConfigSchema.Console.Section);
    }

    private PlatesConfig? ReadPlates(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Plates.Section);
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
        var m = _r.Map(node, path, ConfigSchema.Detector.Section);
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
        string provider;
        if (m.GetSet("provider") is YamlScalarNode { Value: { } providerText } providerNode && providerText.Trim().Equals("gpu", StringComparison.OrdinalIgnoreCase))
        {
            _r.Error(providerNode, m.PathOf("provider"), $"unknown provider '{providerText}': for an NVIDIA GPU write cuda (or tensorrt); valid: cpu, cuda, tensorrt");
            provider = DetectorConfig.Default.Provider;
        }
        else provider = m.Read(ConfigSchema.Detector.Section.Setting<string>("provider"));
        var detector = m.Bind<DetectorConfig>(ConfigSchema.Detector.Section, ("model", model?.Trim() ?? ""), ("provider", provider));
        return model is null ? null : detector;
    }

    /// <param name="node">The section; null when it is left out (every key then takes its default).</param>
    private TrackerConfig? ReadTracker(YamlNode? node, string path)
    {
        var m = _r.Map(node ?? new YamlMappingNode(), path, ConfigSchema.Tracker.Section);
        if (m is null) return null;
        var tracker = m.Bind<TrackerConfig>(ConfigSchema.Tracker.Section);
        var (high, low) = (tracker.HighScore, tracker.LowScore);
        if (low >= high)
        {
            var message = string.Create(CultureInfo.InvariantCulture,
                $"low_score ({low}) must be below high_score ({high}): low-score detections only extend tracks that high-score detections started");
            if (m.Get("low_score") is not null) m.Error("low_score", message);
            else m.Error("high_score", message);
        }
        return tracker;
    }

    /// <param name="node">The section; null when it is left out (every key then takes its default).</param>
    private EvidenceConfig? ReadEvidence(YamlNode? node, string path)
    {
        var m = _r.Map(node ?? new YamlMappingNode(), path, ConfigSchema.Evidence.Section);
        if (m is null) return null;
        var store = m.GetSet("store") is { } storeNode ? ReadStore(storeNode, m.PathOf("store")) : EvidenceStoreConfig.LocalDefault;
        var retention = m.GetSet("retention") is { } retentionNode ? ReadRetention(retentionNode, m.PathOf("retention")) : RetentionConfig.Default;
        return m.Bind<EvidenceConfig>(ConfigSchema.Evidence.Section,
            ("store", store ?? EvidenceStoreConfig.LocalDefault), ("retention", retention ?? RetentionConfig.Default));
    }

    private EvidenceStoreConfig? ReadStore(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Store.Section);
        if (m is null) return null;
        var type = m.Read(ConfigSchema.Store.Type);
        string? directory = m.Read(ConfigSchema.Store.Directory);
        var presign = m.Read(ConfigSchema.Store.PresignExpiry);
        int concurrency = m.Read(ConfigSchema.Store.UploadConcurrency);
        if (type == EvidenceStoreType.Local)
        {
            foreach (var s3Only in ConfigSchema.Store.S3Only)
                if (m.Get(s3Only) is not null) m.ErrorAtKey(s3Only, $"'{s3Only}' is for 'type: s3'; a local store only takes 'directory'");
            return EvidenceStoreConfig.LocalDefault with { Directory = directory, PresignExpiry = presign, UploadConcurrency = concurrency };
        }

        if (directory is not null) m.ErrorAtKey("directory", "'directory' is for 'type: local'; an S3 store takes endpoint and bucket");
        bool? tlsWritten = m.Get("tls") is null ? null : m.Read(ConfigSchema.Store.Tls);
        string? host = null;
        int port = 0;
        bool tls = tlsWritten ?? ConfigSchema.Store.Tls.Default;
        if (m.Required("endpoint", "minio.example:9000") is { } endpointNode && _r.Text(endpointNode, m.PathOf("endpoint"), "endpoint") is { } endpoint)
        {
            if (ParseEndpoint(endpoint.Trim(), tlsWritten) is { } parsed && parsed.Error is null)
                (host, port, tls) = (parsed.Host, parsed.Port, parsed.Tls);
            else
                m.Error("endpoint", parsed.Error ?? "bad endpoint");
        }
        string bucket = m.Read(ConfigSchema.Store.Bucket);
        if (!BucketName().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
            m.Error("bucket", $"'{bucket}' is not a valid S3 bucket name: 3-63 characters, lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        string region = m.Read(ConfigSchema.Store.Region);
        string? credentials = m.Read(ConfigSchema.Store.CredentialsFile);
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
        var m = _r.Map(node, path, ConfigSchema.Retention.Section);
        if (m is null) return null;
        var fallback = m.Read(ConfigSchema.Retention.Default);
        var byType = new Dictionary<ViolationType, TimeSpan>();
        foreach (var type in Enum.GetValues<ViolationType>())
            if (m.Get(type.ToWire()) is not null)
                byType[type] = m.Read(ConfigSchema.Retention.For(type), fallback);
        var sweep = m.Read(ConfigSchema.Retention.SweepInterval);
        return new RetentionConfig(fallback, byType, sweep);
    }

    private LiveConfig? ReadLive(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Live.Section);
        if (m is null) return null;
        var live = m.Bind<LiveConfig>(ConfigSchema.Live.Section);
        if (live.ReconnectMax < live.ReconnectInitial)
            m.Error("reconnect_max", $"reconnect_max ({ConfigDuration.Format(live.ReconnectMax)}) must not be below reconnect_initial ({ConfigDuration.Format(live.ReconnectInitial)})");
        return live;
    }

    private RecordingConfig? ReadRecording(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Recording.Section);
        if (m is null) return null;
        return m.Bind<RecordingConfig>(ConfigSchema.Recording.Section);
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
        var m = node is null ? null : _r.Map(node, path, ConfigSchema.Schedule.Section);
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
        var m = _r.Map(node, path, ConfigSchema.Camera.Section);
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
        var analysis = m.GetSet("analysis") is { } analysisNode ? ReadAnalysis(analysisNode, m.PathOf("analysis"))
            : AnalysisConfig.Default;

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
        var streams = _r.Map(streamsNode, path, ConfigSchema.Streams.Section);
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
        var m = _r.Map(node, path, ConfigSchema.Analysis.Section);
        if (m is null) return null;
        var tiles = m.GetSet("tiles") is { } tilesNode ? ReadTiles(tilesNode, m.PathOf("tiles")) : null;
        var newObjects = m.GetSet("new_objects") is { } newObjectsNode ? ReadNewObjects(newObjectsNode, m.PathOf("new_objects")) : null;
        return m.Bind<AnalysisConfig>(ConfigSchema.Analysis.Section, ("tiles", tiles), ("new_objects", newObjects ?? NewObjectsConfig.Default));
    }

    private NewObjectsConfig? ReadNewObjects(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.NewObjects.Section);
        if (m is null) return null;
        var newObjects = m.Bind<NewObjectsConfig>(ConfigSchema.NewObjects.Section);
        if (newObjects.AbsorbAfter <= newObjects.StayTime)
            m.Error("absorb_after", $"absorb_after ({ConfigDuration.Format(newObjects.AbsorbAfter)}) must be longer than stay_time ({ConfigDuration.Format(newObjects.StayTime)}): a new object is absorbed into the scene only after it was reported");
        return newObjects;
    }

    /// <summary><c>tiles: { grid: 2x1, overlap: 0.2, area: zones }</c>; every key has that default.</summary>
    private TilesConfig? ReadTiles(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Tiles.Section);
        if (m is null) return null;
        var (columns, rows) = (TilesConfig.Default.Columns, TilesConfig.Default.Rows);
        if (m.GetSet("grid") is { } gridNode && _r.Text(gridNode, m.PathOf("grid"), "a grid such as 2x1") is { } gridText)
        {
            if (!TilesConfig.TryParseGrid(gridText, out columns, out rows))
            {
                _r.Error(gridNode, m.PathOf("grid"), TilesConfig.NotAGrid(gridText));
                return null;
            }
        }
        var tiles = m.Bind<TilesConfig>(ConfigSchema.Tiles.Section, ("columns", columns), ("rows", rows));
        if (tiles.Count == 1 && tiles.Area == TileArea.Frame)
        {
            m.Error("grid", TilesConfig.WholeFrameGrid);
            return null;
        }
        return tiles;
    }

    private Zone? ReadZone(YamlNode node, string path, Dictionary<string, ConfigLocation> seenIds, List<string> zoneIds)
    {
        var m = _r.Map(node, path, ConfigSchema.Zone.Section);
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
        var m = _r.Map(node, path, ConfigSchema.Rule.Section);
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
        float minConfidence = m.Read(ConfigSchema.Rule.MinConfidence, defaults.MinConfidence);
        float minBoxSize = m.Read(ConfigSchema.Rule.MinBoxSize, defaults.MinBoxSize);
        float holdDefault = Math.Min(_holdConfidenceDefault, minConfidence);
        float holdConfidence = m.Read(ConfigSchema.Rule.HoldConfidence, holdDefault);
        if (holdConfidence > minConfidence)
        {
            m.Error("hold_confidence", string.Create(CultureInfo.InvariantCulture,
                $"hold_confidence ({holdConfidence}) must be <= min_confidence ({minConfidence}): it is how low a started episode's object may dip; write it equal to min_confidence to turn the hold off"));
            ok = false;
        }
        var dwell = m.Read(ConfigSchema.Rule.Dwell, defaults.Dwell);
        var cooldown = m.Read(ConfigSchema.Rule.Cooldown, defaults.Cooldown);

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

        var anchor = m.Read(ConfigSchema.Rule.Anchor, defaults.Anchor);
        float maxMotion = m.Read(ConfigSchema.Rule.MaxMotion, defaults.MaxMotion);
        var nearClasses = ReadClassList(m, "near_classes", defaults.NearClasses, allowEmpty: true, ref ok);
        float nearDistance = m.Read(ConfigSchema.Rule.NearDistance, defaults.NearDistance);
        var attendTime = m.Read(ConfigSchema.Rule.AttendTime, defaults.AttendTime);

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
        rule = rule with { HoldConfidence = holdConfidence, AttendTime = attendTime };
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
