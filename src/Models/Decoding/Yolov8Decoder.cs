namespace Vision.Models;

/// <summary>
/// Decodes a YOLOv8 / YOLO11 output <c>[4+nc, N]</c> (channel-major): centre x, y, width, height in input pixels, then class scores;
/// no objectness. Not thread-safe: it keeps per-anchor scratch buffers.
/// </summary>
public sealed class Yolov8Decoder : IDetectionDecoder
{
    private float[] _bestScore = [];
    private int[] _bestClass = [];

    public Yolov8Decoder(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ClassCount = classCount;
    }

    public int ClassCount { get; }

    public void Decode(ReadOnlySpan<float> output, in LetterboxTransform letterbox, float minScore, List<Detection> candidates)
    {
        int channels = 4 + ClassCount;
        if (output.Length % channels != 0)
            throw new ArgumentException($"{output.Length} values are not {channels} channels of equal length", nameof(output));
        int anchors = output.Length / channels;
        if (_bestScore.Length < anchors)
        {
            _bestScore = new float[anchors];
            _bestClass = new int[anchors];
        }
        var bestScore = _bestScore.AsSpan(0, anchors);
        var bestClass = _bestClass.AsSpan(0, anchors);

        // Walk class planes in memory order instead of striding across them per anchor.
        output.Slice(4 * anchors, anchors).CopyTo(bestScore);
        bestClass.Clear();
        for (int c = 1; c < ClassCount; c++)
        {
            var plane = output.Slice((4 + c) * anchors, anchors);
            for (int i = 0; i < anchors; i++)
            {
                if (plane[i] > bestScore[i])
                {
                    bestScore[i] = plane[i];
                    bestClass[i] = c;
                }
            }
        }

        for (int i = 0; i < anchors; i++)
        {
            float score = bestScore[i];
            if (score < minScore) continue;
            var box = letterbox.CenterToFrame(output[i], output[anchors + i], output[2 * anchors + i], output[3 * anchors + i]);
            if (box.Area > 0f) candidates.Add(new Detection(bestClass[i], score, box));
        }
    }
}
