using BenchmarkDotNet.Attributes;
using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Detect.NewObjects;

namespace Vision.Benchmarks;

/// <summary>
/// <see cref="SceneModel.Observe"/>, new-object detection for one camera, in its steady state at 640x360: the model has
/// learned the street (it is ready) and is fed real frames of street-parking-hevc.mp4 (every 12th frame of the clip, scaled
/// to 640x360, played forward and back), 2 s apart, with or without a few detector boxes (the parked cars the detector sees).
/// One operation is one analysed frame. Run it beside <c>DetectorBenchmarks.Detect640x360</c> for the ratio to the detector.
/// Needs ../shared (footage); its setup fails saying so when absent.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class NewObjectBenchmarks
{
    private const int Width = 640, Height = 360, ClipFrames = 24, FrameStep = 12;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private Mat[] _frames = [];
    private SceneModel _model = null!;
    private Detection[] _boxes = [];
    private DateTimeOffset _now = new(2026, 6, 1, 9, 0, 0, TimeSpan.FromHours(8));
    private int _frame;

    /// <summary>Detector boxes passed with each frame: none, or eight parked cars along the kerbs.</summary>
    [Params(0, 8)]
    public int Boxes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frames = ReadFrames(SharedData.Footage("street-parking-hevc.mp4"));
        _boxes = new Detection[Boxes];
        for (int i = 0; i < Boxes; i++) _boxes[i] = new Detection(2, 0.45f, new BoundingBox(60 + 70 * i, i % 2 == 0 ? 165 : 265, 60, 34));
        _model = new SceneModel(Width, Height);
        // Learn the scene first: the steady state is a ready model.
        for (int i = 0; i < 200 && _model.Status.State != SceneState.Ready; i++) Observe();
        if (_model.Status.State != SceneState.Ready) throw new InvalidOperationException("the model did not learn the street in 200 frames");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        foreach (var frame in _frames) frame.Dispose();
    }

    [Benchmark]
    public int Observe()
    {
        int period = 2 * _frames.Length - 2, k = _frame++ % period;
        var frame = _frames[k < _frames.Length ? k : period - k];
        _now += Interval;
        return _model.Observe(frame, _now, _boxes).Candidates.Count;
    }

    private static Mat[] ReadFrames(string path)
    {
        using var capture = new VideoCapture(path);
        if (!capture.IsOpened()) throw new InvalidOperationException($"OpenCV could not open {path}");
        var frames = new Mat[ClipFrames];
        using var decoded = new Mat();
        for (int i = 0; i < ClipFrames * FrameStep; i++)
        {
            if (!capture.Read(decoded) || decoded.Empty()) throw new InvalidOperationException($"{path} ended before frame {i}");
            if (i % FrameStep != 0) continue;
            var frame = new Mat();
            Cv2.Resize(decoded, frame, new Size(Width, Height), 0, 0, InterpolationFlags.Area);
            frames[i / FrameStep] = frame;
        }
        return frames;
    }
}
