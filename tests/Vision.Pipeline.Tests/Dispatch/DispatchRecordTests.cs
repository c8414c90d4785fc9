using System.Text;
using System.Text.Json.Nodes;
using NJsonSchema;
using Vision.Dispatch;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Dispatch;

/// <summary>The dispatch case record: fields from facts and config, its JSON, and that JSON against schemas/dispatch-case.schema.json.</summary>
public sealed class DispatchRecordTests
{
    private static readonly string SchemaPath = Path.Combine(SharedData.ProjectRoot, "schemas", "dispatch-case.schema.json");
    private static readonly Lazy<Task<JsonSchema>> Schema = new(() => JsonSchema.FromFileAsync(SchemaPath));

    // 2026-11-23 15:35:44 in Beijing; confirmed 6 min 12.4 s later.
    private static readonly DateTimeOffset Started = new(2026, 11, 23, 7, 35, 44, TimeSpan.Zero);
    private static readonly DateTimeOffset Confirmed = Started + TimeSpan.FromSeconds(372.4);

    private const string Location =
        "location: { address: 人民路东侧人行道, lon: 116.397, lat: 39.909, grid: \"11010500100101\", district: \"110105\", street: \"110105001\", community: \"110105001001\" }";

    private static VisionConfig Config(string dispatch, string location = Location, string timezone = "Asia/Shanghai") => VisionConfigLoader.Parse($$"""
        detector:
          model: yolox_nano
        dispatch:
          url: https://dispatch.city.example/api/vision/cases
          {{dispatch}}
        cameras:
          - id: cam-01
            name: 人民路口东
            timezone: {{timezone}}
            {{location}}
            zones:
              - id: kerb
                polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
            rules:
              - { id: parking, type: illegal_parking, zones: [kerb] }
              - { id: stall, type: street_stall, zones: [kerb] }
              - { id: litter, type: litter, zones: [kerb] }
              - { id: bikes, type: illegal_parking, zones: [kerb], dispatch: after_review, category: "{{(dispatch.Contains("gbt47678", StringComparison.Ordinal) ? "09012" : "0506")}}" }

        """, "vision.yaml");

    private const string CjT214 = "code_set: cjt214";

    // 09011 and 09012 stand in for a city's own codes, named as category_names would.
    private const string GbT47678 = """
        code_set: gbt47678
          area_code: "110105"
          categories: { illegal_parking: "09011" }
          category_names: { "09": 街面秩序, "09011": 机动车违停, "09012": 非机动车乱停放 }
        """;

    private static string KeysFor(string codeSet) => codeSet == "cjt214" ? CjT214 : GbT47678;

    private static CaseFacts Facts(VisionConfig config, string ruleId, string status = DispatchCaseStatus.AutoCaptured, string objectClass = "car")
    {
        var camera = config.Cameras[0];
        var rule = camera.Rules.Single(r => r.Id == ruleId);
        IReadOnlyList<EvidenceReference> evidence =
        [
            new("2026/11/23/cam-01/c-1/photo-1.jpg", "https://minio.example:9000/vision-evidence/2026/11/23/cam-01/c-1/photo-1.jpg?X-Amz-Signature=ab", new string('a', 64), "image/jpeg", "first_seen"),
            new("2026/11/23/cam-01/c-1/clip.mp4", null, new string('b', 64), "video/mp4", "clip"),
        ];
        List<StatusChange> history = [new(DispatchCaseStatus.AutoCaptured, Confirmed)];
        if (status != DispatchCaseStatus.AutoCaptured) history.Add(new StatusChange(status, Confirmed.AddMinutes(3), "officer-17", "verified on video", "白色轿车"));
        return new CaseFacts("cam-01-20261123-153544-0001", camera, rule, "kerb", Started, Confirmed, 0.8700000047683716, objectClass, evidence, history, status);
    }

    private static async Task<IReadOnlyList<string>> SchemaErrors(string json) =>
        (await Schema.Value).Validate(json).Select(e => $"{e.Path}: {e.Kind}").ToList();

    private static string Json(DispatchCaseRecord record) => Encoding.UTF8.GetString(DispatchRecordBuilder.ToJson(record));

    [Theory]
    [InlineData("cjt214", "parking")]
    [InlineData("cjt214", "stall")]
    [InlineData("cjt214", "litter")]
    [InlineData("cjt214", "bikes")]
    [InlineData("gbt47678", "parking")]
    [InlineData("gbt47678", "stall")]
    [InlineData("gbt47678", "litter")]
    [InlineData("gbt47678", "bikes")]
    public async Task Records_of_every_violation_type_and_code_set_match_the_schema(string codeSet, string ruleId)
    {
        var config = Config(KeysFor(codeSet));

        var json = Json(DispatchRecordBuilder.Build(Facts(config, ruleId, DispatchCaseStatus.Confirmed), config.Dispatch!));

        Assert.Empty(await SchemaErrors(json));
    }

