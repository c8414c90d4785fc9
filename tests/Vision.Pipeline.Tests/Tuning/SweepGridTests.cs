using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Tools.Tuning;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Tuning;

/// <summary>Sweep axes as typed (--set, grid files): what they parse to, what they refuse and how a setting changes a config.</summary>
public sealed class SweepGridTests
{
    private const string Config = """
        detector:
          model: yolox_nano
        tracker:
          high_score: 0.4
        cameras:
          - id: street
            name: street
            analysis: { fps: 1 }
            zones:
              - id: kerb
                name: kerb
                polygon: [[0.0, 0.5], [1.0, 0.5], [1.0, 1.0], [0.0, 1.0]]
            rules:
              - id: parking
                name: parking
                type: illegal_parking
                zones: [kerb]
                dwell: 20s
              - id: stall
                name: stall
                type: street_stall
                zones: [kerb]
                dwell: 30s
        """;

    [Fact]
    public void The_sweep_is_the_cartesian_product_of_the_axes_in_the_order_given()
    {
        var grid = SweepGrid.Create([SweepAxis.ParseSet("rule.dwell=10s,20s,1m"), SweepAxis.ParseSet("tracker.high_score=0.3,0.5")]);

        Assert.Equal(6, grid.Settings.Count);
        Assert.Equal("rule.dwell=10s tracker.high_score=0.3", grid.Settings[0].Describe());
        Assert.Equal("rule.dwell=10s tracker.high_score=0.5", grid.Settings[1].Describe());
        Assert.Equal("rule.dwell=1m tracker.high_score=0.5", grid.Settings[5].Describe());
    }

    [Fact]
    public void A_rule_key_changes_every_labelled_rule_and_a_rule_id_key_only_that_rule_and_wins()
    {
        var config = VisionConfigLoader.Parse(Config, "street.yaml");
        var grid = SweepGrid.Create([SweepAxis.ParseSet("rule.min_confidence=0.2"), SweepAxis.ParseSet("rule.stall.min_confidence=0.6"), SweepAxis.ParseSet("rule.parking.dwell=5s")]);

        var camera = grid.Settings[0].ApplyTo(config.Cameras[0], ["parking"]);

        Assert.Equal(0.2f, camera.Rules[0].MinConfidence);
        Assert.Equal(TimeSpan.FromSeconds(5), camera.Rules[0].Dwell);
        Assert.Equal(0.6f, camera.Rules[1].MinConfidence);
        Assert.Equal(TimeSpan.FromSeconds(30), camera.Rules[1].Dwell);
    }

    [Fact]
    public void Tracker_keys_change_the_tracker_and_low_above_high_is_named_as_the_loader_would()
    {
        var config = VisionConfigLoader.Parse(Config, "street.yaml");
        var grid = SweepGrid.Create([SweepAxis.ParseSet("tracker.low_score=0.1,0.5"), SweepAxis.ParseSet("tracker.lost_timeout=1m")]);

        var first = grid.Settings[0].ApplyTo(config.Tracker);
        var second = grid.Settings[1].ApplyTo(config.Tracker);

        Assert.Equal(0.1f, first.LowScore);
        Assert.Equal(TimeSpan.FromMinutes(1), first.LostTimeout);
        Assert.Null(SweepSetting.Invalid(first));
        Assert.Contains("must be below high_score", SweepSetting.Invalid(second));
    }

