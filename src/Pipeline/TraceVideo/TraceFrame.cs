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
    private System.Runtime.InteropServices.GCHandle _pin;

    public TraceFrame(int width, int height, int stripHeight)
    {
        _width = width;
        _height = height;
        int rows = height + stripHeight;
        Pixels = GC.AllocateUninitializedArray<byte>(width * rows * 4, pinned: true);
        _pin = System.Runtime.InteropServices.GCHandle.Alloc(Pixels, System.Runtime.InteropServices.GCHandleType.Pinned);
        var address = _pin.AddrOfPinnedObject();
        Bitmap = new SKBitmap();
        if (!Bitmap.InstallPixels(new SKImageInfo(width, rows, SKColorType.Bgra8888, SKAlphaType.Opaque), address, width * 4))
            throw new InvalidOperationException($"SkiaSharp refused a {width}x{rows} BGRA bitmap");
        Canvas = new SKCanvas(Bitmap);
        Bgra = Mat.FromPixelData(rows, width, MatType.CV_8UC4, address);
    }

    private readonly int _width, _height;

    /// <summary>The video frame's pixels, BGRA, rows unpadded: the picture's rows first, then the strip's.</summary>
    public byte[] Pixels { get; }

    public SKBitmap Bitmap { get; }
    public SKCanvas Canvas { get; }

    /// <summary>The whole video frame (picture and strip) as an OpenCV view of <see cref="Pixels"/>.</summary>
    public Mat Bgra { get; }

    /// <summary>Copies an analysed BGR frame into the picture's rows as opaque BGRA (a plain loop: the analysis thread allocates nothing here).</summary>
    public void CopyPicture(ReadOnlySpan<byte> bgr)
    {
        if (bgr.Length != _width * _height * 3) throw new ArgumentException($"a {_width}x{_height} BGR frame has {_width * _height * 3} bytes, not {bgr.Length}", nameof(bgr));
        var into = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(Pixels.AsSpan(0, _width * _height * 4));
        for (int i = 0, j = 0; i < into.Length; i++, j += 3)
            into[i] = 0xFF000000u | (uint)bgr[j + 2] << 16 | (uint)bgr[j + 1] << 8 | bgr[j];
    }

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
        Bgra.Dispose();
        Canvas.Dispose();
        Bitmap.Dispose();
        if (_pin.IsAllocated) _pin.Free();
    }
}
