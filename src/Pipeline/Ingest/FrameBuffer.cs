using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Vision.Pipeline.Ingest;

/// <summary>One reusable BGR frame: a pinned managed array the decoder reads into, viewed as an OpenCV Mat without copying.</summary>
internal sealed class FrameBuffer : IDisposable
{
    private GCHandle _pin;

    public FrameBuffer(int width, int height)
    {
        Width = width;
        Height = height;
        Pixels = GC.AllocateUninitializedArray<byte>(width * height * 3, pinned: true);
        _pin = GCHandle.Alloc(Pixels, GCHandleType.Pinned);
        Image = Mat.FromPixelData(height, width, MatType.CV_8UC3, _pin.AddrOfPinnedObject());
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }
    public Mat Image { get; }

    public void Dispose()
    {
        Image.Dispose();
        if (_pin.IsAllocated) _pin.Free();
    }
}
