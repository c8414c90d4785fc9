namespace Vision.Models.Tests.Decoding;

public sealed class Yolov5DecoderTests
{
    [Fact]
    public void Yolov5_decoder_reads_center_size_and_multiplies_objectness_by_best_class_score()
    {
        float[] output =
        [
            // cx, cy, w, h, obj, class0, class1
            100f, 50f, 40f, 20f, 0.8f, 0.25f, 0.75f,
            10f, 10f, 4f, 4f, 0.05f, 1f, 0f, // objectness too low
            200f, 150f, 10f, 30f, 1f, 0.3f, 0.2f,
        ];
        var letterbox = LetterboxTransform.Fit(320, 320, 320, 320, LetterboxAlignment.Center);

        var candidates = new List<Detection>();
        new Yolov5Decoder(2).Decode(output, letterbox, 0.25f, candidates);

        Assert.Equal(2, candidates.Count);
        YoloxDecoderTests.AssertDetection(candidates[0], classId: 1, score: 0.6f, 80f, 40f, 120f, 60f);
        YoloxDecoderTests.AssertDetection(candidates[1], classId: 0, score: 0.3f, 195f, 135f, 205f, 165f);
    }

    [Fact]
    public void Yolov5_decoder_undoes_center_letterbox()
    {
        // A 1280x720 frame in 640x640 centred: scale 0.5, resized 640x360 pasted at y = 140.
        var letterbox = LetterboxTransform.Fit(1280, 720, 640, 640, LetterboxAlignment.Center);
        Assert.Equal((0.5f, 0, 140), (letterbox.Scale, letterbox.PadX, letterbox.PadY));
        float[] output = [320f, 320f, 100f, 50f, 1f, 0.9f];

        var candidates = new List<Detection>();
        new Yolov5Decoder(1).Decode(output, letterbox, 0.1f, candidates);

        // Input box (270,295)-(370,345) -> frame (540,310)-(740,410).
        YoloxDecoderTests.AssertDetection(Assert.Single(candidates), classId: 0, score: 0.9f, 540f, 310f, 740f, 410f);
    }

    [Fact]
    public void Yolov5_decoder_undoes_top_left_letterbox()
    {
        var letterbox = LetterboxTransform.Fit(1280, 720, 640, 640, LetterboxAlignment.TopLeft);
        float[] output = [320f, 180f, 100f, 50f, 1f, 0.9f];

        var candidates = new List<Detection>();
        new Yolov5Decoder(1).Decode(output, letterbox, 0.1f, candidates);

        YoloxDecoderTests.AssertDetection(Assert.Single(candidates), classId: 0, score: 0.9f, 540f, 310f, 740f, 410f);
    }
}
