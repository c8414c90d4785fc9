using System.Threading.Channels;

namespace Vision.Pipeline.Ingest;

/// <summary>A fixed set of frames for one camera. Renting waits when all are in flight, which is how a slow stage holds back a file source.</summary>
internal sealed class FramePool : IDisposable
{
    private readonly Channel<AnalysisFrame> _free;
    private readonly List<AnalysisFrame> _all = new();

    public FramePool(string cameraId, int width, int height, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        CameraId = cameraId;
        Width = width;
        Height = height;
        Capacity = capacity;
        _free = Channel.CreateBounded<AnalysisFrame>(capacity);
        for (int i = 0; i < capacity; i++)
        {
            var frame = new AnalysisFrame(this, width, height);
            _all.Add(frame);
            _free.Writer.TryWrite(frame);
        }
    }

    public string CameraId { get; }
    public int Width { get; }
    public int Height { get; }
    public int Capacity { get; }

    /// <summary>Bytes of pixel memory this pool holds.</summary>
    public long PixelBytes => (long)Capacity * Width * Height * 3;

    public ValueTask<AnalysisFrame> RentAsync(CancellationToken ct) => _free.Reader.ReadAsync(ct);

    public bool TryRent(out AnalysisFrame frame) => _free.Reader.TryRead(out frame!);

    private bool _retired, _disposed;

    internal void Return(AnalysisFrame frame)
    {
        frame.Detections.Clear();
        if (!_free.Writer.TryWrite(frame)) throw new InvalidOperationException("a frame was released twice");
        lock (_all)
        {
            if (_retired && _free.Reader.Count == Capacity) DisposeBuffers();
        }
    }

    /// <summary>No more rents; the pinned buffers are freed as soon as every frame in flight is back.</summary>
    public void Retire()
    {
        lock (_all)
        {
            _retired = true;
            if (_free.Reader.Count == Capacity) DisposeBuffers();
        }
    }

    public void Dispose()
    {
        lock (_all) DisposeBuffers();
    }

    private void DisposeBuffers()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var frame in _all) frame.Buffer.Dispose();
    }
}
