using Vision.Rules.Config;

namespace Vision.Rules.Tests.Config;

/// <summary>The binder fills each section's record from the declarations: every member has a key, every key a member.</summary>
public class SectionBinderTests
{
    [Theory]
    [InlineData("LostTimeout", "lost_timeout")]
    [InlineData("Fps", "fps")]
    [InlineData("MaxBytesPerCamera", "max_bytes_per_camera")]
    public void Members_and_keys_name_each_other(string member, string key)
    {
        Assert.Equal(key, SectionBinder.KeyOf(member));
        Assert.Equal(member, SectionBinder.MemberOf(key));
    }

    [Fact]
    public void A_config_without_the_sections_gets_each_members_initial_value()
    {
        var config = ConfigTestText.Parse(ConfigTestText.Minimal);

        Assert.Equal(new TrackerConfig(), config.Tracker);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Tracker.LostTimeout);
        Assert.Equal(2, config.Tracker.ConfirmHits);
        Assert.Equal(10L << 30, config.Evidence.SpoolMaxBytes);
        Assert.Equal(90, config.Evidence.JpegQuality);
        Assert.Equal(new LiveConfig(), config.Live);
        Assert.Equal(new RecordingConfig(), config.Recording);
        Assert.Equal(new ConsoleConfig(), config.Console);
        Assert.Equal(new DetectorConfig { Model = "yolox_nano" }, config.Detector);
        Assert.Equal(new AnalysisConfig(), config.Cameras[0].Analysis);
        Assert.Equal(TimeSpan.FromSeconds(30), ConfigSchema.Tracker.Section.Setting<TimeSpan>("lost_timeout").Default);
    }

    [Fact]
    public void Written_values_reach_the_records_members()
    {
        var config = ConfigTestText.Parse("""
            evidence: { directory: spool, spool_max_bytes: 1e9, jpeg_quality: 70 }
            tracker: { lost_timeout: 45s }

            """ + ConfigTestText.Minimal + "    analysis: { fps: 2, fast_decode: true, tiles: { grid: 3x2, overlap: 0.25 } }\n");

        Assert.Equal("spool", config.Evidence.Directory);
        Assert.Equal(1_000_000_000L, config.Evidence.SpoolMaxBytes);
        Assert.Equal(70, config.Evidence.JpegQuality);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Tracker.LostTimeout);
        var analysis = config.Cameras[0].Analysis;
        Assert.Equal(2, analysis.Fps);
        Assert.True(analysis.FastDecode);
        Assert.Equal((3, 2, 0.25f, TileArea.Zones), (analysis.Tiles!.Columns, analysis.Tiles.Rows, analysis.Tiles.Overlap, analysis.Tiles.Area));
    }

    private enum Weather { Clear, LightRain }

    private sealed record EveryKind
    {
        [Setting("a duration", Limit = "between 1s and 1h")] public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(90);
        [Setting("an integer", Limit = ">= 1")] public int Count { get; init; } = 3;
        [Setting("a byte count", Limit = "at least 1048576")] public long MaxBytes { get; init; } = 2L << 20;
        [Setting("a number", Limit = "> 0 and <= 30")] public double Rate { get; init; } = 2.5;
        [Setting("a fraction")] public float Share { get; init; } = 0.25f;
        [Setting("a switch")] public bool On { get; init; } = true;
        [Setting("a choice of an enum", What = "weather")] public Weather Sky { get; init; } = Weather.LightRain;
        [Setting("a choice of words", Words = ["fast", "slow"])] public string Pace { get; init; } = "slow";
        [Setting("text", TypeText = "path")] public string Folder { get; init; } = "data";
        [Setting("optional text", Key = "env_name")] public string? Variable { get; init; }
        [ParsedByHand("parsed by the mapper")] public string Grid { get; init; } = "";
        public int NotAKey { get; init; }
    }

    [Fact]
    public void A_members_type_its_initial_value_and_its_declaration_make_the_setting()
    {
        var section = ConfigSection.Of<EveryKind>("## `kinds`", "wait, count");

        Assert.Equal(["wait", "count", "max_bytes", "rate", "share", "on", "sky", "pace", "folder", "env_name", "grid"], section.Keys);
        Assert.Equal(
            ["duration 1s–1h", "integer ≥ 1", "bytes ≥ 1048576", "number > 0 and ≤ 30", "fraction", "`true` \\| `false`", "`clear` \\| `light_rain`",
             "`fast` \\| `slow`", "path", "text", null],
            section.Entries.Select(e => e.TypeText));
        Assert.Equal(["1m30s", "3", "2097152", "2.5", "0.25", "true", "light_rain", "slow", "data", null, null], section.Entries.Select(e => e.DefaultText));
        Assert.False(section.Entries[^1].IsSetting);
    }

    [Fact]
    public void Written_values_are_read_with_the_declared_limits_and_the_mappers_given_values_fill_their_members()
    {
        var section = ConfigSection.Of<EveryKind>("## `kinds`", "wait, count");
        var reader = new YamlConfigReader("kinds.yaml");
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader("wait: 2h\ncount: 4\nsky: clear\nenv_name: VISION_X\nrate: 31\npace: fast\n"));
        var map = reader.Map(stream.Documents[0].RootNode, "kinds", section)!;

        var bound = map.Bind<EveryKind>(section, ("grid", "3x2"), ("not_a_key", 7));

        Assert.Equal(
            ["kinds.wait: wait must be between 1s and 1h, got 2h", "kinds.rate: rate must be > 0 and <= 30, got 31"],
            reader.Errors.Select(e => $"{e.KeyPath}: {e.Message}"));
        Assert.Equal(new EveryKind
        {
            Count = 4, Sky = Weather.Clear, Variable = "VISION_X", Pace = "fast", Grid = "3x2", NotAKey = 7,
        }, bound);
        var notAMember = Assert.Throws<InvalidOperationException>(() => map.Bind<EveryKind>(section, ("spare", 1)));
        Assert.Contains("no member Spare in EveryKind", notAMember.Message, StringComparison.Ordinal);
    }

    private sealed record GetOnly
    {
        [Setting("cannot be set", Limit = ">= 0")] public int Fixed => 1;
    }

    private sealed record NoLimit
    {
        [Setting("a count with no limit")] public int Count { get; init; }
    }

    [Fact]
    public void A_setting_that_cannot_be_set_or_a_number_without_its_limit_is_refused()
    {
        var getOnly = Assert.Throws<InvalidOperationException>(() => ConfigSection.Of<GetOnly>("## `x`", ""));
        Assert.Contains("GetOnly.Fixed is declared a setting but cannot be set", getOnly.Message, StringComparison.Ordinal);
        var noLimit = Assert.Throws<System.Reflection.TargetInvocationException>(() => ConfigSection.Of<NoLimit>("## `x`", ""));
        Assert.Contains("setting 'count' needs a Limit", noLimit.InnerException!.Message, StringComparison.Ordinal);
    }
}
