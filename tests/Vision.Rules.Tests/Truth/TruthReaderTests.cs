using Vision.Rules.Config;
using Vision.Rules.Truth;

namespace Vision.Rules.Tests.Truth;

public sealed class TruthReaderTests
{
    private const string FileName = "street.truth.yaml";
    private static readonly string Footage = Path.Combine(Path.GetTempPath(), "footage");

    private static TruthFile Parse(string yaml) => TruthReader.Parse(yaml, FileName, Footage);

    private static ConfigError SingleError(string yaml)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(yaml));
        return Assert.Single(e.Errors);
    }

    private const string Full = """
        version: 1
        clips:
          - clip: street-parking-hevc.mp4
            camera: hillside-street
            start: 2026-11-23T09:00:00+08:00
            complete: false
            rules: [parking-near-kerb]
            violations:
              - rule: parking-near-kerb
                from: 0s
                to: 47.3s
                box: [0.28, 0.76, 0.10, 0.09]
                note: white hatchback by the lamp post
              - rule: parking-near-kerb
                from: 1m30s
                to: 2026-11-23T09:02:00+08:00
                point: [0.52, 0.81]
            quiet:
              - from: 90
                to: 2026-11-23T09:03:00
                box: [0.0, 0.0, 0.5, 0.5]
                note: "rejected: false_detection by 张三"
        """;

    [Fact]
    public void Full_example_reads_every_key_with_offsets_and_iso_times_from_start()
    {
        var clip = Assert.Single(Parse(Full).Clips);
        Assert.Equal(Path.Combine(Footage, "street-parking-hevc.mp4"), clip.Clip);
        Assert.Equal("hillside-street", clip.CameraId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8)), clip.Start);
        Assert.False(clip.Complete);
        Assert.Equal(["parking-near-kerb"], clip.RuleIds!);
        Assert.Equal(2, clip.Violations.Count);
        Assert.Equal(new TruthViolation("parking-near-kerb", TimeSpan.Zero, TimeSpan.FromSeconds(47.3), new NormalisedBox(0.28, 0.76, 0.10, 0.09), null, "white hatchback by the lamp post"), clip.Violations[0]);
        Assert.Equal(TimeSpan.FromSeconds(90), clip.Violations[1].From);
        Assert.Equal(TimeSpan.FromSeconds(120), clip.Violations[1].To);
        Assert.Equal(new NormalisedPoint(0.52, 0.81), clip.Violations[1].Point);
        var quiet = Assert.Single(clip.Quiet);
        Assert.Null(quiet.RuleId);
        Assert.Equal(TimeSpan.FromSeconds(90), quiet.From);
        Assert.Equal(TimeSpan.FromSeconds(180), quiet.To); // no offset written: the clock of 'start'
        Assert.Equal("rejected: false_detection by 张三", quiet.Note);
    }

    [Fact]
    public void Defaults_are_complete_and_every_rule_of_the_camera()
    {
        var clip = Assert.Single(Parse("version: 1\nclips:\n  - clip: a.mp4\n").Clips);
        Assert.True(clip.Complete);
        Assert.Null(clip.RuleIds);
        Assert.Null(clip.CameraId);
        Assert.Null(clip.Start);
        Assert.Empty(clip.Violations);
    }

    [Fact]
    public void Load_resolves_clips_beside_the_file_or_under_the_footage_folder()
    {
        var dir = Directory.CreateTempSubdirectory("truth-");
        try
        {
            var file = Path.Combine(dir.FullName, "t.truth.yaml");
            File.WriteAllText(file, "version: 1\nclips:\n  - clip: clips/a.mp4\n");
            Assert.Equal(Path.Combine(dir.FullName, "clips", "a.mp4"), Assert.Single(TruthReader.Load(file).Clips).Clip);
            Assert.Equal(Path.Combine(Footage, "clips", "a.mp4"), Assert.Single(TruthReader.Load(file, Footage).Clips).Clip);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Iso_time_without_start_names_the_line_and_says_to_add_start()
    {
        var error = SingleError("version: 1\nclips:\n  - clip: a.mp4\n    violations:\n      - rule: r\n        from: 2026-11-23T09:00:10+08:00\n        to: 30s\n        point: [0.5, 0.5]\n");
        Assert.Equal((FileName, 6, 15), (error.Location.File, error.Location.Line, error.Location.Column));
        Assert.Equal("clips[0].violations[0].from", error.KeyPath);
        Assert.Contains("no 'start'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_suggests_the_closest_one()
    {
        var error = SingleError("version: 1\nclips:\n  - clip: a.mp4\n    violatons: []\n");
        Assert.Equal(4, error.Location.Line);
        Assert.Equal("clips[0].violatons", error.KeyPath);
        Assert.Contains("did you mean 'violations'?", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("box: [0.9, 0.1, 0.2, 0.1]", "reaches past the frame")]
    [InlineData("box: [0.1, 0.1, 0.2]", "expected a box")]
    [InlineData("box: [0.1, 0.1, 0, 0.2]", "above 0")]
    [InlineData("point: [1.5, 0.2]", "between 0 and 1")]
    [InlineData("note: no position", "neither 'box' nor 'point'")]
    [InlineData("box: [0.1, 0.1, 0.2, 0.2]\n        point: [0.2, 0.2]", "not both")]
    public void Bad_position_is_one_clear_error(string position, string expected)
    {
        var error = SingleError($"version: 1\nclips:\n  - clip: a.mp4\n    violations:\n      - rule: r\n        from: 0s\n        to: 30s\n        {position}\n");
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Location.Line, 5, 9);
    }

    [Theory]
    [InlineData("from: 40s\n        to: 30s", "must not be earlier")]
    [InlineData("from: soon\n        to: 30s", "bad time 'soon'")]
    [InlineData("from: -5s\n        to: 30s", "before the clip's first frame")]
    [InlineData("to: 30s", "missing required key 'from'")]
    public void Bad_window_is_one_clear_error(string window, string expected)
    {
        var error = SingleError($"version: 1\nclips:\n  - clip: a.mp4\n    violations:\n      - rule: r\n        {window}\n        point: [0.5, 0.5]\n");
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Violation_of_a_rule_not_in_the_clips_rules_list_is_refused_with_a_suggestion()
    {
        var error = SingleError("version: 1\nclips:\n  - clip: a.mp4\n    rules: [parking-near-kerb]\n    violations:\n      - rule: parking-near-kreb\n        from: 0s\n        to: 9s\n        point: [0.5, 0.5]\n");
        Assert.Equal(6, error.Location.Line);
        Assert.Contains("did you mean 'parking-near-kerb'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Iso_time_before_the_clip_start_is_refused()
    {
        var error = SingleError("version: 1\nclips:\n  - clip: a.mp4\n    start: 2026-11-23T09:00:00Z\n    quiet:\n      - from: 2026-11-23T08:59:00Z\n        to: 1m\n");
        Assert.Contains("60 s before the clip's start", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: 2\nclips:\n  - clip: a.mp4\n", "unsupported truth file version 2")]
    [InlineData("version: 1\n", "missing required key 'clips'")]
    [InlineData("version: 1\nclips: []\n", "lists no clips")]
    [InlineData("", "the file is empty")]
    [InlineData("version: 1\nclips:\n  - clip: a.mp4\n    start: 2026-11-23T09:00:00\n", "with its UTC offset")]
    [InlineData("version: 1\nclips:\n  - clip: a.mp4\n    complete: maybe\n", "unknown complete setting 'maybe'")]
    [InlineData("version: 1\nclips: [\n  - clip: a.mp4\n", "YAML syntax error")]
    public void Bad_file_is_one_clear_error(string yaml, string expected)
    {
        Assert.Contains(expected, SingleError(yaml).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_says_where_it_was_looked_for()
    {
        var e = Assert.Throws<ConfigException>(() => TruthReader.Load(Path.Combine(Footage, "nope.truth.yaml")));
        Assert.Contains("truth file not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("nope.truth.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_is_reported_at_once_in_line_order()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("version: 1\nclips:\n  - clip: a.mp4\n    complet: true\n    violations:\n      - rule: r\n        from: 0s\n        to: 1s\n"));
        Assert.Equal([4, 6], e.Errors.Select(x => x.Location.Line));
    }
}
