using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class TilesAndHoldConfigTests
{
    [Fact]
    public void Tiles_are_off_unless_configured()
    {
        Assert.Null(Parse(Minimal).Cameras[0].Analysis.Tiles);
    }

    [Fact]
    public void Tiles_read_grid_overlap_and_area()
    {
        var tiles = Parse(Minimal + "    analysis: { tiles: { grid: 3x2, overlap: 0.25, area: frame } }\n").Cameras[0].Analysis.Tiles;

        Assert.Equal(new TilesConfig { Columns = 3, Rows = 2, Overlap = 0.25f, Area = TileArea.Frame }, tiles);
    }

    [Fact]
    public void Tiles_written_as_an_empty_map_take_the_defaults()
    {
        var tiles = Parse(Minimal + "    analysis: { tiles: {} }\n").Cameras[0].Analysis.Tiles;

        Assert.Equal(new TilesConfig { Columns = 2, Rows = 1, Overlap = 0.2f, Area = TileArea.Zones }, tiles);
    }

    [Fact]
    public void Tiles_setting_is_part_of_the_analysis_config_equality()
    {
        var a = Parse(Minimal + "    analysis: { tiles: { grid: 2x1 } }\n").Cameras[0].Analysis;
        var b = Parse(Minimal + "    analysis: { tiles: { grid: 2x1 } }\n").Cameras[0].Analysis;
        var c = Parse(Minimal + "    analysis: { tiles: { grid: 3x1 } }\n").Cameras[0].Analysis;

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, Parse(Minimal).Cameras[0].Analysis);
    }

    [Theory]
    [InlineData("2x")]
    [InlineData("0x1")]
    [InlineData("5x1")]
    [InlineData("two")]
    public void Bad_tile_grid_is_one_error_saying_how_to_write_it(string grid)
    {
        SingleError(Minimal + $"    analysis: {{ tiles: {{ grid: {grid} }} }}\n", AppendedLine, "cameras[0].analysis.tiles.grid", "COLUMNSxROWS", "e.g. 2x1");
    }

    [Fact]
    public void Tile_overlap_of_half_a_tile_or_more_is_an_error()
    {
        SingleError(Minimal + "    analysis: { tiles: { overlap: 0.5 } }\n", AppendedLine, "cameras[0].analysis.tiles.overlap", "overlap must be >= 0 and < 0.5");
    }

    [Fact]
    public void One_tile_over_the_whole_frame_is_an_error()
    {
        SingleError(Minimal + "    analysis: { tiles: { grid: 1x1, area: frame } }\n", AppendedLine, "cameras[0].analysis.tiles.grid", "is the frame itself");
    }

    [Fact]
    public void Zone_tiles_on_a_camera_without_zones_is_an_error()
    {
        SingleError("""
            detector: { model: yolox_nano }
            cameras:
              - id: cam-01
                analysis: { tiles: { area: zones } }
            """, 4, "cameras[0].analysis.tiles.area", "has no zones", "area: frame");
    }

    [Fact]
    public void Hold_confidence_defaults_to_the_trackers_low_score()
    {
        Assert.Equal(0.1f, Parse(Minimal).Cameras[0].Rules[0].HoldConfidence);
        Assert.Equal(0.05f, Parse("tracker: { low_score: 0.05 }\n" + Minimal).Cameras[0].Rules[0].HoldConfidence);
    }

    [Fact]
    public void Hold_confidence_default_never_exceeds_min_confidence()
    {
        Assert.Equal(0.08f, Parse(Minimal + "        min_confidence: 0.08\n").Cameras[0].Rules[0].HoldConfidence);
    }

    [Fact]
    public void Hold_confidence_above_min_confidence_is_an_error_saying_how_to_turn_it_off()
    {
        SingleError(Minimal + "        hold_confidence: 0.5\n", AppendedLine, "cameras[0].rules[0].hold_confidence", "must be <= min_confidence (0.3)", "equal to min_confidence");
    }

    [Fact]
    public void Hand_set_hold_confidence_changes_the_rule_version_and_the_default_written_out_does_not()
    {
        var version = Parse(Minimal).Cameras[0].Rules[0].Version;

        Assert.Equal(version, Parse(Minimal + "        hold_confidence: 0.1\n").Cameras[0].Rules[0].Version);
        Assert.NotEqual(version, Parse(Minimal + "        hold_confidence: 0.3\n").Cameras[0].Rules[0].Version);
    }
}