    [Theory]
    [InlineData("")]
    [InlineData("location: { grid: \"11010500100101\" }")]
    public async Task A_record_without_coordinates_or_address_matches_the_schema_and_uses_the_camera_name(string location)
    {
        var config = Config(CjT214, location);

        var record = DispatchRecordBuilder.Build(Facts(config, "litter", objectClass: ""), config.Dispatch!);

        Assert.Empty(await SchemaErrors(Json(record)));
        Assert.Equal("人民路口东", record.Address);
        Assert.Null(record.Longitude);
        Assert.Null(record.CoordinateSystem);
        Assert.Null(record.ObjectClass);
    }

    [Fact]
    public async Task A_parking_record_carries_the_plate_read_or_why_it_is_missing_and_matches_the_schema()
    {
        var config = Config(CjT214);

        var read = DispatchRecordBuilder.Build(Facts(config, "parking") with { PlateNumber = "京A12345", PlateConfidence = 0.93456 }, config.Dispatch!);
        Assert.Equal(("京A12345", 0.935, (string?)null), (read.PlateNumber, read.PlateConfidence, read.PlateUnreadableReason));
        Assert.Empty(await SchemaErrors(Json(read)));
        Assert.Contains("\"plateNumber\":\"京A12345\"", Json(read));
        Assert.Equal("vision.dispatch-case/2", read.Schema);

        var unread = DispatchRecordBuilder.Build(Facts(config, "parking") with { PlateUnreadableReason = "no plate found in the vehicle's box" }, config.Dispatch!);
        Assert.Equal(((string?)null, (double?)null, "no plate found in the vehicle's box"), (unread.PlateNumber, unread.PlateConfidence, unread.PlateUnreadableReason));
        Assert.Empty(await SchemaErrors(Json(unread)));

        Assert.Equal("vision.dispatch-case/2", unread.Schema);

        // Without plate fields the record is version 1, unchanged: a receiver validating that strictly keeps working.
        var stall = DispatchRecordBuilder.Build(Facts(config, "stall"), config.Dispatch!);
        Assert.DoesNotContain("plate", Json(stall));
        Assert.Equal("vision.dispatch-case/1", stall.Schema);
    }

    [Fact]
    public void A_cjt214_record_carries_the_big_and_small_class_and_the_whole_location()
    {
        var config = Config(CjT214);

        var record = DispatchRecordBuilder.Build(Facts(config, "parking"), config.Dispatch!);

        Assert.Equal(("vision.dispatch-case/1", "intelligent_video", "智能视频采集"), (record.Schema, record.Source, record.SourceName));
        Assert.Equal(("cjt214", "05", "街面秩序", "0505", "机动车乱停放"), (record.CodeSet, record.BigClassCode, record.BigClassName, record.SmallClassCode, record.SmallClassName));
        Assert.Null(record.ItemCode);
        Assert.Equal(("illegal_parking", "cam-01", "人民路口东", "人民路东侧人行道"), (record.Violation, record.CameraId, record.CameraName, record.Address));
        Assert.Equal((116.397, 39.909, "WGS84"), (record.Longitude!.Value, record.Latitude!.Value, record.CoordinateSystem));
        Assert.Equal(("11010500100101", "110105", "110105001", "110105001001"), (record.GridCode, record.DistrictId, record.StreetId, record.CommunityId));
        Assert.Equal(("kerb", "parking", config.Cameras[0].Rules[0].Version, "car"), (record.ZoneId, record.RuleId, record.RuleVersion, record.ObjectClass));
        Assert.Equal((372.4, 0.87), (record.DwellSeconds, record.Confidence));
    }

    [Fact]
    public void A_rule_category_overrides_its_type_default()
    {
        var config = Config(CjT214);

        var record = DispatchRecordBuilder.Build(Facts(config, "bikes"), config.Dispatch!);

        Assert.Equal(("0506", "非机动车乱停放", "illegal_parking"), (record.SmallClassCode, record.SmallClassName, record.Violation));
    }

    [Theory]
    [InlineData("parking", "09011", "机动车违停", "街面秩序", "11010509011")]
    [InlineData("stall", "09006", "占道经营", "街面秩序", "11010509006")]
    [InlineData("litter", "06010", "暴露垃圾", null, "11010506010")]
    public void A_gbt47678_record_has_five_digit_classes_and_an_item_code_of_area_and_class(string ruleId, string code, string name, string? bigName, string itemCode)
    {
        var config = Config(KeysFor("gbt47678"));

        var record = DispatchRecordBuilder.Build(Facts(config, ruleId), config.Dispatch!);

        Assert.Equal(("gbt47678", code[..2], bigName, code, name, itemCode), (record.CodeSet, record.BigClassCode, record.BigClassName, record.SmallClassCode, record.SmallClassName, record.ItemCode));
    }

