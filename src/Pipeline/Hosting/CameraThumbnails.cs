using OpenCvSharp;
using Vision.ReviewConsole;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// The console's camera cards: the state of each camera and a small JPEG of its last analysed frame, re-encoded at most
/// every <see cref="Interval"/> per camera so that a hundred cameras cost a few small encodes a second.
/// </summary>
internal sealed class CameraThumbnails(CameraSupervisor cameras, TimeProvider clock) : ICameraStatusSource
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private const int Width = 320;
    private readonly Dictionary<string, (DateTimeOffset At, byte[] Jpeg)> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, long Frames, double Fps)> _rates = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Called for each analysed frame, on the analysis loop: cheap unless this camera's thumbnail is due.</summary>
    public void Offer(AnalysisFrame frame)
    {
        lock (_gate)
            if (_latest.TryGetValue(frame.CameraId, out var last) && frame.CapturedAt - last.At < Interval) return;
        var image = frame.Buffer.Image;
        using var small = new Mat();
        Cv2.Resize(image, small, new Size(Width, Math.Max(1, image.Rows * Width / Math.Max(1, image.Cols))), interpolation: InterpolationFlags.Area);
        Cv2.ImEncode(".jpg", small, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 75));
        lock (_gate) _latest[frame.CameraId] = (frame.CapturedAt, jpeg);
    }

    /// <summary>Each camera's state; fps is the analysed-frame rate between two calls at least half a second apart (the page polls).</summary>
    public IReadOnlyList<ConsoleCamera> Cameras()
    {
        var now = clock.GetUtcNow();
        var result = new List<ConsoleCamera>();
        lock (_gate)
            foreach (var c in cameras.Snapshots())
            {
                double fps = 0;
                if (!_rates.TryGetValue(c.Id, out var before)) _rates[c.Id] = (now, c.FramesAnalysed, 0);
                else if ((now - before.At).TotalSeconds < 0.5) fps = before.Fps;
                else
                {
                    fps = Math.Max(0, (c.FramesAnalysed - before.Frames) / (now - before.At).TotalSeconds);
                    _rates[c.Id] = (now, c.FramesAnalysed, fps);
                }
                result.Add(new ConsoleCamera(c.Id, c.Name, c.State, c.Reason, Math.Round(fps, 2), _latest.ContainsKey(c.Id))
                {
                    Source = c.Source,
                    RecordSource = c.RecordSource,
                    Recording = c.Recording,
                    RecordingReason = c.RecordingReason,
                });
            }
        return result;
    }

    public byte[]? Thumbnail(string cameraId)
    {
        lock (_gate) return _latest.TryGetValue(cameraId, out var t) ? t.Jpeg : null;
    }
}
