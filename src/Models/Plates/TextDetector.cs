using OpenCvSharp;

namespace Vision.Models.Plates;

/// <summary>A text line found by the detector: its four corners (top-left, top-right, bottom-right, bottom-left) in image pixels.</summary>
internal sealed record TextLine(Point2f[] Corners, float Score)
{
    public float Width => Math.Max(Distance(Corners[0], Corners[1]), Distance(Corners[3], Corners[2]));

    public float Height => Math.Max(Distance(Corners[0], Corners[3]), Distance(Corners[1], Corners[2]));

    public PlateBox Bounds(int imageWidth, int imageHeight)
    {
        float minX = Corners.Min(p => p.X), maxX = Corners.Max(p => p.X), minY = Corners.Min(p => p.Y), maxY = Corners.Max(p => p.Y);
        int x = Math.Clamp((int)MathF.Floor(minX), 0, imageWidth - 1), y = Math.Clamp((int)MathF.Floor(minY), 0, imageHeight - 1);
        int right = Math.Clamp((int)MathF.Ceiling(maxX), x + 1, imageWidth), bottom = Math.Clamp((int)MathF.Ceiling(maxY), y + 1, imageHeight);
        return new PlateBox(x, y, right - x, bottom - y);
    }

    private static float Distance(Point2f a, Point2f b) => MathF.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}

/// <summary>
/// PP-OCRv4's DBNet text detector: the image scaled to sides that are multiples of 32, a text-probability map, its
/// thresholded regions as minimum-area rotated boxes scored by the map and grown ("unclipped") back to the text's extent.
/// Not thread-safe.
/// </summary>
internal sealed class TextDetector : IDisposable
{
    public const string Input = "x";
    public const string Output = "sigmoid_0.tmp_0";
    private const int MaxLines = 1000;

    // PaddleOCR feeds the detector the BGR image as OpenCV reads it, normalised with the ImageNet tuple in that order; the
    // model was trained so, and the tensor keeps the image's BGR channel order.
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    private readonly OcrModel _model;
    private readonly PlateReaderOptions _options;
    private readonly ChwTensor _tensor = new(Mean, Std);
    private readonly Mat _resized = new();

    public TextDetector(OcrModel model, PlateReaderOptions options)
    {
        _model = model;
        _options = options;
    }

    /// <summary>Text lines in <paramref name="bgr"/>, corners in its pixels, in reading order (top to bottom, left to right).</summary>
    public List<TextLine> Detect(Mat bgr)
    {
        var (width, height) = InputSize(bgr.Cols, bgr.Rows);
        Cv2.Resize(bgr, _resized, new Size(width, height), 0, 0, InterpolationFlags.Linear);
        _tensor.Write(_resized, width, height);
        using var outputs = _model.Run(_tensor);
        var map = outputs[0].GetTensorDataAsSpan<float>();
        if (map.Length != width * height)
            throw new InvalidOperationException($"text detector returned {map.Length} values for a {width}x{height} input");
        float scaleX = (float)bgr.Cols / width, scaleY = (float)bgr.Rows / height;
        var lines = Boxes(map, width, height, scaleX, scaleY);
        lines.Sort((a, b) => a.Corners[0].Y != b.Corners[0].Y ? a.Corners[0].Y.CompareTo(b.Corners[0].Y) : a.Corners[0].X.CompareTo(b.Corners[0].X));
        return lines;
    }

    public void Dispose() => _resized.Dispose();

    /// <summary>The network input size: the long side brought within [min, max] detection side, both sides rounded to multiples of 32.</summary>
    internal (int Width, int Height) InputSize(int width, int height)
    {
        int longSide = Math.Max(width, height);
        double scale = 1;
        if (longSide > _options.MaxDetectionSide) scale = (double)_options.MaxDetectionSide / longSide;
        else if (longSide < _options.MinDetectionSide) scale = (double)_options.MinDetectionSide / longSide;
        return (RoundTo32(width * scale), RoundTo32(height * scale));
    }

    private static int RoundTo32(double side) => Math.Max(32, (int)Math.Round(side / 32) * 32);

    private unsafe List<TextLine> Boxes(ReadOnlySpan<float> map, int width, int height, float scaleX, float scaleY)
    {
        var lines = new List<TextLine>();
        fixed (float* data = map)
        {
            using var probability = Mat.FromPixelData(height, width, MatType.CV_32FC1, (IntPtr)data);
            using var binary = new Mat();
            Cv2.Threshold(probability, binary, _options.PixelThreshold, 255, ThresholdTypes.Binary);
            using var mask8 = new Mat();
            binary.ConvertTo(mask8, MatType.CV_8UC1);
            Cv2.FindContours(mask8, out Point[][] contours, out _, RetrievalModes.List, ContourApproximationModes.ApproxSimple);
            foreach (var contour in contours.Take(MaxLines))
            {
                if (contour.Length < 3) continue;
                var rect = Cv2.MinAreaRect(contour);
                if (Math.Min(rect.Size.Width, rect.Size.Height) < 3) continue;
                float score = MeanInside(probability, contour);
                if (score < _options.BoxThreshold) continue;
                var grown = Unclip(rect, _options.UnclipRatio);
                if (Math.Min(grown.Size.Width, grown.Size.Height) < 5) continue;
                var corners = grown.Points();
                for (int i = 0; i < corners.Length; i++)
                    corners[i] = new Point2f(Math.Clamp(corners[i].X * scaleX, 0, width * scaleX), Math.Clamp(corners[i].Y * scaleY, 0, height * scaleY));
                lines.Add(new TextLine(Order(corners), score));
            }
        }
        return lines;
    }

    // Mean map probability inside the region's own outline (PaddleOCR's "slow" score: it separates touching lines better than the box).
    private static float MeanInside(Mat probability, Point[] contour)
    {
        var bounds = Cv2.BoundingRect(contour) & new Rect(0, 0, probability.Cols, probability.Rows);
        if (bounds.Width <= 0 || bounds.Height <= 0) return 0;
        using var mask = new Mat(bounds.Height, bounds.Width, MatType.CV_8UC1, Scalar.All(0));
        var shifted = contour.Select(p => new Point(p.X - bounds.X, p.Y - bounds.Y)).ToArray();
        Cv2.FillPoly(mask, [shifted], Scalar.All(255));
        using var roi = new Mat(probability, bounds);
        return (float)Cv2.Mean(roi, mask).Val0;
    }

    // DBNet shrinks text regions by area * (1 - r^2) / perimeter when training; grow the box back by area * ratio / perimeter.
    private static RotatedRect Unclip(RotatedRect rect, float ratio)
    {
        float w = rect.Size.Width, h = rect.Size.Height;
        float distance = w * h * ratio / (2 * (w + h));
        return new RotatedRect(rect.Center, new Size2f(w + 2 * distance, h + 2 * distance), rect.Angle);
    }

    /// <summary>Top-left, top-right, bottom-right, bottom-left, as PaddleOCR orders a box: the two leftmost points by y, then the two rightmost.</summary>
    internal static Point2f[] Order(Point2f[] corners)
    {
        var byX = corners.OrderBy(p => p.X).ThenBy(p => p.Y).ToArray();
        var (tl, bl) = byX[0].Y <= byX[1].Y ? (byX[0], byX[1]) : (byX[1], byX[0]);
        var (tr, br) = byX[2].Y <= byX[3].Y ? (byX[2], byX[3]) : (byX[3], byX[2]);
        return [tl, tr, br, bl];
    }
}
