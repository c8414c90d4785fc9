namespace Vision.Models;

/// <summary>
/// Decodes a raw YOLOX head <c>[anchors, 5+nc]</c> (per anchor: dx, dy, log w, log h, objectness, class scores, already sigmoid-ed),
/// anchors in row-major grid order per stride, smallest stride first.
/// </summary>
public sealed class YoloxDecoder : IDetectionDecoder
{
    private readonly float[] _gridX;
    private readonly float[] _gridY;
    private readonly float[] _stride;

    public YoloxDecoder(int inputWidth, int inputHeight, IReadOnlyList<int> strides, int classCount)
    {
        ArgumentNullException.ThrowIfNull(strides);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ClassCount = classCount;
        AnchorCount = CountAnchors(inputWidth, inputHeight, strides);
        _gridX = new float[AnchorCount];
        _gridY = new float[AnchorCount];
        _stride = new float[AnchorCount];
        int anchor = 0;
        foreach (var stride in strides)
        {
            int columns = inputWidth / stride, rows = inputHeight / stride;
            for (int y = 0; y < rows; y++)
            {
                for (int x = 0; x < columns; x++, anchor++)
                {
                    _gridX[anchor] = x;
                    _gridY[anchor] = y;
                    _stride[anchor] = stride;
                }
            }
        }
    }

    public int ClassCount { get; }

    public int AnchorCount { get; }

    /// <summary>Anchors a YOLOX head has for this input size: the sum over strides of (H/s)*(W/s).</summary>
    public static int CountAnchors(int inputWidth, int inputHeight, IReadOnlyList<int> strides)
    {
        int count = 0;
        foreach (var stride in strides)
        {
            if (stride <= 0 || inputWidth % stride != 0 || inputHeight % stride != 0)
                throw new ArgumentException($"stride {stride} does not divide {inputWidth}x{inputHeight}", nameof(strides));
            count += (inputWidth / stride) * (inputHeight / stride);
        }
        return count;
    }

    public void Decode(ReadOnlySpan<float> output, in LetterboxTransform letterbox, float minScore, List<Detection> candidates)
    {
        int width = 5 + ClassCount;
        if (output.Length != AnchorCount * width)
            throw new ArgumentException($"expected {AnchorCount}x{width} values for one image, got {output.Length}", nameof(output));
        for (int anchor = 0; anchor < AnchorCount; anchor++)
        {
            var row = output.Slice(anchor * width, width);
            float objectness = row[4];
            // Class scores are at most 1, so an anchor below the threshold on objectness alone cannot pass.
            if (objectness < minScore) continue;
            int bestClass = BestClass(row[5..], out float classScore);
            float score = objectness * classScore;
            if (score < minScore) continue;
            float stride = _stride[anchor];
            float centerX = (row[0] + _gridX[anchor]) * stride;
            float centerY = (row[1] + _gridY[anchor]) * stride;
            float boxWidth = MathF.Exp(row[2]) * stride;
            float boxHeight = MathF.Exp(row[3]) * stride;
            var box = letterbox.CenterToFrame(centerX, centerY, boxWidth, boxHeight);
            if (box.Area > 0f) candidates.Add(new Detection(bestClass, score, box));
        }
    }

    internal static int BestClass(ReadOnlySpan<float> scores, out float best)
    {
        int bestIndex = 0;
        best = scores[0];
        for (int i = 1; i < scores.Length; i++)
        {
            if (scores[i] > best)
            {
                best = scores[i];
                bestIndex = i;
            }
        }
        return bestIndex;
    }
}
