using OpenCvSharp;
using Vision.Models.Tests.Support;
using Xunit.Abstractions;

namespace Vision.Models.Tests.Onnx;

/// <summary>Starts the real YOLOX-Nano (../shared/models) through the repo manifest and runs it on real footage (../shared/footage).</summary>
public sealed class RealModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static IReadOnlyList<string> SearchDirs => [Path.Combine(SharedData.ProjectRoot, "models"), SharedData.ModelsDir];

    [SharedDataFact]
    public void Yolox_nano_finds_the_bottles_on_the_table_two_seconds_in()
    {
        using var detector = LoadYoloxNano();
        using var frame = ReadFrame("bottle-detection.mp4", seconds: 2.0);
        var results = new[] { new List<Detection>() };

        detector.Detect([frame], results);

        foreach (var d in results[0])
            output.WriteLine($"{detector.ClassNames[d.ClassId]} {d.Score:F3} ({d.Box.X:F1},{d.Box.Y:F1})-({d.Box.Right:F1},{d.Box.Bottom:F1})");
        int bottle = IndexOf(detector.ClassNames, "bottle");
        var bottles = results[0].Where(d => d.ClassId == bottle && d.Score >= 0.6f).ToList();
        Assert.True(bottles.Count >= 2, $"expected at least 2 bottles with score >= 0.6, got {bottles.Count}");
        foreach (var b in bottles)
        {
            Assert.InRange(b.Box.X, 0f, frame.Cols);
            Assert.InRange(b.Box.Right, b.Box.X + 8f, frame.Cols);
            Assert.InRange(b.Box.Y, 0f, frame.Rows);
            Assert.InRange(b.Box.Bottom, b.Box.Y + 20f, frame.Rows);
            // Standing bottles: taller than wide, and no larger than half the frame.
            Assert.True(b.Box.Height > b.Box.Width, $"bottle box {b.Box} is not upright");
            Assert.True(b.Box.Height < frame.Rows * 0.75f && b.Box.Width < frame.Cols * 0.5f, $"bottle box {b.Box} is implausibly large");
        }
        for (int i = 1; i < results[0].Count; i++) Assert.True(results[0][i - 1].Score >= results[0][i].Score);
    }

    [SharedDataFact]
    public void Same_frame_twice_gives_identical_detections()
    {
        using var detector = LoadYoloxNano();
        using var frame = ReadFrame("bottle-detection.mp4", seconds: 2.0);
        var first = new[] { new List<Detection>() };
        var second = new[] { new List<Detection>() };

        detector.Detect([frame], first);
        detector.Detect([frame], second);

        Assert.NotEmpty(first[0]);
        Assert.Equal(first[0], second[0]);
    }

    [SharedDataFact]
    public void Batch_of_three_frames_equals_three_single_calls()
    {
        using var detector = LoadYoloxNano();
        using var a = ReadFrame("bottle-detection.mp4", seconds: 1.0);
        using var b = ReadFrame("bottle-detection.mp4", seconds: 2.0);
        using var c = ReadFrame("one-by-one-person-detection.mp4", seconds: 20.0);
        Mat[] frames = [a, b, c];
        var batched = new[] { new List<Detection>(), new List<Detection>(), new List<Detection>() };

        detector.Detect(frames, batched);

        Assert.Equal(1, detector.MaxBatch); // this export has a fixed batch of 1
        for (int i = 0; i < frames.Length; i++)
        {
            var single = new[] { new List<Detection>() };
            detector.Detect([frames[i]], single);
            Assert.NotEmpty(single[0]);
            Assert.Equal(single[0], batched[i]);
        }
    }

    [SharedDataFact]
    public void Manifest_claiming_yolov8_is_refused_naming_the_output_tensor_and_its_shape()
    {
        var manifest = DetectorManifest.Load(WriteManifest("layout: yolov8", "coco.names"), [SharedData.ModelsDir]);

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions()));

        Assert.Equal(
            "model yolox_nano.onnx: output 'output' has shape [1,3549,85] but manifest layout yolov8 with 80 classes expects [B,84,N]; " +
            $"fix output.layout, output.strides or classes in {manifest.ManifestPath}",
            error.Message);
    }

    [SharedDataFact]
    public void Manifest_with_81_classes_is_refused_naming_the_output_tensor_and_its_shape()
    {
        var names = "[" + string.Join(", ", Enumerable.Range(0, 81).Select(i => $"c{i}")) + "]";
        var manifest = DetectorManifest.Load(WriteManifest("layout: yolox\n  strides: [8, 16, 32]", names), [SharedData.ModelsDir]);

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions()));

        Assert.Equal(
            "model yolox_nano.onnx: output 'output' has shape [1,3549,85] but manifest layout yolox with 81 classes " +
            $"(strides 8,16,32 at 416x416) expects [B,3549,86]; fix output.layout, output.strides or classes in {manifest.ManifestPath}",
            error.Message);
    }

    [SharedDataFact]
    public void Cuda_request_on_the_cpu_build_is_a_clear_error()
    {
        var manifest = ModelLocator.LoadManifest("yolox_nano", null, SearchDirs);

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions(Provider: ExecutionProvider.Cuda)));

        Assert.StartsWith("execution provider 'cuda' is not in this ONNX Runtime build (available: CPUExecutionProvider", error.Message);
        Assert.EndsWith("); install Microsoft.ML.OnnxRuntime.Gpu or use provider: cpu", error.Message);
    }

    private static OnnxDetector LoadYoloxNano() =>
        OnnxDetector.Load(ModelLocator.LoadManifest("yolox_nano", null, SearchDirs), new DetectorOptions(IntraOpThreads: 2));

    private string WriteManifest(string layout, string classes) => _temp.Write("claims.yaml", $"""
        file: yolox_nano.onnx
        input: {"{"} name: images, width: 416, height: 416, channel_order: bgr, scale: 1, letterbox: top_left, pad_value: 114 {"}"}
        output:
          name: output
          {layout}
        classes: {classes}
        """);

    private static Mat ReadFrame(string footage, double seconds)
    {
        using var capture = new VideoCapture(SharedData.Footage(footage));
        Assert.True(capture.IsOpened(), $"cannot open {footage}");
        int index = (int)Math.Round(seconds * capture.Fps);
        var frame = new Mat();
        for (int i = 0; i <= index; i++) Assert.True(capture.Read(frame) && !frame.Empty(), $"{footage} ended before frame {index}");
        return frame;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        throw new InvalidOperationException($"no class '{name}'");
    }
}
