namespace Vision.Models.Tests.Decoding;

/// <summary>A 1280x720 frame cut into two tiles, left (0..768) and right (512..1280), overlapping by 256 px; boxes made up in the test.</summary>
public sealed class TiledDetectionMergeTests
{
    private const int Car = 2, Person = 0, Width = 1280, Height = 720;
    private static readonly BoundingBox LeftTile = new(0, 0, 768, 720);
    private static readonly BoundingBox RightTile = new(512, 0, 768, 720);

    private static Detection Box(int classId, float score, float x, float y, float w, float h) => new(classId, score, new BoundingBox(x, y, w, h));

    private static List<Detection> Merge(List<Detection> frame, List<Detection> left, List<Detection> right)
    {
        var merge = new TiledDetectionMerge();
        merge.Clear();
        merge.AddFrame(frame);
        merge.AddTile(left, LeftTile, Width, Height);
        merge.AddTile(right, RightTile, Width, Height);
        var result = new List<Detection>();
        merge.MergeInto(result, 0.45f);
        return result;
    }

    [Fact]
    public void Tile_detections_are_placed_in_frame_pixels()
    {
        var result = Merge([], [], [Box(Car, 0.5f, 100, 200, 40, 30)]);

        Assert.Equal([Box(Car, 0.5f, 612, 200, 40, 30)], result);
    }

    [Fact]
    public void Small_object_seen_whole_and_in_a_tile_is_one_detection_with_the_better_score()
    {
        // The tile sees it larger and surer; its box, mapped back, lies almost where the frame's does.
        var result = Merge([Box(Car, 0.25f, 1000, 300, 30, 20)], [], [Box(Car, 0.55f, 489, 301, 31, 20)]);

        Assert.Equal([Box(Car, 0.55f, 1001, 301, 31, 20)], result);
    }

    [Fact]
    public void Object_seen_in_both_overlapping_tiles_is_one_detection()
    {
        // Inside the overlap (512..768): both tiles see it whole.
        var result = Merge([], [Box(Car, 0.6f, 600, 300, 50, 30)], [Box(Car, 0.5f, 89, 301, 50, 30)]);

        Assert.Single(result);
        Assert.Equal(0.6f, result[0].Score);
    }

    [Fact]
    public void Large_object_across_a_tile_border_is_one_detection_not_its_pieces()
    {
        // A near bus, 600 px wide at 400..1000: the frame sees it whole; the left tile sees the part up to its border
        // at 768, the right tile the part from its border at 512. The pieces score higher than the whole: NMS alone would keep a piece.
        var whole = Box(Car, 0.7f, 400, 200, 600, 400);
        var leftPiece = Box(Car, 0.8f, 400, 200, 368, 400);
        var rightPiece = Box(Car, 0.75f, 0, 200, 488, 400);

        var result = Merge([whole], [leftPiece], [rightPiece]);

        Assert.Equal([whole], result);
    }

    [Fact]
    public void Whole_box_inside_a_tile_near_a_larger_one_of_its_class_is_kept()
    {
        // A car parked right behind a bus: mostly inside the bus's box but not cut by any tile border, so a real object.
        var bus = Box(Car, 0.7f, 100, 200, 400, 300);
        var car = Box(Car, 0.5f, 300, 350, 150, 100);

        var result = Merge([bus], [car], []);

        Assert.Equal([bus, car], result);
    }

    [Fact]
    public void Cut_box_of_another_class_inside_a_larger_box_is_kept()
    {
        var car = Box(Car, 0.7f, 600, 200, 300, 300);
        var person = Box(Person, 0.6f, 700, 250, 68, 200); // right edge at the left tile's border (768)

        var result = Merge([car], [person], []);

        Assert.Equal([car, person], result);
    }

    [Fact]
    public void Box_at_the_frames_own_border_is_not_a_tile_cut()
    {
        // The left tile's left edge is the frame's: a box there is not a piece cut by tiling.
        var large = Box(Car, 0.7f, 0, 200, 300, 300);
        var atEdge = Box(Car, 0.6f, 0, 210, 120, 150);

        var result = Merge([large], [atEdge], []);

        Assert.Equal(2, result.Count);
    }

    [Fact]
    public void Merging_again_forgets_the_previous_frame()
    {
        var merge = new TiledDetectionMerge();
        var result = new List<Detection>();
        merge.AddFrame([Box(Car, 0.5f, 0, 0, 10, 10)]);
        merge.MergeInto(result, 0.45f);
        merge.Clear();
        merge.AddTile([Box(Car, 0.6f, 10, 10, 10, 10)], RightTile, Width, Height);
        merge.MergeInto(result, 0.45f);

        Assert.Equal([Box(Car, 0.6f, 522, 10, 10, 10)], result);
    }
}
