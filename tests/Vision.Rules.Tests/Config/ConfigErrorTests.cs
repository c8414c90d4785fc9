using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class ConfigErrorTests
{
    private const string Rule = "        "; // indentation of a rule's keys in Minimal
    private const string CameraKey = "    ";

    [Fact]
    public void Yaml_syntax_error_is_reported_with_its_line_and_no_stack_trace()
    {
        var yaml = "detector:\n  model: yolox_nano\ncameras: [\n  { id: cam-01 \nfoo: 1\n";
        var error = Assert.Single(Errors(yaml));
        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Location.Line, 4, 5);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unclosed_flow_list_is_a_syntax_error_on_the_line_where_parsing_stopped()
    {
        var error = Assert.Single(Errors("detector:\n  model: [yolox_nano\ncameras: []\n"));
        Assert.StartsWith("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void Tab_indentation_is_reported_on_the_line_with_the_tab()
    {
        var error = Assert.Single(Errors("detector:\n\tmodel: yolox_nano\ncameras: []\n"));
        Assert.Equal(2, error.Location.Line);
        Assert.Contains("tab is used for indentation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_yaml_key_is_reported_at_the_second_occurrence()
    {
        var error = Assert.Single(Errors(Minimal + "detector:\n  model: other\n"));
        Assert.Equal(AppendedLine, error.Location.Line);
        Assert.Contains("duplicate key 'detector'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_suggests_the_closest_valid_key()
    {
        var error = SingleError(Minimal + Rule + "dwel: 3m\n", AppendedLine, "cameras[0].rules[0].dwel",
            "unknown key 'dwel' (did you mean 'dwell'?)");
        Assert.Equal(9, error.Location.Column);
    }

    [Fact]
    public void Unknown_key_without_a_close_match_lists_the_valid_keys()
    {
        SingleError(Minimal + "cameraz_extra: 1\n", AppendedLine, "cameraz_extra",
            "unknown key 'cameraz_extra'; valid keys here: timezone, detector, tracker, evidence, live, recording, schedules, cameras");
    }

    [Fact]
    public void Error_text_reads_file_line_column_key_path_and_message()
    {
        var error = SingleError(Minimal + Rule + "dwell: 0s\n", AppendedLine, "cameras[0].rules[0].dwell");
        Assert.Equal("vision.yaml:12:16: cameras[0].rules[0].dwell: dwell must be > 0 (how long an object must stay before it is a violation), got 0s", error.ToString());
    }

    [Fact]
    public void List_where_a_duration_belongs_is_a_wrong_type_error()
    {
        SingleError(Minimal + Rule + "dwell: [3m]\n", AppendedLine, "cameras[0].rules[0].dwell",
            "expected a duration", "got a list");
    }

    [Fact]
    public void Word_where_a_whole_number_belongs_is_a_wrong_type_error()
    {
        SingleError(Minimal.Replace("  model: yolox_nano\n", "  model: yolox_nano\n  threads: many\n", StringComparison.Ordinal), 3, "detector.threads",
            "expected a whole number, got 'many'");
    }

    [Fact]
    public void Single_class_instead_of_a_list_is_a_wrong_type_error()
    {
        SingleError(Minimal + Rule + "classes: car\n", AppendedLine, "cameras[0].rules[0].classes",
            "expected a list, e.g. [car, bus], got 'car'");
    }

    [Fact]
    public void Empty_value_for_a_key_with_a_default_asks_for_a_value_or_removal()
    {
        SingleError(Minimal + Rule + "min_confidence:\n", AppendedLine, "cameras[0].rules[0].min_confidence",
            "is empty; write a value or remove the key to use the default (0.3");
    }

    [Fact]
    public void Missing_detector_model_is_a_missing_required_key()
    {
        SingleError(Minimal.Replace("  model: yolox_nano\n", "  provider: cpu\n", StringComparison.Ordinal), 1, "detector.model",
            "missing required key 'model'");
    }

    [Fact]
    public void Missing_rule_type_is_a_missing_required_key_at_the_rule()
    {
        SingleError(Minimal.Replace("        type: illegal_parking\n", "", StringComparison.Ordinal), 9, "cameras[0].rules[0].type",
            "missing required key 'type'");
    }

    [Fact]
    public void Missing_camera_id_is_a_missing_required_key()
    {
        SingleError(Minimal.Replace("  - id: cam-01\n    zones:", "  - zones:", StringComparison.Ordinal), 4, "cameras[0].id",
            "missing required key 'id'");
    }

    [Fact]
    public void Missing_detector_section_is_reported()
    {
        SingleError(Minimal.Replace("detector:\n  model: yolox_nano\n", "", StringComparison.Ordinal), 1, "detector",
            "missing required key 'detector'");
    }

    [Fact]
    public void Unknown_rule_type_lists_the_valid_types()
    {
        SingleError(Minimal.Replace("type: illegal_parking", "type: parking", StringComparison.Ordinal), 10, "cameras[0].rules[0].type",
            "unknown rule type 'parking'", "valid: illegal_parking, street_stall, litter");
    }

    [Fact]
    public void Misspelt_rule_type_suggests_the_intended_one()
    {
        SingleError(Minimal.Replace("type: illegal_parking", "type: ilegal_parking", StringComparison.Ordinal), 10, "cameras[0].rules[0].type",
            "(did you mean 'illegal_parking'?)");
    }

    [Fact]
    public void Unknown_zone_lists_the_cameras_zones()
    {
        SingleError(Minimal.Replace("zones: [kerb]", "zones: [kerb, kerb-west]", StringComparison.Ordinal), 11, "cameras[0].rules[0].zones[1]",
            "unknown zone 'kerb-west'; zones on camera 'cam-01': kerb");
    }

    [Fact]
    public void Zone_of_another_camera_is_unknown_on_this_one()
    {
        var yaml = Minimal + """
              - id: cam-02
                zones:
                  - id: crossing
                    polygon: [[0, 0], [1, 0], [1, 1]]
                rules:
                  - id: parking-2
                    type: illegal_parking
                    zones: [kerb]

            """;
        SingleError(yaml, 19, "cameras[1].rules[0].zones[0]", "unknown zone 'kerb'", "zones on camera 'cam-02': crossing");
    }

    [Fact]
    public void Unknown_schedule_suggests_a_defined_one()
    {
        var yaml = Minimal + Rule + "schedule: daytme\n" + "schedules:\n  daytime:\n    times: [\"07:00-21:00\"]\n";
        SingleError(yaml, AppendedLine, "cameras[0].rules[0].schedule",
            "unknown schedule 'daytme' (did you mean 'daytime'?); defined schedules: daytime");
    }

    [Fact]
    public void Schedule_named_when_none_are_defined_says_so()
    {
        SingleError(Minimal + Rule + "schedule: daytime\n", AppendedLine, "cameras[0].rules[0].schedule",
            "unknown schedule 'daytime'; no schedules are defined");
    }

    [Fact]
    public void Polygon_with_two_points_is_rejected()
    {
        SingleError(Minimal.Replace("[[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]", "[[0.1, 0.6], [0.9, 0.6]]", StringComparison.Ordinal),
            7, "cameras[0].zones[0].polygon", "a polygon needs at least 3 points, got 2");
    }

    [Fact]
    public void Self_crossing_polygon_is_rejected_naming_the_crossing_edges()
    {
        SingleError(Minimal.Replace("[[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]", "[[0.1, 0.6], [0.9, 1.0], [0.9, 0.6], [0.1, 1.0]]", StringComparison.Ordinal),
            7, "cameras[0].zones[0].polygon", "the polygon crosses itself: edges [0]-[1] and [2]-[3] intersect");
    }

    [Fact]
    public void Polygon_point_outside_the_image_is_reported_at_that_point()
    {
        var error = SingleError(Minimal.Replace("[0.9, 1.0], [0.1, 1.0]]", "[0.9, 1.2], [0.1, 1.0]]", StringComparison.Ordinal),
            7, "cameras[0].zones[0].polygon[2]", "point [0.9, 1.2] is outside the image", "each 0..1");
        Assert.Equal(43, error.Location.Column);
    }

    [Fact]
    public void Zero_area_polygon_is_rejected()
    {
        SingleError(Minimal.Replace("[[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]", "[[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]]", StringComparison.Ordinal),
            7, "cameras[0].zones[0].polygon", "zero area");
    }

    [Fact]
    public void Polygon_point_that_is_not_a_pair_is_reported()
    {
        SingleError(Minimal.Replace("[0.9, 0.6], [0.9, 1.0]", "[0.9, 0.6, 0.1], [0.9, 1.0]", StringComparison.Ordinal),
            7, "cameras[0].zones[0].polygon[1]", "expected a point [x, y]");
    }

    [Fact]
    public void Zero_dwell_is_rejected()
    {
        SingleError(Minimal + Rule + "dwell: 0\n", AppendedLine, "cameras[0].rules[0].dwell", "dwell must be > 0", "got 0s");
    }

    [Fact]
    public void Negative_cooldown_is_rejected()
    {
        SingleError(Minimal + Rule + "cooldown: -5m\n", AppendedLine, "cameras[0].rules[0].cooldown", "cooldown must be >= 0", "got -5m");
    }

    [Theory]
    [InlineData("3 minutes")]
    [InlineData("3min")]
    [InlineData("m3")]
    [InlineData("1h30")]
    public void Unreadable_duration_names_the_key_and_shows_the_accepted_forms(string text)
    {
        SingleError(Minimal + Rule + $"dwell: {text}\n", AppendedLine, "cameras[0].rules[0].dwell",
            $"bad duration '{text}': write e.g. 90s, 3m, 1h30m, 250ms, 180d, or a plain number of seconds");
    }

    [Fact]
    public void Misspelt_time_zone_suggests_the_real_one()
    {
        SingleError("timezone: Asia/Shangai\n" + Minimal, 1, "timezone", "unknown time zone 'Asia/Shangai' (did you mean 'Asia/Shanghai'?)");
    }

    [Fact]
    public void Unknown_time_zone_suggests_an_iana_name()
    {
        SingleError(Minimal + CameraKey + "timezone: Beijing Time\n", AppendedLine, "cameras[0].timezone",
            "unknown time zone 'Beijing Time' (use an IANA time zone name such as Asia/Shanghai");
    }

    [Theory]
    [InlineData("25:00-26:00")]
    [InlineData("7-9")]
    [InlineData("07:00")]
    [InlineData("07:60-08:00")]
    [InlineData("24:00-02:00")]
    public void Bad_time_range_shows_the_expected_form(string range)
    {
        SingleError(Minimal + $"schedules:\n  daytime:\n    times: [\"07:00-21:00\", \"{range}\"]\n", AppendedLine + 2, "schedules.daytime.times[1]",
            $"bad time range '{range}': write HH:MM-HH:MM");
    }

    [Fact]
    public void Empty_times_list_is_rejected_because_the_schedule_would_never_be_on()
    {
        SingleError(Minimal + "schedules:\n  never:\n    times: []\n", AppendedLine + 2, "schedules.never.times", "would never be on");
    }

    [Fact]
    public void Bad_day_name_suggests_the_short_name()
    {
        SingleError(Minimal + "schedules:\n  weekdays:\n    days: [mon, tues, wed]\n", AppendedLine + 2, "schedules.weekdays.days[1]",
            "bad day name 'tues' (did you mean 'tue'?); use mon, tue, wed, thu, fri, sat, sun");
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("2026/10/01")]
    [InlineData("Oct 1")]
    public void Bad_holiday_date_shows_the_expected_form(string date)
    {
        SingleError(Minimal + $"schedules:\n  daytime:\n    holidays:\n      - 2026-05-01\n      - {date}\n", AppendedLine + 4, "schedules.daytime.holidays[1]",
            $"bad date '{date}': write dates as YYYY-MM-DD");
    }

    [Fact]
    public void Date_range_running_backwards_is_rejected()
    {
        SingleError(Minimal + "schedules:\n  daytime:\n    holidays: [2026-10-07..2026-10-01]\n", AppendedLine + 2, "schedules.daytime.holidays[0]",
            "the end must be on or after the start");
    }

    [Fact]
    public void Date_both_holiday_and_workday_is_rejected()
    {
        SingleError(Minimal + "schedules:\n  daytime:\n    holidays: [2026-10-01..2026-10-07]\n    workdays: [2026-10-03]\n", AppendedLine + 3,
            "schedules.daytime.workdays[0]", "2026-10-03 is listed in both holidays and workdays");
    }

    [Fact]
    public void Duplicate_camera_id_points_at_the_first_use()
    {
        var yaml = Minimal + "  - id: cam-01\n";
        SingleError(yaml, AppendedLine, "cameras[1].id", "duplicate camera id 'cam-01' (first used at line 4); camera ids must be unique");
    }

    [Fact]
    public void Duplicate_zone_id_on_one_camera_is_rejected()
    {
        var yaml = Minimal.Replace("    rules:\n", "      - id: kerb\n        polygon: [[0, 0], [1, 0], [1, 1]]\n    rules:\n", StringComparison.Ordinal);
        SingleError(yaml, 8, "cameras[0].zones[1].id", "duplicate zone id 'kerb' (first used at line 6)");
    }

    [Fact]
    public void Same_zone_id_on_two_cameras_is_allowed()
    {
        var yaml = Minimal + "  - id: cam-02\n    zones:\n      - id: kerb\n        polygon: [[0, 0], [1, 0], [1, 1]]\n";
        Assert.Equal(2, Parse(yaml).Cameras.Count);
    }

    [Fact]
    public void Duplicate_rule_id_across_cameras_is_rejected()
    {
        var yaml = Minimal + """
              - id: cam-02
                zones:
                  - id: kerb
                    polygon: [[0, 0], [1, 0], [1, 1]]
                rules:
                  - id: parking
                    type: litter
                    zones: [kerb]

            """;
        SingleError(yaml, 17, "cameras[1].rules[0].id", "duplicate rule id 'parking' (first used at line 9); rule ids must be unique across the file");
    }

    [Theory]
    [InlineData("cam 01")]
    [InlineData("cam/01")]
    [InlineData("人民路")]
    public void Camera_id_with_invalid_characters_is_rejected(string id)
    {
        SingleError(Minimal.Replace("id: cam-01", $"id: \"{id}\"", StringComparison.Ordinal), 4, "cameras[0].id",
            $"invalid camera id '{id}': use only letters A-Z a-z, digits, '_' and '-'");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("31")]
    public void Fps_outside_0_to_30_is_rejected(string fps)
    {
        SingleError(Minimal + CameraKey + $"analysis: {{ fps: {fps} }}\n", AppendedLine, "cameras[0].analysis.fps",
            "fps must be > 0 and <= 30", $"got {fps}");
    }

    [Fact]
    public void Max_width_below_64_is_rejected()
    {
        SingleError(Minimal + CameraKey + "analysis:\n      max_width: 32\n", AppendedLine + 1, "cameras[0].analysis.max_width", "max_width must be >= 64");
    }

    [Fact]
    public void Unknown_decode_mode_lists_the_valid_ones()
    {
        SingleError(Minimal + CameraKey + "analysis: { decode: keyframe }\n", AppendedLine, "cameras[0].analysis.decode",
            "unknown decode mode 'keyframe' (did you mean 'keyframes'?); valid: all, keyframes");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void Confidence_outside_0_to_1_is_rejected(string value)
    {
        SingleError(Minimal + Rule + $"min_confidence: {value}\n", AppendedLine, "cameras[0].rules[0].min_confidence",
            "min_confidence must be between 0 and 1", $"got {value}");
    }

    [Fact]
    public void Detector_score_outside_0_to_1_is_rejected()
    {
        SingleError(Minimal.Replace("  model: yolox_nano\n", "  model: yolox_nano\n  min_score: 2\n", StringComparison.Ordinal), 3, "detector.min_score",
            "min_score must be between 0 and 1");
    }

    [Fact]
    public void Unknown_provider_lists_the_valid_ones()
    {
        SingleError(Minimal.Replace("  model: yolox_nano\n", "  model: yolox_nano\n  provider: gpu\n", StringComparison.Ordinal), 3, "detector.provider",
            "unknown provider 'gpu'", "valid: cpu, cuda, tensorrt");
    }

    [Fact]
    public void Provider_gpu_points_to_cuda()
    {
        SingleError(Minimal.Replace("  model: yolox_nano\n", "  model: yolox_nano\n  provider: GPU\n", StringComparison.Ordinal), 3, "detector.provider",
            "for an NVIDIA GPU write cuda (or tensorrt)");
    }

    [Fact]
    public void Low_score_not_below_high_score_is_rejected()
    {
        SingleError(Minimal + "tracker:\n  high_score: 0.3\n  low_score: 0.5\n", AppendedLine + 2, "tracker.low_score",
            "low_score (0.5) must be below high_score (0.3)");
    }

    [Fact]
    public void Jpeg_quality_outside_1_to_100_is_rejected()
    {
        SingleError(Minimal + "evidence:\n  jpeg_quality: 0\n", AppendedLine + 1, "evidence.jpeg_quality", "jpeg_quality must be between 1 and 100");
    }

    [Fact]
    public void Empty_cameras_list_is_rejected()
    {
        SingleError("detector:\n  model: yolox_nano\ncameras: []\n", 3, "cameras", "no cameras: list at least one camera");
    }

    [Fact]
    public void Missing_cameras_key_is_rejected()
    {
        SingleError("detector:\n  model: yolox_nano\n", 1, "cameras", "missing required key 'cameras'");
    }

    [Fact]
    public void Rule_without_zones_is_rejected()
    {
        SingleError(Minimal.Replace("zones: [kerb]", "zones: []", StringComparison.Ordinal), 11, "cameras[0].rules[0].zones", "is empty; list the zones");
    }

    [Fact]
    public void Empty_class_list_is_rejected()
    {
        SingleError(Minimal + Rule + "classes: []\n", AppendedLine, "cameras[0].rules[0].classes",
            "is empty; list at least one class or remove the key to use the default [car, bus, truck, motorcycle]");
    }

    [Fact]
    public void Non_positive_max_motion_is_rejected()
    {
        SingleError(Minimal + Rule + "max_motion: 0\n", AppendedLine, "cameras[0].rules[0].max_motion", "max_motion must be > 0");
    }

    [Fact]
    public void Unknown_anchor_lists_the_valid_ones()
    {
        SingleError(Minimal + Rule + "anchor: bottom_centre\n", AppendedLine, "cameras[0].rules[0].anchor",
            "(did you mean 'bottom_center'?); valid: bottom_center, center");
    }

    [Fact]
    public void Root_that_is_not_a_mapping_is_rejected()
    {
        SingleError("- detector\n- cameras\n", 1, "", "expected a mapping of keys");
    }

    [Fact]
    public void Empty_file_is_rejected_with_a_pointer_to_the_sample()
    {
        var error = Assert.Single(Errors("# nothing yet\n"));
        Assert.Contains("the file is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_yaml_documents_are_rejected()
    {
        var error = Assert.Single(Errors(Minimal + "---\nfoo: 1\n"));
        Assert.Equal(AppendedLine + 1, error.Location.Line);
        Assert.Contains("more than one YAML document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_in_a_file_is_reported_at_once_in_line_order()
    {
        var yaml = Minimal.Replace("type: illegal_parking", "type: parking", StringComparison.Ordinal)
            + Rule + "dwell: 0s\n"
            + Rule + "colldown: 1m\n"
            + "tracker:\n  confirm_hits: 0\n";
        var errors = Errors(yaml);
        Assert.Equal(["cameras[0].rules[0].type", "cameras[0].rules[0].dwell", "cameras[0].rules[0].colldown", "tracker.confirm_hits"],
            errors.Select(e => e.KeyPath).ToArray());
        Assert.Equal([10, 12, 13, 15], errors.Select(e => e.Location.Line).ToArray());
        Assert.Contains("(did you mean 'cooldown'?)", errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exception_message_lists_every_error_on_its_own_line()
    {
        var e = Assert.Throws<ConfigException>(() => Parse(Minimal + Rule + "dwell: 0s\n" + Rule + "cooldown: -1s\n"));
        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("vision.yaml:12:", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("vision.yaml:13:", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_a_config_error_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "vision-no-such-dir", "vision.yaml");
        var e = Assert.Throws<ConfigException>(() => VisionConfigLoader.Load(path));
        var error = Assert.Single(e.Errors);
        Assert.Equal(path, error.Location.File);
        Assert.Contains("config file not found", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_given_as_the_config_path_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => VisionConfigLoader.Load(Path.GetTempPath()));
        Assert.Contains("cannot read config file", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }
}
