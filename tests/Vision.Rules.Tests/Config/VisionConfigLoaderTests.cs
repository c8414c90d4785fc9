using Vision.Rules.Config;
using Vision.Rules.Zones;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class VisionConfigLoaderTests
{
    private const string Full = """
        timezone: Asia/Shanghai
        detector:
          model: models/yolox_s.onnx
          manifest: models/yolox_s.json
          provider: cuda
          threads: 4
          min_score: 0.2
          nms_iou: 0.5
          max_batch: 16
          max_batch_wait: 40ms
        tracker:
          high_score: 0.5
          low_score: 0.2
          match_iou: 0.3
          lost_timeout: 1m
          confirm_hits: 3
        evidence:
          pre_roll: 10s
          post_roll: 8s
          jpeg_quality: 85
        schedules:
          daytime:
            timezone: Asia/Shanghai
            days: [mon, tue, wed, thu, fri]
            times: ["07:00-21:00", "22:00-02:00"]
            holidays: [2026-10-01..2026-10-07]
            workdays: [2026-09-20]
        cameras:
          - id: cam-01
            name: 人民路东侧
            source: rtsp://admin:secret@192.0.2.10/stream1
            timezone: UTC
            analysis: { fps: 2.5, max_width: 960, decode: keyframes }
            zones:
              - id: kerb-east
                name: 东侧路缘
                polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
            rules:
              - id: parking-east
                name: 东侧禁停
                type: illegal_parking
                zones: [kerb-east]
                classes: [car, truck]
                min_confidence: 0.35
                min_box_size: 0.05
                dwell: 1h30m
                cooldown: 0
                schedule: daytime
                anchor: center
                max_motion: 0.1
                near_classes: [person]
                near_distance: 2
                version: "3"
        """;

    [Fact]
    public void Full_config_maps_every_key()
    {
        var config = Parse(Full);

        Assert.Equal(FileName, config.SourcePath);
        Assert.Equal(new DetectorConfig
        {
            Model = "models/yolox_s.onnx", Manifest = "models/yolox_s.json", Provider = "cuda", Threads = 4, MinScore = 0.2f, NmsIou = 0.5f, MaxBatch = 16,
            MaxBatchWait = TimeSpan.FromMilliseconds(40),
        }, config.Detector);
        Assert.Equal(new TrackerConfig { HighScore = 0.5f, LowScore = 0.2f, MatchIou = 0.3f, LostTimeout = TimeSpan.FromMinutes(1), ConfirmHits = 3 }, config.Tracker);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(8), 85), (config.Evidence.PreRoll, config.Evidence.PostRoll, config.Evidence.JpegQuality));

        var schedule = config.Schedules["daytime"];
        Assert.Equal("Asia/Shanghai", schedule.TimeZone.Id);
        Assert.Equal(5, schedule.Days.Count);
        Assert.DoesNotContain(DayOfWeek.Saturday, schedule.Days);
        Assert.Equal(["07:00-21:00", "22:00-02:00"], schedule.TimeRanges.Select(r => r.ToString()).ToArray());
        Assert.Equal(7, schedule.Holidays.Count);
        Assert.Contains(new DateOnly(2026, 10, 4), schedule.Holidays);
        Assert.Equal([new DateOnly(2026, 9, 20)], schedule.ExtraWorkdays.ToArray());

        var camera = Assert.Single(config.Cameras);
        Assert.Equal("cam-01", camera.Id);
        Assert.Equal("人民路东侧", camera.Name);
        Assert.Equal("rtsp://admin:secret@192.0.2.10/stream1", camera.Source);
        Assert.Equal("UTC", camera.TimeZoneId);
        Assert.Equal(new AnalysisConfig { Fps = 2.5, MaxWidth = 960, Decode = DecodeMode.Keyframes }, camera.Analysis);

        var zone = Assert.Single(camera.Zones);
        Assert.Equal("kerb-east", zone.Id);
        Assert.Equal("东侧路缘", zone.Name);
        Assert.Equal([new NormalizedPoint(0.1, 0.6), new NormalizedPoint(0.9, 0.6), new NormalizedPoint(0.9, 1.0), new NormalizedPoint(0.1, 1.0)], zone.Polygon.Points);

        var rule = Assert.Single(camera.Rules);
        Assert.Equal("parking-east", rule.Id);
        Assert.Equal("东侧禁停", rule.Name);
        Assert.Equal(ViolationType.IllegalParking, rule.Type);
        Assert.Equal("3", rule.Version);
        Assert.Equal(["car", "truck"], rule.Classes);
        Assert.Equal(["kerb-east"], rule.ZoneIds);
        Assert.Equal(0.35f, rule.MinConfidence);
        Assert.Equal(0.05f, rule.MinBoxSize);
        Assert.Equal(TimeSpan.FromMinutes(90), rule.Dwell);
        Assert.Equal(TimeSpan.Zero, rule.Cooldown);
        Assert.Equal("daytime", rule.ScheduleName);
        Assert.Equal(AnchorPoint.Center, rule.Anchor);
        Assert.Equal(0.1f, rule.MaxMotion);
        Assert.Equal(["person"], rule.NearClasses);
        Assert.Equal(2f, rule.NearDistance);
    }

    [Fact]
    public void Minimal_config_gets_documented_defaults_for_detector_tracker_evidence_and_camera()
    {
        var config = Parse(Minimal);

        Assert.Equal(new DetectorConfig
        {
            Model = "yolox_nano", Manifest = null, Provider = "cpu", Threads = 0, MinScore = 0.1f, NmsIou = 0.45f, MaxBatch = 8, MaxBatchWait = TimeSpan.FromMilliseconds(20),
        }, config.Detector);
        Assert.Equal(new TrackerConfig { HighScore = 0.3f, LowScore = 0.1f, MatchIou = 0.2f, LostTimeout = TimeSpan.FromSeconds(30), ConfirmHits = 2 }, config.Tracker);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 90), (config.Evidence.PreRoll, config.Evidence.PostRoll, config.Evidence.JpegQuality));
        Assert.Empty(config.Schedules);

        var camera = Assert.Single(config.Cameras);
        Assert.Equal("cam-01", camera.Name);
        Assert.Null(camera.Source);
        Assert.Equal("Asia/Shanghai", camera.TimeZoneId);
        Assert.Equal(new AnalysisConfig { Fps = 1, MaxWidth = 1280, Decode = DecodeMode.All }, camera.Analysis);
        Assert.Equal("kerb", camera.Zones[0].Name);
        Assert.Equal("parking", camera.Rules[0].Name);
        Assert.Null(camera.Rules[0].ScheduleName);
        Assert.Same(camera, config.FindCamera("cam-01"));
        Assert.NotNull(camera.FindZone("kerb"));
    }

    [Fact]
    public void Illegal_parking_rule_gets_its_type_defaults()
    {
        var rule = Parse(Minimal).Cameras[0].Rules[0];

        Assert.Equal(["car", "bus", "truck", "motorcycle"], rule.Classes);
        Assert.Equal(TimeSpan.FromMinutes(3), rule.Dwell);
        Assert.Equal(TimeSpan.FromMinutes(30), rule.Cooldown);
        Assert.Equal(0.3f, rule.MinConfidence);
        Assert.Equal(0f, rule.MinBoxSize);
        Assert.Equal(0.15f, rule.MaxMotion);
        Assert.Equal(AnchorPoint.BottomCenter, rule.Anchor);
        Assert.Empty(rule.NearClasses);
        Assert.Equal(0f, rule.NearDistance);
    }

    [Fact]
    public void Street_stall_rule_gets_its_type_defaults()
    {
        var rule = Parse(Minimal.Replace("type: illegal_parking", "type: street_stall", StringComparison.Ordinal)).Cameras[0].Rules[0];

        Assert.Equal(ViolationType.StreetStall, rule.Type);
        Assert.Equal(["person"], rule.Classes);
        Assert.Equal(TimeSpan.FromMinutes(5), rule.Dwell);
        Assert.Equal(TimeSpan.FromMinutes(30), rule.Cooldown);
        Assert.Equal(0.4f, rule.MinConfidence);
        Assert.Equal(0.5f, rule.MaxMotion);
        Assert.Equal(AnchorPoint.BottomCenter, rule.Anchor);
        Assert.Empty(rule.NearClasses);
        Assert.Equal(1.0f, rule.NearDistance);
    }

    [Fact]
    public void Litter_rule_gets_its_type_defaults()
    {
        var rule = Parse(Minimal.Replace("type: illegal_parking", "type: litter", StringComparison.Ordinal)).Cameras[0].Rules[0];

        Assert.Equal(ViolationType.Litter, rule.Type);
        Assert.Equal(["bottle", "cup", "backpack", "handbag", "suitcase"], rule.Classes);
        Assert.Equal(TimeSpan.FromMinutes(2), rule.Dwell);
        Assert.Equal(TimeSpan.FromMinutes(60), rule.Cooldown);
        Assert.Equal(0.4f, rule.MinConfidence);
        Assert.Equal(0.2f, rule.MaxMotion);
        Assert.Equal(AnchorPoint.Center, rule.Anchor);
        Assert.Equal(["person"], rule.NearClasses);
        Assert.Equal(0.5f, rule.NearDistance);
        Assert.Equal(TimeSpan.FromSeconds(10), rule.AttendTime);
    }

    [Fact]
    public void Cameras_and_schedules_inherit_the_top_level_time_zone()
    {
        var config = Parse("timezone: Europe/Berlin\n" + Minimal + "schedules:\n  always: {}\n  night:\n    times: [\"22:00-06:00\"]\n");

        Assert.Equal("Europe/Berlin", config.Cameras[0].TimeZoneId);
        Assert.Equal("Europe/Berlin", config.Schedules["always"].TimeZone.Id);
        Assert.Equal("Europe/Berlin", config.Schedules["night"].TimeZone.Id);
        Assert.Equal(7, config.Schedules["always"].Days.Count);
    }

    [Fact]
    public void Full_day_names_in_any_case_are_accepted()
    {
        var config = Parse(Minimal + "schedules:\n  weekend:\n    days: [Saturday, SUN]\n");
        Assert.Equal([DayOfWeek.Sunday, DayOfWeek.Saturday], config.Schedules["weekend"].Days.Order().ToArray());
    }

    [Fact]
    public void Empty_near_classes_is_allowed_and_means_none()
    {
        var rule = Parse(Minimal.Replace("type: illegal_parking", "type: litter", StringComparison.Ordinal) + "        near_classes: []\n").Cameras[0].Rules[0];
        Assert.Empty(rule.NearClasses);
    }

    [Fact]
    public void Locations_record_the_line_of_every_key_path_read()
    {
        var config = Parse(Minimal + "        classes: [car, bus]\n");

        Assert.Equal(new ConfigLocation(FileName, 12, 24), config.Locations.Find("cameras[0].rules[0].classes[1]"));
        Assert.Equal(11, config.Locations.Find("cameras[0].rules[0].zones[0]").Line);
        Assert.Equal(9, config.Locations.Find("cameras[0].rules[0]").Line);
        Assert.Equal(7, config.Locations.Find("cameras[0].zones[0].polygon").Line);
        Assert.Equal(2, config.Locations.Find("detector.model").Line);
        // A key the file did not write falls back to its nearest written parent.
        Assert.Equal(9, config.Locations.Find("cameras[0].rules[0].dwell").Line);
        Assert.True(config.Locations.Contains("cameras[0].rules[0].classes"));
        Assert.False(config.Locations.Contains("cameras[0].rules[0].dwell"));
    }

    [Fact]
    public void Load_reads_the_file_and_keeps_its_full_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vision-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Minimal);
        try
        {
            var config = VisionConfigLoader.Load(path);
            Assert.Equal(Path.GetFullPath(path), config.SourcePath);
            Assert.Single(config.Cameras);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Errors_from_a_loaded_file_name_that_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vision-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Minimal + "        dwell: 0s\n");
        try
        {
            var e = Assert.Throws<ConfigException>(() => VisionConfigLoader.Load(path));
            Assert.StartsWith($"{path}:12:16: cameras[0].rules[0].dwell:", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("3m", 180_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("1m30s500ms", 90_500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("45", 45_000)]
    [InlineData("0.25", 250)]
    [InlineData("-5m", -300_000)]
    public void Duration_forms_parse_to_the_expected_length(string text, long milliseconds)
    {
        Assert.True(ConfigDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3 minutes")]
    [InlineData("3min")]
    [InlineData("1h30")]
    [InlineData("ms")]
    [InlineData("1w")]
    [InlineData("NaN")]
    public void Malformed_durations_do_not_parse(string text)
    {
        Assert.False(ConfigDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(250, "250ms")]
    [InlineData(0, "0s")]
    [InlineData(-300_000, "-5m")]
    public void Durations_format_in_config_spelling(long milliseconds, string expected)
    {
        Assert.Equal(expected, ConfigDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
