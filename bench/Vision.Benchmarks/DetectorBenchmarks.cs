using BenchmarkDotNet.Attributes;
using OpenCvSharp;
using Vision.Models;

namespace Vision.Benchmarks;

/// <summary>
/// The detector stage. <see cref="OnnxDetector.Detect"/> runs YOLOX-Nano (one intra-op thread) end to end on one real frame:
/// letterbox to 416x416, inference, decode, NMS; it needs ../shared (model and footage) and fails its setup saying so when absent.
/// <see cref="NonMaxSuppression.Apply"/> and <see cref="YoloxDecoder.Decode"/> run on synthetic data of the real shape.
/// One operation is one frame (or one frame's post-processing).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class DetectorBenchmarks
{
    private const int InputSize = 416;
    private static readonly int[] Strides = [8, 16, 32];

    private OnnxDetector? _detector;
    private Mat[] _frame640x360 = [];
    private Mat[] _frame1280x720 = [];
    private readonly List<Detection>[] _results = [new List<Detection>(256)];

    private readonly NonMaxSuppression _nms = new();
    private readonly List<Detection> _candidates = new(512);
    private readonly List<Detection> _kept = new(512);
    private YoloxDecoder _decoder = null!;
    private float[] _tensor = [];
    private LetterboxTransform _letterbox;

    [GlobalSetup(Targets = [nameof(Detect640x360), nameof(Detect1280x720)])]
    public void SetupDetector()
    {
        var shared = SharedData.Require();
        _frame640x360 = [ReadFrame(SharedData.Footage("bottle-detection.mp4"), 640, 360)];
        _frame1280x720 = [ReadFrame(SharedData.Footage("street-parking-hevc.mp4"), 1280, 720)];
        var manifest = ModelLocator.LoadManifest("yolox_nano", null,
            [Path.Combine(SharedData.ProjectRoot, "models"), Path.Combine(shared, "models")]);
        _detector = OnnxDetector.Load(manifest, new DetectorOptions(IntraOpThreads: 1));
        // The first run at a batch size binds the reusable output tensor; measure the runs after it.
        Detect640x360();
        Detect1280x720();
    }

    [GlobalSetup(Targets = [nameof(NmsOn500Candidates), nameof(YoloxDecode3549x85)])]
    public void SetupPostprocessing()
    {
        var random = new Random(7);
        // 500 candidates as a real head produces them: clusters of overlapping boxes around 50 objects, two classes per cluster.
        for (int o = 0; o < 50; o++)
        {
            float x = random.Next(1200), y = random.Next(660), w = 30 + random.Next(120), h = 30 + random.Next(90);
            for (int k = 0; k < 10; k++)
            {
                var box = new BoundingBox(x + (random.NextSingle() - 0.5f) * 8, y + (random.NextSingle() - 0.5f) * 8,
                    w * (0.9f + 0.2f * random.NextSingle()), h * (0.9f + 0.2f * random.NextSingle()));
                _candidates.Add(new Detection(k < 7 ? CocoClasses.Car : CocoClasses.Truck, 0.1f + 0.8f * random.NextSingle(), box));
            }
        }

        // A raw YOLOX head for one 416x416 image: most anchors see background, about 2 % see an object.
        _decoder = new YoloxDecoder(InputSize, InputSize, Strides, CocoClasses.Names.Count);
        int width = 5 + CocoClasses.Names.Count;
        _tensor = new float[_decoder.AnchorCount * width];
        for (int anchor = 0; anchor < _decoder.AnchorCount; anchor++)
        {
            var row = _tensor.AsSpan(anchor * width, width);
            row[0] = random.NextSingle();
            row[1] = random.NextSingle();
            row[2] = random.NextSingle() * 2f;
            row[3] = random.NextSingle() * 2f;
            bool foreground = random.Next(50) == 0;
            row[4] = foreground ? 0.3f + 0.65f * random.NextSingle() : 0.05f * random.NextSingle();
            for (int c = 5; c < width; c++) row[c] = 0.05f * random.NextSingle();
            row[5 + random.Next(CocoClasses.Names.Count)] = 0.6f + 0.35f * random.NextSingle();
        }
        _letterbox = LetterboxTransform.Fit(1280, 720, InputSize, InputSize, LetterboxAlignment.TopLeft);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detector?.Dispose();
        foreach (var mat in _frame640x360) mat.Dispose();
        foreach (var mat in _frame1280x720) mat.Dispose();
    }

    [Benchmark]
    public int Detect640x360()
    {
        _detector!.Detect(_frame640x360, _results);
        return _results[0].Count;
    }

    [Benchmark]
    public int Detect1280x720()
    {
        _detector!.Detect(_frame1280x720, _results);
        return _results[0].Count;
    }

    [Benchmark]
    public int NmsOn500Candidates()
    {
        _kept.Clear();
        _nms.Apply(_candidates, 0.45f, _kept);
        return _kept.Count;
    }

    [Benchmark]
    public int YoloxDecode3549x85()
    {
        _candidates.Clear();
        _decoder.Decode(_tensor, _letterbox, 0.1f, _candidates);
        return _candidates.Count;
    }

    /// <summary>Frame 30 of the clip (past any fade-in), checked to be the size the benchmark is named after.</summary>
    private static Mat ReadFrame(string path, int width, int height)
    {
        using var capture = new VideoCapture(path);
        if (!capture.IsOpened()) throw new InvalidOperationException($"OpenCV could not open {path}");
        var frame = new Mat();
        for (int i = 0; i <= 30; i++)
        {
            if (!capture.Read(frame) || frame.Empty())
                throw new InvalidOperationException($"{path} ended before frame {i}");
        }
        if (frame.Cols != width || frame.Rows != height || frame.Type() != MatType.CV_8UC3)
            throw new InvalidOperationException($"{path}: expected a {width}x{height} BGR frame, got {frame.Type()} {frame.Cols}x{frame.Rows}");
        return frame;
    }
}
