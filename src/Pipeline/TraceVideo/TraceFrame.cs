using OpenCvSharp;
using SkiaSharp;
using Vision.Models;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Pipeline.TraceVideo;

/// <summary>
/// One reusable frame of a trace video on its way to the encoder: the analysed picture (already in the canvas, above the
/// strip) and what the analyser knew of it. Owned by the analysis thread until queued, then by the encoder thread.
/// </summary>
internal sealed class TraceFrame : IDisposable
{
    public TraceFrame(int width, int height, int stripHeight)
    {
        Bitmap = new SKBitmap(new SKImageInfo(width, height + stripHeight, SKColorType.Bgra8888, SKAlphaType.Opaque));
        Canvas = new SKCanvas(Bitmap);
        Bgra = Mat.FromPixelData(height + stripHeight, width, MatType.CV_8UC4, Bitmap.GetPixels(), Bitmap.RowBytes);
        Picture = new Mat(Bgra, new Rect(0, 0, width, height));
    }

    public SKBitmap Bitmap { get; }
    public SKCanvas Canvas { get; }

    /// <summary>The whole video frame (picture and strip) as an OpenCV view of the bitmap's pixels.</summary>
    public Mat Bgra { get; }

    /// <summary>The picture's part of <see cref="Bgra"/>: the analysed frame is converted into it.</summary>
    public Mat Picture { get; }

    public long Index { get; set; }
    public DateTimeOffset CapturedAt { get; set; }
    public TimeSpan StreamTime { get; set; }
    public CameraConfig Camera { get; set; } = null!;
    public List<Detection> Detections { get; } = new(64);
    public List<TrackedObject> Tracks { get; } = new(64);
    public List<DwellClock> Clocks { get; } = new(16);
    public List<EpisodeEvent> Events { get; } = new(8);

    public void Dispose()
    {
        Picture.Dispose();
        Bgra.Dispose();
        Canvas.Dispose();
        Bitmap.Dispose();
    }
}
