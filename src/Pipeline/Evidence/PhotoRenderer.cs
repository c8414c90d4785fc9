using OpenCvSharp;
using SkiaSharp;
using Vision.Models;
using Vision.Rules.Config;
using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>A rendered close-up: its JPEG and the rectangle of the source frame it shows (frame pixels).</summary>
internal sealed record CloseUpPhoto(byte[] Jpeg, PixelBox Crop, int Width, int Height);

/// <summary>
/// Draws evidence photos from full-size frames. The picture keeps every pixel except the zone's and the box's lines;
/// the caption goes on a strip BELOW the picture, so it never covers the camera's own date stamp or anything else it
/// shows. Every image (original, annotated, close-up) goes through the one JPEG encoder at one quality; the same input
/// gives the same bytes.
/// </summary>
internal sealed class PhotoRenderer : IDisposable
{
    /// <summary>A close-up narrower than this is scaled up to it (Lanczos), so an officer can read it.</summary>
    public const int MinCloseUpWidth = 640;
    /// <summary>Room around the vehicle's box in a close-up, as a share of the box's size on each side.</summary>
    private const double CloseUpMargin = 0.25;

    private static readonly Scalar ZoneEdge = new(0, 200, 255);
    private static readonly Scalar BoxColor = new(30, 30, 230);
    private static readonly Scalar PlateColor = new(60, 220, 60);
    private static readonly SKColor StripBack = new(24, 24, 24);

    private readonly SKTypeface _typeface;
    private volatile int _jpegQuality;

    public PhotoRenderer(int jpegQuality)
    {
        _jpegQuality = jpegQuality;
        _typeface = CjkTypeface.Find() ?? SKTypeface.Default;
        HasCjkFont = CjkTypeface.HasChinese(_typeface);
    }

    /// <summary>JPEG quality of the photos rendered from now on (a config edit changes it).</summary>
    public int JpegQuality
    {
        get => _jpegQuality;
        set => _jpegQuality = value;
    }

    /// <summary>False when no Chinese font is installed: labels would show empty boxes (install fonts-noto-cjk).</summary>
    public bool HasCjkFont { get; }

    /// <summary>An image as JPEG with the evidence encoder and quality; for a frame as decoded, this is its untouched original.</summary>
    public byte[] Encode(Mat bgr) => Encode(bgr, _jpegQuality);

