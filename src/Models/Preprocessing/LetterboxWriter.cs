using OpenCvSharp;

namespace Vision.Models;

/// <summary>
/// Writes one BGR frame into a CHW float tensor slice: aspect-preserving resize into a reused Mat, paste per the manifest's
/// letterbox alignment, pad, channel order and <c>(pixel * scale - mean) / std</c> through per-channel lookup tables.
/// Not thread-safe.
/// </summary>
internal sealed class LetterboxWriter : IDisposable
{
    // Cameras come in a handful of resolutions; one resize target per resolution avoids reallocating when they alternate.
    private const int MaxCachedSizes = 8;

    private readonly ModelInputSpec _spec;
    private readonly float[] _lookup = new float[3 * 256];
    private readonly float[] _pad = new float[3];
    private readonly int[] _sourceByte = new int[3];
    private readonly Dictionary<long, Mat> _resized = [];

    public LetterboxWriter(ModelInputSpec spec)
    {
        _spec = spec;
        for (int c = 0; c < 3; c++)
        {
            _sourceByte[c] = spec.ChannelOrder == ChannelOrder.Bgr ? c : 2 - c;
            for (int p = 0; p < 256; p++) _lookup[c * 256 + p] = Normalize(c, p);
            _pad[c] = Normalize(c, spec.PadValue);
        }
        TensorLength = 3 * spec.Width * spec.Height;
    }

    /// <summary>Floats one frame takes in the input tensor (3 x height x width).</summary>
    public int TensorLength { get; }

    /// <summary>Fills <paramref name="chw"/> (length <see cref="TensorLength"/>) from <paramref name="frame"/>.</summary>
    public LetterboxTransform Write(Mat frame, Span<float> chw)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (chw.Length != TensorLength) throw new ArgumentException($"expected {TensorLength} floats", nameof(chw));
        if (frame.IsDisposed || frame.Empty() || frame.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"frames must be non-empty CV_8UC3 (BGR) images; got {(frame.IsDisposed ? "a disposed Mat" : $"{frame.Type()} {frame.Cols}x{frame.Rows}")}", nameof(frame));
        var letterbox = LetterboxTransform.Fit(frame.Cols, frame.Rows, _spec.Width, _spec.Height, _spec.Letterbox);
        var source = letterbox.ResizedWidth == letterbox.FrameWidth && letterbox.ResizedHeight == letterbox.FrameHeight
            ? frame
            : Resize(frame, letterbox);
        Fill(source, letterbox, chw);
        return letterbox;
    }

    public void Dispose()
    {
        foreach (var mat in _resized.Values) mat.Dispose();
        _resized.Clear();
    }

    private float Normalize(int channel, int pixel) => (pixel * _spec.Scale - _spec.Mean[channel]) / _spec.Std[channel];

    private Mat Resize(Mat frame, in LetterboxTransform letterbox)
    {
        long key = ((long)letterbox.ResizedWidth << 32) | (uint)letterbox.ResizedHeight;
        if (!_resized.TryGetValue(key, out var target))
        {
            if (_resized.Count >= MaxCachedSizes) Dispose();
            target = new Mat(letterbox.ResizedHeight, letterbox.ResizedWidth, MatType.CV_8UC3);
            _resized.Add(key, target);
        }
        Cv2.Resize(frame, target, new Size(letterbox.ResizedWidth, letterbox.ResizedHeight), 0, 0, InterpolationFlags.Linear);
        return target;
    }

    private unsafe void Fill(Mat source, in LetterboxTransform letterbox, Span<float> chw)
    {
        int width = _spec.Width, height = _spec.Height, plane = width * height;
        int padX = letterbox.PadX, padY = letterbox.PadY, resizedWidth = letterbox.ResizedWidth, resizedHeight = letterbox.ResizedHeight;
        int right = padX + resizedWidth;
        float pad0 = _pad[0], pad1 = _pad[1], pad2 = _pad[2];
        int s0 = _sourceByte[0], s1 = _sourceByte[1], s2 = _sourceByte[2];
        byte* data = (byte*)source.Data;
        long step = source.Step();
        fixed (float* tensor = chw)
        fixed (float* lookup = _lookup)
        {
            float* lookup0 = lookup, lookup1 = lookup + 256, lookup2 = lookup + 512;
            for (int y = 0; y < height; y++)
            {
                float* row0 = tensor + (long)y * width, row1 = row0 + plane, row2 = row1 + plane;
                int sourceY = y - padY;
                if (sourceY < 0 || sourceY >= resizedHeight)
                {
                    new Span<float>(row0, width).Fill(pad0);
                    new Span<float>(row1, width).Fill(pad1);
                    new Span<float>(row2, width).Fill(pad2);
                    continue;
                }
                if (padX > 0)
                {
                    new Span<float>(row0, padX).Fill(pad0);
                    new Span<float>(row1, padX).Fill(pad1);
                    new Span<float>(row2, padX).Fill(pad2);
                }
                if (right < width)
                {
                    new Span<float>(row0 + right, width - right).Fill(pad0);
                    new Span<float>(row1 + right, width - right).Fill(pad1);
                    new Span<float>(row2 + right, width - right).Fill(pad2);
                }
                byte* pixel = data + sourceY * step;
                float* out0 = row0 + padX, out1 = row1 + padX, out2 = row2 + padX;
                for (int x = 0; x < resizedWidth; x++, pixel += 3)
                {
                    out0[x] = lookup0[pixel[s0]];
                    out1[x] = lookup1[pixel[s1]];
                    out2[x] = lookup2[pixel[s2]];
                }
            }
        }
    }
}
