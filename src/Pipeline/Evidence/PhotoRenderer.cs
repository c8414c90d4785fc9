using SkiaSharp;
using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Draws an evidence photo: the zone, the object's box, the violation and rule, camera, local time and
/// which moment of the episode it shows, in Chinese. Output is a JPEG; the same input gives the same bytes.
/// </summary>
public sealed class PhotoRenderer : IDisposable
{
    private static readonly SKColor ZoneFill = new(255, 200, 0, 60);
    private static readonly SKColor ZoneEdge = new(255, 200, 0, 230);
    private static readonly SKColor BoxColor = new(230, 30, 30);
    private static readonly SKColor LabelBack = new(0, 0, 0, 170);

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

    public byte[] Render(ViolationCase violation, PhotoRole role, int photoNumber, int photoCount, FrameSnapshot snapshot, TimeZoneInfo zone)
    {
        using var bitmap = SKBitmap.Decode(snapshot.Jpeg)
            ?? throw new InvalidOperationException("an evidence snapshot is not a decodable JPEG");
        int w = bitmap.Width, h = bitmap.Height;
        float scaleX = (float)w / violation.FrameWidth, scaleY = (float)h / violation.FrameHeight;
        float unit = Math.Max(1f, h / 360f);

        using (var canvas = new SKCanvas(bitmap))
        {
            DrawZone(canvas, violation.Zone, w, h, unit);
            var box = snapshot.Box;
            var rect = new SKRect(box.X * scaleX, box.Y * scaleY, box.Right * scaleX, box.Bottom * scaleY);
            using (var stroke = new SKPaint { Color = BoxColor, Style = SKPaintStyle.Stroke, StrokeWidth = 2f * unit, IsAntialias = true })
                canvas.DrawRect(rect, stroke);

            using var font = new SKFont(_typeface, 11f * unit) { Subpixel = false };
            string objectLabel = $"{violation.Rule.Type.ChineseName()} {violation.ClassName} {snapshot.Score:0.00} #{violation.TrackId}";
            DrawLabel(canvas, font, objectLabel, rect.Left, Math.Max(font.Size + 4 * unit, rect.Top - 3 * unit), BoxColor, unit);

            var local = TimeZoneInfo.ConvertTime(snapshot.At, zone);
            var dwell = snapshot.At - violation.StartedAt;
            string header = $"{violation.Camera.Name}  {violation.Rule.Name} ({violation.Rule.Id} v{violation.Rule.Version})";
            string footer = $"{local:yyyy-MM-dd HH:mm:ss zzz}  {photoNumber}/{photoCount} {role.ChineseName()}  已持续 {(int)dwell.TotalMinutes}分{dwell.Seconds:00}秒";
            DrawLabel(canvas, font, header, 4 * unit, font.Size + 4 * unit, LabelBack, unit);
            DrawLabel(canvas, font, footer, 4 * unit, h - 6 * unit, LabelBack, unit);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, _jpegQuality);
        return data.ToArray();
    }

    private static void DrawZone(SKCanvas canvas, Zone zone, int w, int h, float unit)
    {
        using var builder = new SKPathBuilder();
        var points = zone.Polygon.Points;
        builder.MoveTo((float)(points[0].X * w), (float)(points[0].Y * h));
        for (int i = 1; i < points.Count; i++) builder.LineTo((float)(points[i].X * w), (float)(points[i].Y * h));
        builder.Close();
        using var path = builder.Detach();
        using (var fill = new SKPaint { Color = ZoneFill, Style = SKPaintStyle.Fill, IsAntialias = true })
            canvas.DrawPath(path, fill);
        using (var edge = new SKPaint { Color = ZoneEdge, Style = SKPaintStyle.Stroke, StrokeWidth = 1.5f * unit, IsAntialias = true })
            canvas.DrawPath(path, edge);
    }

    private static void DrawLabel(SKCanvas canvas, SKFont font, string text, float x, float baseline, SKColor background, float unit)
    {
        float width = font.MeasureText(text);
        font.GetFontMetrics(out var metrics);
        var back = new SKRect(x - 2 * unit, baseline + metrics.Ascent - 2 * unit, x + width + 2 * unit, baseline + metrics.Descent + 2 * unit);
        using (var paint = new SKPaint { Color = background, Style = SKPaintStyle.Fill })
            canvas.DrawRect(back, paint);
        using var ink = new SKPaint { Color = SKColors.White, IsAntialias = true };
        canvas.DrawText(text, x, baseline, SKTextAlign.Left, font, ink);
    }

    public void Dispose() => _typeface.Dispose();
}