    [Theory]
    [InlineData("rule.min_confidence=0.2,1.5", "--set rule.min_confidence=0.2,1.5: rule.min_confidence=1.5: min_confidence must be between 0 and 1")]
    [InlineData("rule.dwell=10s,0s", "dwell must be > 0")]
    [InlineData("rule.dwell=10s,ten", "not a duration")]
    [InlineData("rule.max_motion=0", "max_motion must be > 0")]
    [InlineData("rule.near_distance=-1", "near_distance must be >= 0")]
    [InlineData("tracker.match_iou=abc", "not a number")]
    [InlineData("analysis.fps=0.5,40", "fps must be > 0 and <= 30")]
    [InlineData("rule.cooldown=1m", "cooldown is not a key tune can sweep here: use one of min_confidence, dwell, max_motion, near_distance")]
    [InlineData("camera.fps=1", "'camera.fps' is not a key tune can sweep")]
    [InlineData("rule.dwell", "write KEY=v1,v2")]
    [InlineData("rule.dwell=10s,,20s", "none empty")]
    [InlineData("rule.dwell=10s,10", "lists 10 twice")]
    [InlineData("analysis.tiles=off,5x1", "'5x1' is not a tile grid: write COLUMNSxROWS, each 1..4, e.g. 2x1 (two tiles side by side) or 3x2, or off")]
    [InlineData("analysis.tiles=2x1,2x1", "lists 2x1 twice")]
    [InlineData("analysis.max_width=640", "use one of fps, tiles")]
    public void A_bad_value_is_refused_naming_the_set_and_what_to_do(string set, string message)
    {
        var e = Assert.Throws<UsageException>(() => SweepAxis.ParseSet(set));
        Assert.Contains($"--set {set}", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_tiles_grid_keeps_the_cameras_own_overlap_and_area_else_the_loaders_defaults_and_off_removes_tiles()
    {
        var config = VisionConfigLoader.Parse(Config, "street.yaml");
        var grid = SweepGrid.Create([SweepAxis.ParseSet("analysis.fps=2"), SweepAxis.ParseSet("analysis.tiles=off, 3x2"), SweepAxis.ParseSet("rule.dwell=5s,10s")]);
        var own = config.Cameras[0].Analysis with { Tiles = new TilesConfig { Columns = 2, Rows = 1, Overlap = 0.3f, Area = TileArea.Frame } };

        var off = grid.Settings[0].ApplyTo(own);
        var defaults = grid.Settings[2].ApplyTo(config.Cameras[0].Analysis);
        var kept = grid.Settings[2].ApplyTo(own);

        Assert.Equal(2, off.Fps);
        Assert.Null(off.Tiles);
        Assert.Equal(new TilesConfig { Columns = 3, Rows = 2, Overlap = 0.2f, Area = TileArea.Zones }, defaults.Tiles);
        Assert.Equal(new TilesConfig { Columns = 3, Rows = 2, Overlap = 0.3f, Area = TileArea.Frame }, kept.Tiles);
        Assert.Equal("analysis.fps=2 analysis.tiles=3x2", grid.Settings[3].DescribeDetection());
        Assert.Equal(grid.Settings[2].DescribeDetection(), grid.Settings[3].DescribeDetection());
    }

    [Fact]
    public void Tiles_the_loader_would_refuse_on_a_camera_are_named_as_the_loader_names_them()
    {
        var config = VisionConfigLoader.Parse(Config, "street.yaml");
        var camera = config.Cameras[0];
        var noZones = camera with { Zones = [], Analysis = camera.Analysis with { Tiles = new TilesConfig { Columns = 2, Rows = 1, Overlap = 0.2f, Area = TileArea.Zones } } };
        var wholeFrame = camera with { Analysis = camera.Analysis with { Tiles = new TilesConfig { Columns = 1, Rows = 1, Overlap = 0.2f, Area = TileArea.Frame } } };

        Assert.Null(SweepSetting.InvalidTiles(camera with { Analysis = noZones.Analysis }));
        Assert.Equal("its tiles' area is 'zones' but the camera has no zones; add zones or write 'area: frame' to tile the whole frame", SweepSetting.InvalidTiles(noZones));
        Assert.Equal(TilesConfig.WholeFrameGrid, SweepSetting.InvalidTiles(wholeFrame));
    }

    [Fact]
    public async Task A_tiles_grid_over_the_zones_of_a_camera_without_zones_stops_the_tune_naming_the_set_and_camera()
    {
        string dir = Directory.CreateTempSubdirectory("vision-tune-tiles-").FullName;
        string config = Path.Combine(dir, "road.yaml"), truth = Path.Combine(dir, "road.truth.yaml");
        File.WriteAllText(config, "detector:\n  model: yolox_nano\ncameras:\n  - id: road\n    name: road\n");
        File.WriteAllText(truth, "version: 1\nclips:\n  - clip: road.mp4\n    camera: road\n");
        var options = new TuneOptions([config], [truth], dir, [SweepAxis.ParseSet("analysis.tiles=off,2x1")], Path.Combine(dir, "out"));

        var e = await Assert.ThrowsAsync<UsageException>(() => TuneRunner.RunAsync(options, CancellationToken.None));

        Assert.Equal($"--set analysis.tiles=off,2x1: analysis.tiles=2x1 on camera 'road' in {config}: its tiles' area is 'zones' but the camera has no zones; add zones or write 'area: frame' to tile the whole frame", e.Message);
    }

    [Fact]
    public void More_than_five_thousand_combinations_are_refused_saying_how_many_and_why()
    {
        var many = Enumerable.Range(1, 80).Select(i => $"{i}s");
        var axes = new[] { SweepAxis.ParseSet("rule.dwell=" + string.Join(',', many)), SweepAxis.ParseSet("rule.min_confidence=" + string.Join(',', Enumerable.Range(1, 70).Select(i => (i / 100.0).ToString(System.Globalization.CultureInfo.InvariantCulture)))) };

        var e = Assert.Throws<UsageException>(() => SweepGrid.Create(axes));

        Assert.Contains("5600 combinations (80 rule.dwell × 70 rule.min_confidence), more than 5000", e.Message);
    }

    [Fact]
    public void The_same_key_swept_twice_is_refused()
    {
        var e = Assert.Throws<UsageException>(() => SweepGrid.Create([SweepAxis.ParseSet("rule.dwell=1s"), SweepAxis.ParseSet("rule.dwell=2s")]));
        Assert.Contains("rule.dwell is swept twice", e.Message);
    }

    [Fact]
    public void A_grid_file_gives_axes_and_its_mistakes_name_the_line()
    {
        string dir = Directory.CreateTempSubdirectory("vision-grid-").FullName;
        string good = Path.Combine(dir, "grid.yaml"), bad = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(good, "rule.dwell: [10s, 20s]\ntracker.high_score: 0.3\nanalysis.tiles: [off, 2x2]\n");
        File.WriteAllText(bad, "rule.dwell: [10s, 20s]\nrule.min_confidence: [0.2, 2]\n");

        var axes = SweepGrid.ReadFile(good);
        var e = Assert.Throws<UsageException>(() => SweepGrid.ReadFile(bad));

        Assert.Equal(["rule.dwell", "tracker.high_score", "analysis.tiles"], axes.Select(a => a.Key));
        Assert.Equal(2, axes[0].Values.Count);
        Assert.Equal((2, 2), axes[2].Values[1].TileGrid);
        Assert.StartsWith($"{bad}:2:1: rule.min_confidence=2: min_confidence must be between 0 and 1", e.Message);
    }
}
