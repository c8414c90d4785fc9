using Vision.Pipeline.Replay;
using Vision.Pipeline.Tuning;
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
    public void A_bad_value_is_refused_naming_the_set_and_what_to_do(string set, string message)
    {
        var e = Assert.Throws<UsageException>(() => SweepAxis.ParseSet(set));
        Assert.Contains($"--set {set}", e.Message);
        Assert.Contains(message, e.Message);
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
        File.WriteAllText(good, "rule.dwell: [10s, 20s]\ntracker.high_score: 0.3\n");
        File.WriteAllText(bad, "rule.dwell: [10s, 20s]\nrule.min_confidence: [0.2, 2]\n");

        var axes = SweepGrid.ReadFile(good);
        var e = Assert.Throws<UsageException>(() => SweepGrid.ReadFile(bad));

        Assert.Equal(["rule.dwell", "tracker.high_score"], axes.Select(a => a.Key));
        Assert.Equal(2, axes[0].Values.Count);
        Assert.StartsWith($"{bad}:2:1: rule.min_confidence=2: min_confidence must be between 0 and 1", e.Message);
    }
}