    /// <summary>The evidence encoder: OpenCV's JPEG at <paramref name="quality"/>.</summary>
    public static byte[] Encode(Mat bgr, int quality)
    {
        Cv2.ImEncode(".jpg", bgr, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        return jpeg;
    }

    /// <summary>
    /// A panoramic photo: <paramref name="frame"/> with the zone's outline and the object's box (given in analysis-frame
    /// pixels of <paramref name="analysisWidth"/>×<paramref name="analysisHeight"/>, mapped with separate x and y
    /// scales), and the caption strip below it.
    /// </summary>
    public byte[] RenderPanoramic(Mat frame, Zone zone, BoundingBox box, int analysisWidth, int analysisHeight, PhotoCaption caption)
    {
        int w = frame.Width, h = frame.Height;
        double sx = (double)w / analysisWidth, sy = (double)h / analysisHeight;
        float unit = Math.Max(1f, h / 360f);
        return WithStrip(frame, caption, picture =>
        {
            var points = zone.Polygon.Points.Select(p => new Point((int)Math.Round(p.X * w), (int)Math.Round(p.Y * h))).ToArray();
            Cv2.Polylines(picture, [points], isClosed: true, ZoneEdge, Thickness(1.5f * unit), LineTypes.AntiAlias);
            Cv2.Rectangle(picture, new Point((int)Math.Round(box.X * sx), (int)Math.Round(box.Y * sy)),
                new Point((int)Math.Round(box.Right * sx), (int)Math.Round(box.Bottom * sy)), BoxColor, Thickness(2f * unit), LineTypes.AntiAlias);
        });
    }

    /// <summary>
    /// The vehicle close-up: <paramref name="vehicle"/> (frame pixels) with a margin, cropped from <paramref name="frame"/>,
    /// scaled up to at least <see cref="MinCloseUpWidth"/> wide when small, the plate's box marked when one is given
    /// (frame pixels), and a caption strip below.
    /// </summary>
    public CloseUpPhoto RenderCloseUp(Mat frame, PixelBox vehicle, PixelBox? plate, PhotoCaption caption)
    {
        int mx = (int)Math.Round(vehicle.Width * CloseUpMargin), my = (int)Math.Round(vehicle.Height * CloseUpMargin);
        int x0 = Math.Clamp(vehicle.X - mx, 0, frame.Width - 1), y0 = Math.Clamp(vehicle.Y - my, 0, frame.Height - 1);
        int x1 = Math.Clamp(vehicle.X + vehicle.Width + mx, x0 + 1, frame.Width), y1 = Math.Clamp(vehicle.Y + vehicle.Height + my, y0 + 1, frame.Height);
        var crop = new PixelBox(x0, y0, x1 - x0, y1 - y0);
        double scale = crop.Width < MinCloseUpWidth ? (double)MinCloseUpWidth / crop.Width : 1;
        using var region = new Mat(frame, new Rect(crop.X, crop.Y, crop.Width, crop.Height));
        using var picture = new Mat();
        if (scale > 1) Cv2.Resize(region, picture, new Size(MinCloseUpWidth, (int)Math.Round(crop.Height * scale)), 0, 0, InterpolationFlags.Lanczos4);
        else region.CopyTo(picture);
        byte[] jpeg = WithStrip(picture, caption, p =>
        {
            if (plate is null) return;
            Cv2.Rectangle(p, new Point((int)Math.Round((plate.X - crop.X) * scale), (int)Math.Round((plate.Y - crop.Y) * scale)),
                new Point((int)Math.Round((plate.X + plate.Width - crop.X) * scale), (int)Math.Round((plate.Y + plate.Height - crop.Y) * scale)),
                PlateColor, Thickness(2f * Math.Max(1f, p.Height / 360f)), LineTypes.AntiAlias);
        });
        return new CloseUpPhoto(jpeg, crop, picture.Width, picture.Height);
    }

    private static int Thickness(float width) => Math.Max(1, (int)Math.Round(width));

    /// <summary>The picture (a copy, marked by <paramref name="mark"/>) on top, the caption strip below, encoded.</summary>
    private byte[] WithStrip(Mat picture, PhotoCaption caption, Action<Mat> mark)
    {
        int w = picture.Width, h = picture.Height;
        using var strip = RenderStrip(caption, w);
        using var photo = new Mat(h + strip.Height, w, MatType.CV_8UC3);
        using (var top = new Mat(photo, new Rect(0, 0, w, h)))
        {
            picture.CopyTo(top);
            mark(top);
        }
        using (var bottom = new Mat(photo, new Rect(0, h, w, strip.Height)))
        using (var stripPixels = Mat.FromPixelData(strip.Height, w, MatType.CV_8UC4, strip.GetPixels(), strip.RowBytes))
            Cv2.CvtColor(stripPixels, bottom, ColorConversionCodes.BGRA2BGR);
        return Encode(photo);
    }

    /// <summary>The caption's fields laid out left to right and wrapped to the picture's width, white on dark.</summary>
    private SKBitmap RenderStrip(PhotoCaption caption, int width)
    {
        float size = Math.Max(16f, MathF.Round(width / 80f));
        using var font = new SKFont(_typeface, size) { Subpixel = false };
        float pad = MathF.Round(size * 0.5f), lineHeight = MathF.Round(size * 1.4f), room = width - 2 * pad;

        var lines = new List<string>();
        string line = "";
        foreach (var field in caption.Fields)
        {
            string candidate = line.Length == 0 ? field : line + "    " + field;
            if (line.Length > 0 && font.MeasureText(candidate) > room) { lines.Add(line); line = field; }
            else line = candidate;
        }
        if (line.Length > 0) lines.Add(line);

        int height = (int)(2 * pad + lines.Count * lineHeight);
        height += height & 1;
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(StripBack);
        font.GetFontMetrics(out var metrics);
        using var ink = new SKPaint { Color = SKColors.White, IsAntialias = true };
        for (int i = 0; i < lines.Count; i++)
            canvas.DrawText(lines[i], pad, pad + i * lineHeight - metrics.Ascent, SKTextAlign.Left, font, ink);
        canvas.Flush();
        return bitmap;
    }

    public void Dispose() => _typeface.Dispose();
}
