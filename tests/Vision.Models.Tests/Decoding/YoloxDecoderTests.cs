namespace Vision.Models.Tests.Decoding;

public sealed class YoloxDecoderTests
{
    // 32x32 input with strides 8 and 16: 4x4 + 2x2 = 20 anchors, 3 classes -> 8 values per anchor.
    private const int Classes = 3;
    private const int Width = 5 + Classes;
    private static readonly int[] Strides = [8, 16];

    private static readonly LetterboxTransform Identity = LetterboxTransform.Fit(32, 32, 32, 32, LetterboxAlignment.TopLeft);

    [Fact]
    public void Yolox_decoder_counts_anchors_over_all_strides()
    {
        Assert.Equal(20, new YoloxDecoder(32, 32, Strides, Classes).AnchorCount);
        Assert.Equal(3549, YoloxDecoder.CountAnchors(416, 416, [8, 16, 32]));
    }

    [Fact]
    public void Yolox_decoder_maps_grid_cell_to_frame_pixels()
    {
        var output = new float[20 * Width];
        // Stride 8, grid x=2, y=1 -> anchor 1*4+2 = 6.
        SetAnchor(output, 6, dx: 0.5f, dy: 0.25f, logW: MathF.Log(2f), logH: 0f, objectness: 0.9f, 0.1f, 0.8f, 0.2f);
        // Stride 16, grid x=1, y=1 -> anchor 16 + 1*2+1 = 19.
        SetAnchor(output, 19, dx: 0f, dy: 0f, logW: 0f, logH: 0f, objectness: 0.5f, 0.9f, 0f, 0f);

        var candidates = new List<Detection>();
        new YoloxDecoder(32, 32, Strides, Classes).Decode(output, Identity, 0.1f, candidates);

        Assert.Equal(2, candidates.Count);
        // cx = (0.5+2)*8 = 20, cy = (0.25+1)*8 = 10, w = 2*8 = 16, h = 8.
        AssertDetection(candidates[0], classId: 1, score: 0.72f, 12f, 6f, 28f, 14f);
        // cx = (0+1)*16 = 16, cy = 16, w = h = 16.
        AssertDetection(candidates[1], classId: 0, score: 0.45f, 8f, 8f, 24f, 24f);
    }

    [Fact]
    public void Yolox_decoder_undoes_top_left_letterbox_and_clamps_to_the_frame()
    {
        // A 64x32 frame in a 32x32 input: scale 0.5, resized 32x16 at the top-left, rows 16..31 are padding.
        var letterbox = LetterboxTransform.Fit(64, 32, 32, 32, LetterboxAlignment.TopLeft);
        var output = new float[20 * Width];
        // Stride 8, grid x=1, y=1 -> anchor 5: cx = 1.5*8 = 12 ... box (4,4)-(20,12) in input pixels.
        SetAnchor(output, 5, dx: 0.5f, dy: 0f, logW: MathF.Log(2f), logH: 0f, objectness: 1f, 0f, 0f, 1f);
        // Stride 16, grid x=1, y=1 -> anchor 19: box (8,8)-(24,24) reaches into the padding below the frame.
        SetAnchor(output, 19, dx: 0f, dy: 0f, logW: 0f, logH: 0f, objectness: 1f, 0f, 1f, 0f);

        var candidates = new List<Detection>();
        new YoloxDecoder(32, 32, Strides, Classes).Decode(output, letterbox, 0.1f, candidates);

        Assert.Equal(2, candidates.Count);
        AssertDetection(candidates[0], classId: 2, score: 1f, 8f, 8f, 40f, 24f);
        AssertDetection(candidates[1], classId: 1, score: 1f, 16f, 16f, 48f, 32f);
    }

    [Fact]
    public void Yolox_decoder_undoes_center_letterbox()
    {
        // A 64x32 frame centred in a 32x32 input: scale 0.5, resized 32x16 pasted at y = 8.
        var letterbox = LetterboxTransform.Fit(64, 32, 32, 32, LetterboxAlignment.Center);
        Assert.Equal((0, 8), (letterbox.PadX, letterbox.PadY));
        var output = new float[20 * Width];
        SetAnchor(output, 19, dx: 0f, dy: 0f, logW: 0f, logH: -MathF.Log(2f), objectness: 1f, 0f, 1f, 0f);

        var candidates = new List<Detection>();
        new YoloxDecoder(32, 32, Strides, Classes).Decode(output, letterbox, 0.1f, candidates);

        // Input box (8,12)-(24,20) -> frame ((8-0)*2, (12-8)*2)-((24-0)*2, (20-8)*2).
        AssertDetection(Assert.Single(candidates), classId: 1, score: 1f, 16f, 8f, 48f, 24f);
    }

    [Fact]
    public void Yolox_decoder_keeps_score_equal_to_min_score_and_drops_lower()
    {
        var output = new float[20 * Width];
        SetAnchor(output, 0, 0.5f, 0.5f, 0f, 0f, objectness: 0.5f, 0.5f, 0f, 0f); // 0.25
        SetAnchor(output, 1, 0.5f, 0.5f, 0f, 0f, objectness: 0.5f, 0.49f, 0f, 0f); // 0.245
        SetAnchor(output, 2, 0.5f, 0.5f, 0f, 0f, objectness: 0.2f, 1f, 0f, 0f); // objectness alone below

        var candidates = new List<Detection>();
        new YoloxDecoder(32, 32, Strides, Classes).Decode(output, Identity, 0.25f, candidates);

        Assert.Equal(0.25f, Assert.Single(candidates).Score);
    }

    [Fact]
    public void Yolox_decoder_refuses_an_output_of_the_wrong_length()
    {
        var decoder = new YoloxDecoder(32, 32, Strides, Classes);
        Assert.Throws<ArgumentException>(() => decoder.Decode(new float[19 * Width], Identity, 0.1f, []));
    }

    private static void SetAnchor(float[] output, int anchor, float dx, float dy, float logW, float logH, float objectness, params float[] classScores)
    {
        var row = output.AsSpan(anchor * Width, Width);
        row[0] = dx;
        row[1] = dy;
        row[2] = logW;
        row[3] = logH;
        row[4] = objectness;
        classScores.CopyTo(row[5..]);
    }

    internal static void AssertDetection(Detection detection, int classId, float score, float x1, float y1, float x2, float y2)
    {
        Assert.Equal(classId, detection.ClassId);
        Assert.Equal(score, detection.Score, 5);
        Assert.Equal(x1, detection.Box.X, 3);
        Assert.Equal(y1, detection.Box.Y, 3);
        Assert.Equal(x2, detection.Box.Right, 3);
        Assert.Equal(y2, detection.Box.Bottom, 3);
    }
}
