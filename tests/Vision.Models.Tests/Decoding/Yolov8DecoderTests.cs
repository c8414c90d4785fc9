namespace Vision.Models.Tests.Decoding;

public sealed class Yolov8DecoderTests
{
    [Fact]
    public void Yolov8_decoder_reads_channel_major_columns_without_objectness()
    {
        // 4 anchors, 2 classes: channels cx, cy, w, h, class0, class1, each a row of 4 anchors.
        float[] output =
        [
            10f, 20f, 30f, 40f, // cx
            10f, 20f, 30f, 40f, // cy
            4f, 4f, 8f, 2f, // w
            4f, 6f, 2f, 2f, // h
            0.05f, 0.6f, 0.1f, 0.2f, // class 0
            0.1f, 0.3f, 0.9f, 0.24f, // class 1
        ];
        var letterbox = LetterboxTransform.Fit(64, 64, 64, 64, LetterboxAlignment.TopLeft);

        var candidates = new List<Detection>();
        new Yolov8Decoder(2).Decode(output, letterbox, 0.25f, candidates);

        Assert.Equal(2, candidates.Count);
        YoloxDecoderTests.AssertDetection(candidates[0], classId: 0, score: 0.6f, 18f, 17f, 22f, 23f);
        YoloxDecoderTests.AssertDetection(candidates[1], classId: 1, score: 0.9f, 26f, 29f, 34f, 31f);
    }

    [Fact]
    public void Yolov8_decoder_undoes_center_letterbox_and_handles_a_larger_output_after_a_smaller_one()
    {
        var decoder = new Yolov8Decoder(1);
        decoder.Decode(new float[5 * 2], LetterboxTransform.Fit(64, 64, 64, 64, LetterboxAlignment.TopLeft), 0.5f, []);

        // A 360x640 portrait frame in 320x320 centred: scale 0.5, resized 180x320 pasted at x = 70.
        var letterbox = LetterboxTransform.Fit(360, 640, 320, 320, LetterboxAlignment.Center);
        Assert.Equal((70, 0), (letterbox.PadX, letterbox.PadY));
        var output = new float[5 * 3];
        output[0 * 3 + 2] = 160f;
        output[1 * 3 + 2] = 100f;
        output[2 * 3 + 2] = 20f;
        output[3 * 3 + 2] = 40f;
        output[4 * 3 + 2] = 0.7f;

        var candidates = new List<Detection>();
        decoder.Decode(output, letterbox, 0.5f, candidates);

        // Input box (150,80)-(170,120) -> frame (160,160)-(200,240).
        YoloxDecoderTests.AssertDetection(Assert.Single(candidates), classId: 0, score: 0.7f, 160f, 160f, 200f, 240f);
    }
}
