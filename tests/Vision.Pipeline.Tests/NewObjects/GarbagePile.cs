using OpenCvSharp;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>
/// A real pile of garbage cut from one of the public-domain roadside photos in ../shared/garbage, scaled to a box of a
/// street frame and blended in through a feathered elliptical mask, so its outline is irregular like a dumped pile's.
/// </summary>
internal sealed class GarbagePile : IDisposable
{
    private readonly Mat _pixels;
    private readonly Mat _alpha;

    /// <param name="photo">A file in ../shared/garbage.</param>
    /// <param name="crop">The pile within the photo, as fractions of its width and height (the README's coordinates).</param>
    /// <param name="box">Where the pile lies in the frame, in pixels.</param>
    public GarbagePile(string photo, Rect2d crop, Rect box)
    {
        string path = SharedData.Garbage(photo);
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        if (image.Empty()) throw new FileNotFoundException($"cannot read the garbage photo {path} (../shared/garbage)", path);
        var region = new Rect((int)(crop.X * image.Cols), (int)(crop.Y * image.Rows), (int)(crop.Width * image.Cols), (int)(crop.Height * image.Rows));
        using var cut = new Mat(image, region);
        _pixels = new Mat();
        Cv2.Resize(cut, _pixels, box.Size, 0, 0, InterpolationFlags.Area);
        _pixels.ConvertTo(_pixels, MatType.CV_32FC3);
        using var mask = new Mat(box.Size, MatType.CV_32FC1, Scalar.All(0));
        Cv2.Ellipse(mask, new RotatedRect(new Point2f(box.Width / 2f, box.Height / 2f), new Size2f(box.Width * 0.9f, box.Height * 0.85f), 0), Scalar.All(1), -1);
        _alpha = new Mat();
        Cv2.GaussianBlur(mask, _alpha, new Size(0, 0), Math.Max(1.5, box.Height / 12.0));
        Cv2.Merge([_alpha, _alpha, _alpha], _alpha);
        Box = box;
    }

    public Rect Box { get; }

    /// <summary>Blends the pile into <paramref name="frame"/> (BGR, 8 bits) in place.</summary>
    public void DrawOn(Mat frame)
    {
        using var roi = new Mat(frame, Box);
        using var background = new Mat();
        roi.ConvertTo(background, MatType.CV_32FC3);
        using var inverse = new Mat();
        Cv2.Subtract(Scalar.All(1), _alpha, inverse);
        using var blended = new Mat();
        Cv2.Multiply(_pixels, _alpha, blended);
        Cv2.Multiply(background, inverse, background);
        Cv2.Add(blended, background, blended);
        blended.ConvertTo(roi, MatType.CV_8UC3);
    }

    public void Dispose()
    {
        _pixels.Dispose();
        _alpha.Dispose();
    }
}
