using OpenCvSharp;

namespace Vision.Models.Plates;

/// <summary>
/// Reads one text line: cut out and deskewed from its four corners, turned upright when the optional 0°/180° classifier is
/// sure it is upside down, scaled to height 48 and decoded by CTC. Not thread-safe.
/// </summary>
internal sealed class TextLineRecogniser : IDisposable
{
    public const string Input = "x";
    public const string Output = "softmax_11.tmp_0";
    public const string ClassifierInput = "x";
    public const string ClassifierOutput = "softmax_0.tmp_0";
    public const int LineHeight = 48;
    private const int PaddedWidth = 320;
    private const int MaxWidth = 960;
    private const int ClassifierWidth = 192;
    private const float UpsideDownCertainty = 0.9f;

    private static readonly float[] Half = [0.5f, 0.5f, 0.5f];

    private readonly OcrModel _recogniser;
    private readonly OcrModel? _classifier;
    private readonly CtcGreedyDecoder _decoder;
    private readonly ChwTensor _tensor = new(Half, Half);
    private readonly Mat _line = new();
    private readonly Mat _scaled = new();

    public TextLineRecogniser(OcrModel recogniser, OcrModel? classifier, CtcGreedyDecoder decoder)
    {
        _recogniser = recogniser;
        _classifier = classifier;
        _decoder = decoder;
    }

    /// <summary>Reads the line with <paramref name="corners"/> (TL, TR, BR, BL) in <paramref name="bgr"/>.</summary>
    public RecognisedLine Read(Mat bgr, Point2f[] corners)
    {
        int width = (int)MathF.Round(Math.Max(Distance(corners[0], corners[1]), Distance(corners[3], corners[2])));
        int height = (int)MathF.Round(Math.Max(Distance(corners[0], corners[3]), Distance(corners[1], corners[2])));
        if (width < 2 || height < 2) return RecognisedLine.Empty;
        Point2f[] target = [new(0, 0), new(width, 0), new(width, height), new(0, height)];
        using (var transform = Cv2.GetPerspectiveTransform(corners, target))
            Cv2.WarpPerspective(bgr, _line, transform, new Size(width, height), InterpolationFlags.Cubic, BorderTypes.Replicate);
        return ReadUpright(_line);
    }

    /// <summary>Reads a whole image as one text line (an already cut-out plate).</summary>
    public RecognisedLine ReadWhole(Mat bgr)
    {
        if (bgr.Cols < 2 || bgr.Rows < 2) return RecognisedLine.Empty;
        bgr.CopyTo(_line);
        return ReadUpright(_line);
    }

    public void Dispose()
    {
        _line.Dispose();
        _scaled.Dispose();
    }

    private RecognisedLine ReadUpright(Mat line)
    {
        if (_classifier is not null && IsUpsideDown(line)) Cv2.Rotate(line, line, RotateFlags.Rotate180);
        int width = Math.Clamp((int)Math.Ceiling(LineHeight * (double)line.Cols / line.Rows), 8, MaxWidth);
        Cv2.Resize(line, _scaled, new Size(width, LineHeight), 0, 0, InterpolationFlags.Linear);
        _tensor.Write(_scaled, Math.Max(width, PaddedWidth), LineHeight);
        using var outputs = _recogniser.Run(_tensor);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 3 || shape[2] != _decoder.ClassCount)
            throw new InvalidOperationException($"text recogniser returned [{string.Join(",", shape)}], expected [1,T,{_decoder.ClassCount}]");
        return _decoder.Decode(outputs[0].GetTensorDataAsSpan<float>(), (int)shape[1]);
    }

    private bool IsUpsideDown(Mat line)
    {
        int width = Math.Clamp((int)Math.Ceiling(LineHeight * (double)line.Cols / line.Rows), 8, ClassifierWidth);
        Cv2.Resize(line, _scaled, new Size(width, LineHeight), 0, 0, InterpolationFlags.Linear);
        _tensor.Write(_scaled, ClassifierWidth, LineHeight);
        using var outputs = _classifier!.Run(_tensor);
        var p = outputs[0].GetTensorDataAsSpan<float>();
        return p.Length == 2 && p[1] > UpsideDownCertainty;
    }

    private static float Distance(Point2f a, Point2f b) => MathF.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}
