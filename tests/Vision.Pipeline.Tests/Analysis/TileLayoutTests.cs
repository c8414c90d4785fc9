using Vision.Models;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Tracking;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Analysis;

public sealed class TileLayoutTests
{
    private static CameraConfig Camera(string tiles, string polygon = "[[0.2, 0.5], [0.8, 0.5], [0.8, 0.8], [0.2, 0.8]]") => VisionConfigLoader.Parse($$"""
        detector: { model: yolox_nano }
        cameras:
          - id: cam-01
            analysis: { tiles: {{tiles}} }
            zones: [ { id: kerb, polygon: {{polygon}} } ]
            rules: [ { id: parking, type: illegal_parking, zones: [kerb] } ]
        """, "tiles-test.yaml").Cameras[0];

    [Fact]
    public void Two_by_one_grid_over_the_frame_covers_it_with_the_configured_overlap()
    {
        var camera = Camera("{ grid: 2x1, overlap: 0.2, area: frame }");

        var layout = TileLayout.For(camera, camera.Analysis.Tiles!, 1280, 720);

        // 2 tiles of width w overlapping by 0.2 w span 1.8 w = 1280.
        Assert.Equal([new BoundingBox(0, 0, 711, 720), new BoundingBox(569, 0, 711, 720)], layout.Tiles);
    }

    [Fact]
    public void Zone_area_is_the_zones_bounding_box_grown_by_a_tenth_of_the_frame()
    {
        var camera = Camera("{ grid: 1x1, area: zones }");

        var layout = TileLayout.For(camera, camera.Analysis.Tiles!, 1000, 1000);

        Assert.Equal([new BoundingBox(100, 400, 800, 500)], layout.Tiles);
    }

    [Fact]
    public void Zone_area_stays_within_the_frame()
    {
        var camera = Camera("{ grid: 3x2, overlap: 0.25, area: zones }", "[[0.0, 0.7], [1.0, 0.7], [1.0, 1.0], [0.0, 1.0]]");

        var layout = TileLayout.For(camera, camera.Analysis.Tiles!, 1280, 720);

        Assert.Equal(6, layout.Tiles.Count);
        foreach (var tile in layout.Tiles)
        {
            Assert.InRange(tile.X, 0, 1280);
            Assert.InRange(tile.Right, 1, 1280);
            Assert.InRange(tile.Y, 432 - 1, 720);
            Assert.InRange(tile.Bottom, 433, 720);
        }
        Assert.Equal(1280, layout.Tiles[2].Right);
        Assert.Equal(720, layout.Tiles[5].Bottom);
    }
}