    [Theory]
    [InlineData("parking", "人民路东侧人行道 机动车违停 已停放 6 分 12 秒")]
    [InlineData("stall", "人民路东侧人行道 占道经营 已持续 6 分 12 秒")]
    [InlineData("litter", "人民路东侧人行道 暴露垃圾 已持续 6 分 12 秒")]
    public void The_description_names_place_violation_and_how_long_it_lasted(string ruleId, string expected)
    {
        var config = Config(CjT214);

        Assert.Equal(expected, DispatchRecordBuilder.Build(Facts(config, ruleId), config.Dispatch!).Description);
    }

    [Fact]
    public void The_description_falls_back_to_the_camera_name()
    {
        var config = Config(CjT214, location: "");

        Assert.Equal("人民路口东 机动车违停 已停放 6 分 12 秒", CaseDescription.For(Facts(config, "parking")));
    }

    [Theory]
    [InlineData(45.9, "45 秒")]
    [InlineData(60, "1 分 0 秒")]
    [InlineData(3605, "1 小时 0 分 5 秒")]
    [InlineData(-3, "0 秒")]
    public void Durations_are_whole_seconds_with_larger_units_once_reached(double seconds, string expected)
    {
        Assert.Equal(expected, CaseDescription.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Times_are_utc_with_z_and_local_with_the_camera_offset()
    {
        var config = Config(CjT214);

        var record = DispatchRecordBuilder.Build(Facts(config, "parking", DispatchCaseStatus.Confirmed), config.Dispatch!);

        Assert.Equal(("2026-11-23T07:35:44.000Z", "2026-11-23T07:41:56.400Z"), (record.StartedAt, record.ConfirmedAt));
        Assert.Equal(("2026-11-23T15:35:44.000+08:00", "2026-11-23T15:41:56.400+08:00"), (record.StartedAtLocal, record.ConfirmedAtLocal));
        Assert.Equal(
            [new DispatchStatusChange("auto_captured", "2026-11-23T07:41:56.400Z", null, null, null), new DispatchStatusChange("confirmed", "2026-11-23T07:44:56.400Z", "officer-17", "verified on video", "白色轿车")],
            record.StatusHistory);
    }

    [Fact]
    public void Local_times_follow_the_camera_zone_and_its_daylight_saving()
    {
        var config = Config(CjT214, timezone: "Europe/Berlin");
        var summer = Facts(config, "parking") with { StartedAt = new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero), ConfirmedAt = new DateTimeOffset(2026, 7, 1, 10, 3, 0, TimeSpan.Zero) };

        var record = DispatchRecordBuilder.Build(summer, config.Dispatch!);

        Assert.Equal(("2026-07-01T10:00:00.000Z", "2026-07-01T12:00:00.000+02:00"), (record.StartedAt, record.StartedAtLocal));
        Assert.Equal("2026-11-23T08:35:44.000+01:00", DispatchRecordBuilder.Build(Facts(config, "parking"), config.Dispatch!).StartedAtLocal);
    }

    [Fact]
    public void Gcj02_coordinates_are_sent_converted_when_configured()
    {
        var config = Config("coordinates: gcj02");
        var (longitude, latitude) = Gcj02.FromWgs84(116.397, 39.909);

        var record = DispatchRecordBuilder.Build(Facts(config, "parking"), config.Dispatch!);

        Assert.Equal("GCJ02", record.CoordinateSystem);
        Assert.Equal(Math.Round(longitude, 6), record.Longitude);
        Assert.Equal(Math.Round(latitude, 6), record.Latitude);
        Assert.NotEqual(116.397, record.Longitude);
    }

    [Fact]
    public void Gcj02_matches_the_published_reference_pair()
    {
        // wandergis/coordtransform, test/app.js: wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164].
        var (longitude, latitude) = Gcj02.FromWgs84(116.404, 39.915);

        Assert.Equal(116.41024449916938, longitude, 1e-9);
        Assert.Equal(39.91640428150164, latitude, 1e-9);
    }

    [Theory]
    [InlineData(13.405, 52.52)] // Berlin
    [InlineData(139.767, 35.681)] // Tokyo, east of the box
    [InlineData(-74.006, 40.713)] // New York
    [InlineData(151.209, -33.868)] // Sydney
    [InlineData(116.4, 60.0)] // north of the box
    public void Gcj02_leaves_points_outside_china_unchanged(double longitude, double latitude)
    {
        Assert.Equal((longitude, latitude), Gcj02.FromWgs84(longitude, latitude));
    }

    [Fact]
    public void Gcj02_moves_points_inside_china_by_tens_to_hundreds_of_metres()
    {
        for (double longitude = 75; longitude <= 135; longitude += 2.5)
        {
            for (double latitude = 18; latitude <= 53; latitude += 2.5)
            {
                var (gcjLongitude, gcjLatitude) = Gcj02.FromWgs84(longitude, latitude);
                double metres = Metres(longitude, latitude, gcjLongitude, gcjLatitude);
                Assert.InRange(metres, 40, 700);
            }
        }
    }

    [Fact]
    public void Json_is_camel_case_utf8_with_chinese_as_is_and_without_nulls()
    {
        var config = Config(CjT214);

        byte[] bytes = DispatchRecordBuilder.ToJson(DispatchRecordBuilder.Build(Facts(config, "parking"), config.Dispatch!));
        string json = Encoding.UTF8.GetString(bytes);
        var node = JsonNode.Parse(json)!.AsObject();

        Assert.Contains("\"smallClassName\":\"机动车乱停放\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.False(node.ContainsKey("itemCode"));
        Assert.Equal("上报", node["evidence"]![0]!["usage"]!.GetValue<string>());
        Assert.False(node["evidence"]![1]!.AsObject().ContainsKey("url"));
        Assert.Equal("vision.dispatch-case/1", node["schema"]!.GetValue<string>());
        Assert.NotEqual(0xEF, bytes[0]); // no byte-order mark
    }

    [Theory]
    [InlineData("caseId")]
    [InlineData("smallClassCode")]
    [InlineData("startedAtLocal")]
    [InlineData("description")]
    public async Task A_record_missing_a_required_field_fails_the_schema(string field)
    {
        var config = Config(CjT214);
        var node = JsonNode.Parse(DispatchRecordBuilder.ToJson(DispatchRecordBuilder.Build(Facts(config, "parking"), config.Dispatch!)))!.AsObject();
        Assert.True(node.Remove(field));

        Assert.NotEmpty(await SchemaErrors(node.ToJsonString()));
    }

    [Theory]
    [InlineData("smallClassCode", "\"05050\"")] // 5 digits in cjt214
    [InlineData("itemCode", "\"11010500505\"")] // item codes are gbt47678 only
    [InlineData("gridCode", "\"1101050010010\"")]
    [InlineData("startedAt", "\"2026-11-23T15:35:44.000+08:00\"")] // UTC must say Z
    [InlineData("status", "\"closed\"")]
    [InlineData("confidence", "1.5")]
    [InlineData("surprise", "1")]
    public async Task A_record_with_a_wrong_value_fails_the_schema(string field, string value)
    {
        var config = Config(CjT214);
        var node = JsonNode.Parse(DispatchRecordBuilder.ToJson(DispatchRecordBuilder.Build(Facts(config, "parking"), config.Dispatch!)))!.AsObject();
        node[field] = JsonNode.Parse(value);

        Assert.NotEmpty(await SchemaErrors(node.ToJsonString()));
    }

    [Fact]
    public async Task Evidence_usage_other_than_report_fails_the_schema()
    {
        var config = Config(CjT214);
        var node = JsonNode.Parse(DispatchRecordBuilder.ToJson(DispatchRecordBuilder.Build(Facts(config, "parking"), config.Dispatch!)))!.AsObject();
        node["evidence"]![0]!["usage"] = "核查";

        Assert.NotEmpty(await SchemaErrors(node.ToJsonString()));
    }

    [Fact]
    public async Task A_gbt47678_record_without_its_item_code_fails_the_schema()
    {
        var config = Config(KeysFor("gbt47678"));
        var node = JsonNode.Parse(DispatchRecordBuilder.ToJson(DispatchRecordBuilder.Build(Facts(config, "stall"), config.Dispatch!)))!.AsObject();
        Assert.True(node.Remove("itemCode"));

        Assert.NotEmpty(await SchemaErrors(node.ToJsonString()));
    }

    [Fact]
    public void An_unknown_status_is_refused()
    {
        var config = Config(CjT214);

        var e = Assert.Throws<ArgumentException>(() => DispatchRecordBuilder.Build(Facts(config, "parking") with { Status = "closed" }, config.Dispatch!));
        Assert.Contains("auto_captured, confirmed, rejected, dispatched", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Great-circle distance in metres (spherical Earth; plenty for offsets of hundreds of metres).</summary>
    private static double Metres(double lon1, double lat1, double lon2, double lat2)
    {
        const double EarthRadius = 6371000;
        double toRadians = Math.PI / 180;
        double dLat = (lat2 - lat1) * toRadians, dLon = (lon2 - lon1) * toRadians;
        double a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1 * toRadians) * Math.Cos(lat2 * toRadians) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadius * Math.Asin(Math.Sqrt(a));
    }
}
