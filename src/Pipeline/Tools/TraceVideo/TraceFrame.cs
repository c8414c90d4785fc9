using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OpenCvSharp;
using SkiaSharp;
using Vision.Models;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Pipeline.Tools.TraceVideo;

/// <summary>
/// One reusable frame of a trace video on its way to the encoder: the analysed picture (already in the canvas, above the
/// strip) and what the analyser knew of it. Owned by the analysis thread until queued, then by the encoder thread.
/// </summary>
internal sealed class TraceFrame : IDisposable
{
    private GCHandle _pin;

    public TraceFrame(int width, int height, int stripHeight)
    {
        _width = width;
        _height = height;
        int rows = height + stripHeight;
        Pixels = GC.AllocateUninitializedArray<byte>(width * rows * 4, pinned: true);
        _pin = GCHandle.Alloc(Pixels, GCHandleType.Pinned);
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

    /// <summary>Copies an analysed BGR frame into the picture's rows as opaque BGRA, four pixels a step where the CPU has vectors (allocation-free: this runs on the analysis thread).</summary>
    public void CopyPicture(ReadOnlySpan<byte> bgr)
    {
        int pixels = _width * _height;
        if (bgr.Length != pixels * 3) throw new ArgumentException($"a {_width}x{_height} BGR frame has {pixels * 3} bytes, not {bgr.Length}", nameof(bgr));
        var bgra = Pixels.AsSpan(0, pixels * 4);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // 16 bytes in (5⅓ pixels, 4 used), 4 pixels out; indices past 15 give 0, where the alpha goes.
            var spread = Vector128.Create((byte)0, 1, 2, 0xFF, 3, 4, 5, 0xFF, 6, 7, 8, 0xFF, 9, 10, 11, 0xFF);
            var opaque = Vector128.Create(0xFF000000u).AsByte();
            ref byte from = ref MemoryMarshal.GetReference(bgr);
            ref byte into = ref MemoryMarshal.GetReference(bgra);
            for (; i + 6 <= pixels; i += 4)
                (Vector128.Shuffle(Vector128.LoadUnsafe(ref from, (nuint)(i * 3)), spread) | opaque).StoreUnsafe(ref into, (nuint)(i * 4));
        }
        for (; i < pixels; i++)
        {
            bgra[i * 4] = bgr[i * 3];
            bgra[i * 4 + 1] = bgr[i * 3 + 1];
            bgra[i * 4 + 2] = bgr[i * 3 + 2];
            bgra[i * 4 + 3] = 0xFF;
        }
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
