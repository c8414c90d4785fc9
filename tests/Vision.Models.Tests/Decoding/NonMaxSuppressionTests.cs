namespace Vision.Models.Tests.Decoding;

public sealed class NonMaxSuppressionTests
{
    private static Detection Box(int classId, float score, float x, float y, float w, float h) => new(classId, score, new BoundingBox(x, y, w, h));

    [Fact]
    public void Overlapping_boxes_of_one_class_keep_only_the_best_scored()
    {
        List<Detection> candidates = [Box(0, 0.6f, 0, 0, 10, 10), Box(0, 0.9f, 1, 1, 10, 10), Box(0, 0.7f, 50, 50, 10, 10)];
        var kept = new List<Detection>();

        new NonMaxSuppression().Apply(candidates, 0.45f, kept);

        Assert.Equal(new[] { candidates[1], candidates[2] }, kept);
    }

    [Fact]
    public void Overlapping_boxes_of_different_classes_are_all_kept()
    {
        List<Detection> candidates = [Box(0, 0.9f, 0, 0, 10, 10), Box(1, 0.8f, 0, 0, 10, 10), Box(2, 0.7f, 0, 0, 10, 10)];
        var kept = new List<Detection>();

        new NonMaxSuppression().Apply(candidates, 0.45f, kept);

        Assert.Equal(candidates, kept);
    }

    [Fact]
    public void Iou_equal_to_the_threshold_keeps_the_box_and_above_it_suppresses()
    {
        // Second box covers half of the first: IoU = 50 / 100 = 0.5 exactly.
        List<Detection> candidates = [Box(3, 0.9f, 0, 0, 10, 10), Box(3, 0.8f, 0, 0, 10, 5)];

        var atThreshold = new List<Detection>();
        new NonMaxSuppression().Apply(candidates, 0.5f, atThreshold);
        var belowThreshold = new List<Detection>();
        new NonMaxSuppression().Apply(candidates, 0.49f, belowThreshold);

        Assert.Equal(2, atThreshold.Count);
        Assert.Equal(new[] { candidates[0] }, belowThreshold);
    }

    [Fact]
    public void Equal_scores_are_ordered_by_candidate_index()
    {
        List<Detection> candidates = [Box(0, 0.5f, 100, 0, 10, 10), Box(0, 0.8f, 0, 0, 10, 10), Box(0, 0.8f, 1, 0, 10, 10), Box(0, 0.5f, 200, 0, 10, 10)];
        var kept = new List<Detection>();

        new NonMaxSuppression().Apply(candidates, 0.45f, kept);

        Assert.Equal(new[] { candidates[1], candidates[0], candidates[3] }, kept);
    }

    [Fact]
    public void A_suppressed_box_does_not_suppress_others()
    {
        // B overlaps A and C; A beats B, so C (which overlaps only B enough) survives.
        List<Detection> candidates = [Box(0, 0.9f, 0, 0, 10, 10), Box(0, 0.8f, 4, 0, 10, 10), Box(0, 0.7f, 8, 0, 10, 10)];
        var kept = new List<Detection>();

        new NonMaxSuppression().Apply(candidates, 0.3f, kept);

        Assert.Equal(new[] { candidates[0], candidates[2] }, kept);
    }

    [Fact]
    public void Reused_instance_gives_the_same_result_for_more_candidates()
    {
        var nms = new NonMaxSuppression();
        nms.Apply([Box(0, 0.9f, 0, 0, 10, 10)], 0.45f, []);
        var candidates = new List<Detection>();
        for (int i = 0; i < 100; i++) candidates.Add(Box(i % 4, 0.01f * i, i * 20, 0, 10, 10));
        var kept = new List<Detection>();

        nms.Apply(candidates, 0.45f, kept);

        Assert.Equal(100, kept.Count);
        Assert.Equal(0.01f * 99, kept[0].Score);
    }
}
