using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class RuleVersionTests
{
    private static string VersionOf(string yaml) => Parse(yaml).Cameras[0].Rules[0].Version;

    [Fact]
    public void Default_version_is_eight_lowercase_hex_characters()
    {
        Assert.Matches("^[0-9a-f]{8}$", VersionOf(Minimal));
    }

    [Fact]
    public void Default_version_is_the_same_in_every_run()
    {
        // Pinned: a process-dependent hash (string.GetHashCode) would change this between runs.
        Assert.Equal("5b77a5ab", VersionOf(Minimal));
    }

    [Fact]
    public void Writing_the_defaults_out_keeps_the_version()
    {
        var explicitDefaults = Minimal + """
                    classes: [motorcycle, truck, bus, car]
                    dwell: 180
                    cooldown: 30m
                    min_confidence: 0.3
                    anchor: bottom_center

            """;
        Assert.Equal(VersionOf(Minimal), VersionOf(explicitDefaults));
    }

    [Fact]
    public void Renaming_a_rule_keeps_its_version()
    {
        Assert.Equal(VersionOf(Minimal), VersionOf(Minimal.Replace("id: parking", "id: parking-renamed", StringComparison.Ordinal) + "        name: 新名字\n"));
    }

    [Theory]
    [InlineData("        dwell: 4m\n")]
    [InlineData("        cooldown: 10m\n")]
    [InlineData("        classes: [car]\n")]
    [InlineData("        min_confidence: 0.5\n")]
    [InlineData("        max_motion: 0.2\n")]
    [InlineData("        anchor: center\n")]
    public void Changing_what_the_rule_detects_changes_its_version(string change)
    {
        Assert.NotEqual(VersionOf(Minimal), VersionOf(Minimal + change));
    }

    [Fact]
    public void Moving_the_rules_zone_changes_its_version()
    {
        var moved = Minimal.Replace("[0.1, 1.0]]", "[0.2, 1.0]]", StringComparison.Ordinal);
        Assert.NotEqual(VersionOf(Minimal), VersionOf(moved));
    }

    [Fact]
    public void Changing_the_rules_schedule_changes_its_version()
    {
        var day = Minimal + "        schedule: s\nschedules:\n  s:\n    times: [\"07:00-21:00\"]\n";
        var longerDay = Minimal + "        schedule: s\nschedules:\n  s:\n    times: [\"07:00-22:00\"]\n";
        Assert.NotEqual(VersionOf(day), VersionOf(longerDay));
        Assert.NotEqual(VersionOf(Minimal), VersionOf(day));
    }

    [Fact]
    public void Explicit_version_is_used_as_written()
    {
        Assert.Equal("2026.1", VersionOf(Minimal + "        version: 2026.1\n"));
    }
}
