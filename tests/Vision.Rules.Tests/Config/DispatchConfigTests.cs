using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class DispatchConfigTests
{
    private const string Url = "https://dispatch.city.example/api/vision/cases";

    /// <summary>A one-camera config with a parking and a stall rule; <paramref name="cameraExtra"/> and <paramref name="ruleExtra"/> are keys added to the camera and the parking rule.</summary>
    private static string Config(string dispatch, string cameraExtra = "", string ruleExtra = "", string parkingType = "illegal_parking") => $$"""
        detector:
          model: yolox_nano
        {{dispatch}}
        cameras:
          - id: cam-01
            {{cameraExtra}}
            zones:
              - id: kerb
                polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
            rules:
              - id: parking
                type: {{parkingType}}
                zones: [kerb]
                {{ruleExtra}}
              - id: stall
                type: street_stall
                zones: [kerb]

        """;

    private static string Dispatch(params string[] keys) => $"dispatch:\n  url: {Url}\n" + string.Concat(keys.Select(k => $"  {k}\n"));

    /// <summary>The 1-based line of the first line of <paramref name="yaml"/> containing <paramref name="fragment"/>.</summary>
    private static int LineOf(string yaml, string fragment)
    {
        var lines = yaml.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Contains(fragment, StringComparison.Ordinal)) return i + 1;
        throw new ArgumentException($"'{fragment}' is not in the text");
    }

    private static ConfigError SingleErrorAt(string yaml, string lineFragment, string keyPath, params string[] fragments) =>
        SingleError(yaml, LineOf(yaml, lineFragment), keyPath, fragments);

    [Fact]
    public void Without_a_dispatch_section_dispatch_is_off_and_rules_and_cameras_carry_nothing_for_it()
    {
        var config = Parse(Minimal);

        Assert.Null(config.Dispatch);
        Assert.Same(CameraLocation.Unknown, config.Cameras[0].Location);
        Assert.Null(config.Cameras[0].Rules[0].Dispatch);
        Assert.Null(config.Cameras[0].Rules[0].CategoryCode);
    }

    [Fact]
    public void An_empty_dispatch_section_is_the_same_as_none()
    {
        Assert.Null(Parse(Minimal + "dispatch:\n").Dispatch);
    }

    [Fact]
    public void A_dispatch_section_with_only_a_url_takes_the_cjt214_defaults()
    {
        var dispatch = Parse(Config(Dispatch())).Dispatch!;

        Assert.Equal(new Uri(Url), dispatch.Url);
        Assert.Equal((CaseCodeSet.CjT214, (string?)null, GridCodeFormat.CjT213, CoordinateSystem.Wgs84, DispatchPolicy.OnDetection),
            (dispatch.CodeSet, dispatch.AreaCode, dispatch.GridFormat, dispatch.Coordinates, dispatch.Send));
        Assert.Equal((TimeSpan.FromSeconds(10), 10, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10)),
            (dispatch.Timeout, dispatch.MaxAttempts, dispatch.RetryInitial, dispatch.RetryMax, dispatch.OrderWait));
        Assert.Equal(new CaseCategory("05", "街面秩序", "0505", "机动车乱停放"), dispatch.Categories[ViolationType.IllegalParking]);
        Assert.Equal(new CaseCategory("05", "街面秩序", "0501", "无照经营游商"), dispatch.Categories[ViolationType.StreetStall]);
        Assert.Equal(new CaseCategory("01", "市容环境", "0102", "暴露垃圾"), dispatch.Categories[ViolationType.Litter]);
        Assert.Equal(["0102", "0501", "0504", "0505", "0506", "0507", "0510", "0511"], dispatch.ExtraCategories.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_cjt214_example_is_read_with_overrides_city_names_rule_policy_and_category_and_camera_location()
    {
        var config = Parse(Config(
            Dispatch("code_set: cjt214", "area_code: \"110105\"", "grid_format: cjt213", "coordinates: gcj02", "send: on_detection", "timeout: 5s",
                "max_attempts: 20", "retry_initial: 1s", "retry_max: 30m", "order_wait: 0s", "categories:", "  street_stall: \"0504\"", "category_names:", "  \"0599\": 其他街面秩序"),
            cameraExtra: "location: { address: 人民路东侧人行道, lon: 116.397, lat: 39.909, grid: \"11010500100101\", district: \"110105\", street: \"110105001\", community: \"110105001001\" }",
            ruleExtra: "dispatch: after_review\n        category: \"0506\""));
        var dispatch = config.Dispatch!;
        var camera = config.Cameras[0];
        var (parking, stall) = (camera.Rules[0], camera.Rules[1]);

        Assert.Equal(("110105", CoordinateSystem.Gcj02, TimeSpan.FromSeconds(5), 20), (dispatch.AreaCode, dispatch.Coordinates, dispatch.Timeout, dispatch.MaxAttempts));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30), TimeSpan.Zero), (dispatch.RetryInitial, dispatch.RetryMax, dispatch.OrderWait));
        Assert.Equal(new CameraLocation("人民路东侧人行道", 116.397, 39.909, "11010500100101", "110105", "110105001", "110105001001"), camera.Location);
        Assert.Equal((DispatchPolicy.AfterReview, "0506"), (parking.Dispatch, parking.CategoryCode));
        Assert.Equal(DispatchPolicy.AfterReview, dispatch.PolicyFor(parking));
        Assert.Equal(DispatchPolicy.OnDetection, dispatch.PolicyFor(stall));
        Assert.Equal(new CaseCategory("05", "街面秩序", "0506", "非机动车乱停放"), dispatch.CategoryFor(parking));
        Assert.Equal(new CaseCategory("05", "街面秩序", "0504", "店外经营"), dispatch.CategoryFor(stall));
        Assert.Equal(new CaseCategory("05", "街面秩序", "0599", "其他街面秩序"), dispatch.ExtraCategories["0599"]);
    }

    [Fact]
    public void A_rule_category_or_policy_does_not_change_the_rule_version()
    {
        var plain = Parse(Config(Dispatch())).Cameras[0].Rules[0];
        var coded = Parse(Config(Dispatch(), ruleExtra: "dispatch: after_review\n        category: \"0506\"")).Cameras[0].Rules[0];

        Assert.Equal(plain.Version, coded.Version);
    }

    [Fact]
    public void Gbt47678_needs_the_city_code_for_illegal_parking_and_names_big_classes_only_when_given()
    {
        var dispatch = Parse(Config(Dispatch("code_set: gbt47678", "area_code: \"110105\"", "grid_format: gbt30428",
            "categories: { illegal_parking: \"09012\" }", "category_names: { \"09\": 街面秩序, \"09012\": 机动车违停 }"),
            cameraExtra: "location: { grid: \"110105001001010\" }")).Dispatch!;

        Assert.Equal((CaseCodeSet.GbT47678, GridCodeFormat.GbT30428), (dispatch.CodeSet, dispatch.GridFormat));
        Assert.Equal(new CaseCategory("09", "街面秩序", "09012", "机动车违停"), dispatch.Categories[ViolationType.IllegalParking]);
        Assert.Equal(new CaseCategory("09", "街面秩序", "09006", "占道经营"), dispatch.Categories[ViolationType.StreetStall]);
        Assert.Equal(new CaseCategory("06", null, "06010", "暴露垃圾"), dispatch.Categories[ViolationType.Litter]);
        Assert.Equal(["06010", "09005", "09006", "09012"], dispatch.ExtraCategories.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Gbt47678_without_illegal_parking_rules_needs_no_parking_code()
    {
        var dispatch = Parse(Config(Dispatch("code_set: gbt47678", "area_code: \"110105\""), parkingType: "litter")).Dispatch!;

        Assert.False(dispatch.Categories.ContainsKey(ViolationType.IllegalParking));
        Assert.Equal("06010", dispatch.Categories[ViolationType.Litter].SmallClassCode);
    }

    [Fact]
    public void Gbt47678_with_an_illegal_parking_rule_and_no_parking_code_is_refused_at_the_rule_type()
    {
        var yaml = Config(Dispatch("code_set: gbt47678", "area_code: \"110105\""));

        SingleErrorAt(yaml, "type: illegal_parking", "cameras[0].rules[0].type",
            "no default category for illegal_parking", "dispatch.categories.illegal_parking", "5-digit");
    }

    [Fact]
    public void Several_uncoded_illegal_parking_rules_are_one_mistake_reported_once()
    {
        var yaml = Config(Dispatch("code_set: gbt47678", "area_code: \"110105\"")).Replace("type: street_stall", "type: illegal_parking", StringComparison.Ordinal);

        SingleErrorAt(yaml, "type: illegal_parking", "cameras[0].rules[0].type", "dispatch.categories.illegal_parking");
    }

    [Fact]
    public void Gbt47678_illegal_parking_rule_with_its_own_category_needs_no_default()
    {
        var config = Parse(Config(Dispatch("code_set: gbt47678", "area_code: \"110105\"", "category_names: { \"09012\": 机动车违停 }"),
            ruleExtra: "category: \"09012\""));

        Assert.Equal("09012", config.Dispatch!.CategoryFor(config.Cameras[0].Rules[0]).SmallClassCode);
    }

    [Fact]
    public void Gbt47678_needs_an_area_code()
    {
        var yaml = Config(Dispatch("code_set: gbt47678", "categories: { illegal_parking: \"09006\" }"));

        SingleErrorAt(yaml, "dispatch:", "dispatch.area_code", "needs 'area_code'", "GB/T 2260");
    }

    [Theory]
    [InlineData("11010")]
    [InlineData("11O105")]
    [InlineData("000000")]
    public void A_bad_area_code_is_refused(string code)
    {
        var yaml = Config(Dispatch($"area_code: \"{code}\""));

        SingleErrorAt(yaml, "area_code:", "dispatch.area_code", "not a GB/T 2260 area code", "6 digits");
    }

    [Fact]
    public void The_url_is_required()
    {
        var yaml = Config("dispatch:\n  code_set: cjt214\n");

        SingleErrorAt(yaml, "dispatch:", "dispatch.url", "missing required key 'url'");
    }

    [Theory]
    [InlineData("ftp://dispatch.example/cases")]
    [InlineData("dispatch.example/cases")]
    [InlineData("/api/vision/cases")]
    public void A_url_that_is_not_absolute_http_is_refused(string url)
    {
        var yaml = Config($"dispatch:\n  url: {url}\n");

        SingleErrorAt(yaml, "url:", "dispatch.url", "not an absolute http or https URL");
    }

    [Fact]
    public void Credentials_in_the_url_are_refused_without_repeating_them()
    {
        var yaml = Config("dispatch:\n  url: https://vision:s3cret@dispatch.example/cases\n");

        var error = SingleErrorAt(yaml, "url:", "dispatch.url", "user name or password", "VISION_DISPATCH_KEY");
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("code_set: gb47678", "dispatch.code_set", "valid: cjt214, gbt47678")]
    [InlineData("grid_format: cjt214", "dispatch.grid_format", "valid: cjt213, gbt30428")]
    [InlineData("coordinates: bd09", "dispatch.coordinates", "valid: wgs84, gcj02")]
    [InlineData("send: after_reveiw", "dispatch.send", "did you mean 'after_review'")]
    [InlineData("timeout: 5m", "dispatch.timeout", "between 1s and 2m")]
    [InlineData("max_attempts: 0", "dispatch.max_attempts", "between 1 and 100")]
    [InlineData("retry_initial: 0s", "dispatch.retry_initial", "> 0")]
    [InlineData("order_wait: 2d", "dispatch.order_wait", "between 0s and 1d")]
    [InlineData("order_wait: soon", "dispatch.order_wait", "bad duration")]
    [InlineData("retry_delay: 1s", "dispatch.retry_delay", "unknown key")]
    public void A_bad_dispatch_setting_is_refused_at_its_line(string line, string keyPath, string fragment)
    {
        var yaml = Config(Dispatch(line));

        SingleErrorAt(yaml, line, keyPath, fragment);
    }

    [Fact]
    public void Retry_max_below_retry_initial_is_refused()
    {
        var yaml = Config(Dispatch("retry_initial: 5m", "retry_max: 1m"));

        SingleErrorAt(yaml, "retry_max:", "dispatch.retry_max", "must not be below retry_initial (5m)");
    }

    [Theory]
    [InlineData("\"504\"", "have 4 digits")]
    [InlineData("\"05040\"", "gbt47678 codes have 5 digits")]
    [InlineData("\"05O4\"", "have 4 digits")]
    public void A_category_code_of_the_wrong_shape_is_refused_with_the_code_set_length(string code, string fragment)
    {
        var yaml = Config(Dispatch("categories:", $"  street_stall: {code}"));

        SingleErrorAt(yaml, "street_stall:", "dispatch.categories.street_stall", "not a cjt214 category code", fragment);
    }

    [Fact]
    public void A_gbt47678_code_with_four_digits_points_to_the_other_code_set()
    {
        var yaml = Config(Dispatch("code_set: gbt47678", "area_code: \"110105\"", "categories:", "  illegal_parking: \"0505\""));

        SingleErrorAt(yaml, "illegal_parking: \"0505\"", "dispatch.categories.illegal_parking", "not a gbt47678 category code", "cjt214 codes have 4 digits");
    }

    [Fact]
    public void A_category_code_without_a_name_is_refused_pointing_to_category_names()
    {
        var yaml = Config(Dispatch("categories:", "  street_stall: \"0599\""));

        SingleErrorAt(yaml, "street_stall:", "dispatch.categories.street_stall", "unknown cjt214 category '0599'", "0504 店外经营", "dispatch.category_names");
    }

    [Fact]
    public void A_misspelt_violation_type_under_categories_is_refused_with_a_suggestion()
    {
        var yaml = Config(Dispatch("categories:", "  street_stal: \"0504\""));

        SingleErrorAt(yaml, "street_stal:", "dispatch.categories.street_stal", "did you mean 'street_stall'");
    }

    [Theory]
    [InlineData("\"599\": 其他")]
    [InlineData("\"05990\": 其他")]
    [InlineData("abcd: 其他")]
    public void A_category_name_key_that_is_no_code_is_refused(string entry)
    {
        var yaml = Config(Dispatch("category_names:", $"  {entry}"));

        var key = entry[..entry.IndexOf(':', StringComparison.Ordinal)].Trim('"');
        SingleErrorAt(yaml, entry, $"dispatch.category_names.{key}", "not a cjt214 code", "2 digits for a big class or 4 for a small class");
    }

    [Fact]
    public void A_blank_category_name_is_refused()
    {
        var yaml = Config(Dispatch("category_names:", "  \"0599\": \" \""));

        SingleErrorAt(yaml, "\"0599\"", "dispatch.category_names.0599", "is blank");
    }

    [Fact]
    public void City_names_override_built_in_names()
    {
        var dispatch = Parse(Config(Dispatch("category_names: { \"05\": 街面秩序类, \"0505\": 机动车违停 }"))).Dispatch!;

        Assert.Equal(new CaseCategory("05", "街面秩序类", "0505", "机动车违停"), dispatch.Categories[ViolationType.IllegalParking]);
    }

    [Theory]
    [InlineData("category: \"0506\"", "category")]
    [InlineData("dispatch: after_review", "dispatch")]
    public void Rule_dispatch_keys_without_a_dispatch_section_are_refused(string ruleLine, string key)
    {
        var yaml = Config("", ruleExtra: ruleLine);

        SingleErrorAt(yaml, ruleLine, $"cameras[0].rules[0].{key}", "has no effect without a top-level 'dispatch' section");
    }

    [Fact]
    public void A_rule_category_must_be_a_named_code_of_the_code_set()
    {
        var yaml = Config(Dispatch(), ruleExtra: "category: \"0599\"");

        SingleErrorAt(yaml, "category:", "cameras[0].rules[0].category", "unknown cjt214 category '0599'", "dispatch.category_names");
    }

    [Fact]
    public void A_rule_category_of_the_other_code_set_is_refused()
    {
        var yaml = Config(Dispatch(), ruleExtra: "category: \"09006\"");

        SingleErrorAt(yaml, "category:", "cameras[0].rules[0].category", "not a cjt214 category code", "have 4 digits");
    }

    [Fact]
    public void A_misspelt_rule_dispatch_policy_is_refused_with_a_suggestion()
    {
        var yaml = Config(Dispatch(), ruleExtra: "dispatch: after_reveiw");

        SingleErrorAt(yaml, "dispatch: after_reveiw", "cameras[0].rules[0].dispatch", "did you mean 'after_review'", "valid: on_detection, after_review");
    }

    [Fact]
    public void A_location_is_read_without_a_dispatch_section_and_accepts_either_grid_length()
    {
        var fourteen = Parse(Config("", cameraExtra: "location: { address: 人民路, grid: \"11010500100101\" }")).Cameras[0].Location;
        var fifteen = Parse(Config("", cameraExtra: "location: { grid: \"110105001001010\" }")).Cameras[0].Location;

        Assert.Equal(new CameraLocation("人民路", null, null, "11010500100101", null, null, null), fourteen);
        Assert.Equal("110105001001010", fifteen.GridCode);
    }

    [Theory]
    [InlineData("location: { lon: 116.397 }", "cameras[0].location.lon", "'lon' is set without 'lat'")]
    [InlineData("location: { lat: 39.909 }", "cameras[0].location.lat", "'lat' is set without 'lon'")]
    [InlineData("location: { lon: 39.909, lat: 116.397 }", "cameras[0].location.lat", "lon and lat may be swapped")]
    [InlineData("location: { lon: 216.4, lat: 39.9 }", "cameras[0].location.lon", "between -180 and 180")]
    [InlineData("location: { lon: east, lat: 39.9 }", "cameras[0].location.lon", "expected a number")]
    [InlineData("location: { address: \"  \" }", "cameras[0].location.address", "is blank")]
    [InlineData("location: { grid: \"1101050010010\" }", "cameras[0].location.grid", "14 digits (CJ/T 213) or 15 digits (GB/T 30428.1)")]
    [InlineData("location: { postcode: \"100005\" }", "cameras[0].location.postcode", "unknown key")]
    public void A_bad_location_is_refused_at_its_line(string location, string keyPath, string fragment)
    {
        var yaml = Config("", cameraExtra: location);

        SingleErrorAt(yaml, "location:", keyPath, fragment);
    }

    [Fact]
    public void A_grid_code_must_have_the_length_of_the_configured_format()
    {
        var yaml = Config(Dispatch(), cameraExtra: "location: { grid: \"110105001001010\" }");

        SingleErrorAt(yaml, "location:", "cameras[0].location.grid", "not a CJ/T 213 unit grid code", "14 digits", "dispatch.grid_format: gbt30428");
    }

    [Fact]
    public void A_fourteen_digit_grid_code_is_refused_for_gbt30428()
    {
        var yaml = Config(Dispatch("grid_format: gbt30428"), cameraExtra: "location: { grid: \"11010500100101\" }");

        SingleErrorAt(yaml, "location:", "cameras[0].location.grid", "not a GB/T 30428.1 unit grid code", "15 digits");
    }

    [Fact]
    public void Dispatch_errors_are_reported_with_file_line_column_and_key_path()
    {
        var yaml = Config(Dispatch("code_set: gb47678"));

        var error = Assert.Single(Errors(yaml));
        Assert.StartsWith($"vision.yaml:{LineOf(yaml, "code_set:")}:13: dispatch.code_set: unknown code set 'gb47678'", error.ToString(), StringComparison.Ordinal);
    }
}
