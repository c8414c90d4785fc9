namespace Vision.Models;

/// <summary>Decodes a YOLOv5-style output <c>[N, 5+nc]</c>: centre x, y, width, height in input pixels, objectness, class scores.</summary>
public sealed class Yolov5Decoder : IDetectionDecoder
{
    public Yolov5Decoder(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ClassCount = classCount;
    }

    public int ClassCount { get; }

    public void Decode(ReadOnlySpan<float> output, in LetterboxTransform letterbox, float minScore, List<Detection> candidates)
    {
        int width = 5 + ClassCount;
        if (output.Length % width != 0)
            throw new ArgumentException($"{output.Length} values are not rows of {width}", nameof(output));
        int rows = output.Length / width;
        for (int i = 0; i < rows; i++)
        {
            var row = output.Slice(i * width, width);
            float objectness = row[4];
            if (objectness < minScore) continue;
            int bestClass = YoloxDecoder.BestClass(row[5..], out float classScore);
            float score = objectness * classScore;
            if (score < minScore) continue;
            var box = letterbox.CenterToFrame(row[0], row[1], row[2], row[3]);
            if (box.Area > 0f) candidates.Add(new Detection(bestClass, score, box));
        }
    }
}
