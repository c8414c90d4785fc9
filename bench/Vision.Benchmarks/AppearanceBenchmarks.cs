using BenchmarkDotNet.Attributes;
using Vision.Models;
using Vision.Pipeline.Tracking;

namespace Vision.Benchmarks;

/// <summary>
/// <see cref="Appearance.Measure"/>: the look of one detection on a 1280x720 BGR frame. It samples at most 16x16 points per
/// quarter, so a large box should cost little more than a small one. One operation is one box.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class AppearanceBenchmarks
{
    private const int FrameWidth = 1280, FrameHeight = 720;

    private byte[] _bgr = [];
    private BoundingBox _box;

    /// <summary>Box side in pixels.</summary>
    [Params(50, 300)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bgr = new byte[FrameWidth * FrameHeight * 3];
        new Random(42).NextBytes(_bgr);
        _box = new BoundingBox(400.5f, 200.5f, Size, Size);
    }

    [Benchmark]
    public float Measure() => Appearance.Measure(_bgr, FrameWidth, FrameHeight, _box)[0]; // a value, so the measurement is not optimised away
}
