using Vision.Rules.Config;
using Vision.Rules.Zones;

namespace Vision.Rules.Tests.Config;

/// <summary>
/// <c>zones_file</c>: a camera's zones in their own file (what the console's zone editor writes), read and checked as
/// inline zones are, with mistakes naming that file; and <see cref="ZonesFileWriter"/>'s text reading back the same zones.
/// </summary>
public sealed class ZonesFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vision-zones-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, "vision.yaml");

    private string ZonesPath => Path.Combine(_dir, "zones", "cam-01.yaml");

    private const string Config = """
        detector: { model: yolox_nano }
        # a hand-written comment the editor must keep
        cameras:
          - id: cam-01
            zones_file: zones/cam-01.yaml
            rules:
              - { id: litter, type: litter, zones: [kerb], classes: [bottle] }

        """;

    private const string Zones = """
        - id: kerb
          name: 东侧路缘
          polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
        - id: corner
          polygon: [[0.123456789012345, 0.1], [0.3, 0.1], [0.2, 0.333333333333333]]

        """;

    private VisionConfig Write(string config = Config, string? zones = Zones)
    {
        File.WriteAllText(ConfigPath, config);
        if (zones is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ZonesPath)!);
            File.WriteAllText(ZonesPath, zones);
        }
        return VisionConfigLoader.Load(ConfigPath);
    }

    private ConfigException Refused(string config = Config, string? zones = Zones) => Assert.Throws<ConfigException>(() => Write(config, zones));

    private static void AssertSameZones(IReadOnlyList<Zone> expected, IReadOnlyList<Zone> actual)
    {
        Assert.Equal(expected.Select(z => (z.Id, z.Name)), actual.Select(z => (z.Id, z.Name)));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Polygon.Points, actual[i].Polygon.Points);
    }

    [Fact]
    public void A_cameras_zones_come_from_its_zones_file_relative_to_the_config_and_the_file_is_listed_for_the_hot_reload()
    {
        var config = Write();

        var camera = config.Cameras[0];
        Assert.Equal(["kerb", "corner"], camera.Zones.Select(z => z.Id));
        Assert.Equal("东侧路缘", camera.Zones[0].Name);
        Assert.Equal(ZonesPath, camera.ZonesFile);
        Assert.Equal([ZonesPath], config.IncludedFiles);
        Assert.Equal(["kerb"], camera.Rules[0].ZoneIds);
    }

    [Fact]
    public void Inline_zones_beside_a_zones_file_are_refused()
    {
        var e = Refused(Config.Replace("    zones_file: zones/cam-01.yaml\n", "    zones_file: zones/cam-01.yaml\n    zones: []\n", StringComparison.Ordinal));

        var error = Assert.Single(e.Errors);
        Assert.Equal(("vision.yaml", 5), (Path.GetFileName(error.Location.File), error.Location.Line));
        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistake_in_the_zones_file_names_that_file_line_and_column()
    {
        var e = Refused(zones: Zones.Replace("[0.9, 1.0], [0.1, 1.0]]", "[0.9, 1.5], [0.1, 1.0]]", StringComparison.Ordinal));

        var error = Assert.Single(e.Errors);
        Assert.Equal(Path.Combine(_dir, "zones", "cam-01.yaml"), error.Location.File);
        Assert.Equal((3, 37), (error.Location.Line, error.Location.Column));
        Assert.Equal("cameras[0].zones[0].polygon[2]", error.KeyPath);
        Assert.Contains("outside the image", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(ZonesPath + ":3:37: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_yaml_syntax_error_in_the_zones_file_names_that_file()
    {
        var e = Refused(zones: "- id: kerb\n  polygon: [[0.1, 0.6], [0.9, 0.6]\n");

        Assert.All(e.Errors, error => Assert.Equal(ZonesPath, error.Location.File));
        Assert.Contains("YAML syntax error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_zones_file_is_one_message_at_the_key_saying_what_to_do()
    {
        var e = Refused(zones: null);

        var error = Assert.Single(e.Errors);
        Assert.Equal(("cameras[0].zones_file", 5), (error.KeyPath, error.Location.Line));
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("create it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_naming_a_zone_the_file_no_longer_has_is_refused_by_the_loaders_rule_check()
    {
        var e = Refused(zones: "- { id: other, polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0]] }\n");

        var error = Assert.Single(e.Errors);
        Assert.Equal("cameras[0].rules[0].zones[0]", error.KeyPath);
        Assert.Contains("unknown zone 'kerb'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Written_zones_load_back_to_the_same_zones_with_every_digit()
    {
        var loaded = Write().Cameras[0].Zones;

        string text = ZonesFileWriter.Format("cam-01", loaded.Select(ZoneDraft.Of).ToList());
        ZonesFileWriter.Write(ZonesPath, text);
        var reloaded = VisionConfigLoader.Load(ConfigPath).Cameras[0].Zones;

        AssertSameZones(loaded, reloaded);
        Assert.Equal(text, ZonesFileWriter.Format("cam-01", reloaded.Select(ZoneDraft.Of).ToList()));
        Assert.Equal(Config, File.ReadAllText(ConfigPath)); // the config file, with its comment, is never rewritten
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(ZonesPath)!, "*.tmp"));
    }

    [Fact]
    public void Numbers_are_written_in_invariant_culture_whatever_the_current_culture()
    {
        Write();
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            string text = ZonesFileWriter.Format("cam-01", [new ZoneDraft("kerb", "a \"quoted\" name", [new(0.5, 0.25), new(0.75, 0.25), new(0.625, 0.875)])]);
            ZonesFileWriter.Write(ZonesPath, text);
            Assert.Contains("[[0.5, 0.25], [0.75, 0.25], [0.625, 0.875]]", text, StringComparison.Ordinal);
            var zone = Assert.Single(VisionConfigLoader.Load(ConfigPath).Cameras[0].Zones);
            Assert.Equal("a \"quoted\" name", zone.Name);
            Assert.Equal(new NormalizedPoint(0.625, 0.875), zone.Polygon.Points[2]);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Check_validates_would_be_zones_with_the_loaders_messages_without_touching_the_file()
    {
        Write();
        string before = File.ReadAllText(ZonesPath);
        ZoneDraft[] crossing = [new("kerb", "kerb", [new(0.1, 0.1), new(0.9, 0.9), new(0.9, 0.1), new(0.1, 0.9)])];
        ZoneDraft[] twoCorners = [new("kerb", "kerb", [new(0.1, 0.1), new(0.9, 0.9)])];

        var selfIntersecting = Assert.Throws<ConfigException>(() => ZonesFileWriter.Check(ConfigPath, ZonesPath, ZonesFileWriter.Format("cam-01", crossing)));
        var tooFew = Assert.Throws<ConfigException>(() => ZonesFileWriter.Check(ConfigPath, ZonesPath, ZonesFileWriter.Format("cam-01", twoCorners)));

        Assert.Contains("cross", Assert.Single(selfIntersecting.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(ZonePolygon.Validate(twoCorners[0].Points), Assert.Single(tooFew.Errors).Message);
        Assert.Equal(ZonesPath, tooFew.Errors[0].Location.File);
        Assert.Equal(before, File.ReadAllText(ZonesPath));
        var accepted = ZonesFileWriter.Check(ConfigPath, ZonesPath, ZonesFileWriter.Format("cam-01", [new("kerb", "新", [new(0, 0), new(1, 0), new(1, 1)])]));
        Assert.Equal("新", accepted.Cameras[0].Zones[0].Name);
        Assert.Equal(before, File.ReadAllText(ZonesPath));
    }

    /// <summary>A zones file of one zone with <paramref name="corners"/> corners; criss-cross ones fold over themselves at every corner.</summary>
    private static string OneZone(int corners, bool crissCross = false)
    {
        var points = Enumerable.Range(0, corners).Select(i =>
        {
            double angle = 2 * Math.PI * i / corners * (crissCross ? corners / 2 - 1 : 1);
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{0.5 + 0.4 * Math.Cos(angle):0.######}, {0.5 + 0.4 * Math.Sin(angle):0.######}]");
        });
        return $"- id: kerb\n  polygon: [{string.Join(", ", points)}]\n";
    }

    [Fact]
    public void A_zone_of_more_than_256_corners_is_refused_at_its_polygon_before_its_edges_are_compared()
    {
        // Criss-cross: were the edges compared first, the answer would be that it crosses itself.
        var e = Refused(zones: OneZone(ZonePolygon.MaxPoints + 1, crissCross: true));

        var error = Assert.Single(e.Errors);
        Assert.Equal((ZonesPath, 2), (error.Location.File, error.Location.Line));
        Assert.Equal("cameras[0].zones[0].polygon", error.KeyPath);
        Assert.StartsWith("a polygon has at most 256 points, got 257: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, ZonePolygon.Validate(Enumerable.Range(0, 257).Select(i => new NormalizedPoint(i / 300.0, 0.5)).ToList()));

        // The finding's 40,000 corners: a valid circle, accepted after 10–17 s of comparing every pair of edges.
        Assert.Contains("got 40000", Assert.Single(Refused(zones: OneZone(40_000)).Errors).Message, StringComparison.Ordinal);

        Assert.Equal(256, Assert.Single(Write(zones: OneZone(ZonePolygon.MaxPoints)).Cameras[0].Zones).Polygon.Points.Count);
    }

    [Fact]
    public void A_camera_with_more_than_64_zones_is_refused_at_its_zone_list_alone()
    {
        string zones = string.Concat(Enumerable.Range(0, Zone.MaxPerCamera + 1).Select(i => $"- {{ id: {(i == 0 ? "kerb" : $"z{i}")}, polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0]] }}\n"));

        var error = Assert.Single(Refused(zones: zones).Errors); // the rule's zone is not reported missing as well
        Assert.Equal((ZonesPath, 1), (error.Location.File, error.Location.Line));
        Assert.Equal("cameras[0].zones", error.KeyPath);
        Assert.StartsWith("a camera has at most 64 zones, got 65: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(64, Write(zones: string.Concat(zones.Split('\n').Take(64).Select(line => line + "\n"))).Cameras[0].Zones.Count);
    }
}
