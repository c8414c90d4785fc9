using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using Vision.Models.Tests.Decoding;
using Vision.Models.Tests.Support;

namespace Vision.Models.Tests.Onnx;

/// <summary>
/// Runs OnnxDetector end to end on a tiny Reshape-only model built in the test: a 32x32 input reshaped to yolov5 rows of
/// [cx, cy, w, h, obj, cls], so the blue pixels x=0..5 of image row y (y a multiple of 3) are one output row.
/// </summary>
public sealed class OnnxDetectorTests : IDisposable
{
    private const string Manifest = """
        name: tiny
        file: tiny.onnx
        input: { name: images, width: 32, height: 32, channel_order: bgr, scale: 1, letterbox: top_left, pad_value: 0 }
        output: { name: output, layout: yolov5 }
        classes: [thing]
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Dynamic_batch_model_takes_max_batch_frames_per_call_and_each_frame_gets_its_own_detections()
    {
        using var detector = OnnxDetector.Load(TinyManifest(batch: null), new DetectorOptions(MaxBatch: 4));
        using var first = Planted(32, 32, 1, (0, 10, 12, 8, 6));
        using var second = Planted(32, 32, 1, (3, 20, 20, 10, 10));
        using var third = Planted(32, 32, 1, (6, 5, 5, 4, 4), (9, 25, 25, 6, 6));
        var results = NewResults(3);

        detector.Detect([first, second, third], results);

        Assert.Equal(4, detector.MaxBatch);
        YoloxDecoderTests.AssertDetection(Assert.Single(results[0]), 0, 1f, 6f, 9f, 14f, 15f);
        YoloxDecoderTests.AssertDetection(Assert.Single(results[1]), 0, 1f, 15f, 15f, 25f, 25f);
        Assert.Equal(2, results[2].Count);
        YoloxDecoderTests.AssertDetection(results[2][0], 0, 1f, 3f, 3f, 7f, 7f);
        YoloxDecoderTests.AssertDetection(results[2][1], 0, 1f, 22f, 22f, 28f, 28f);
    }

    [Fact]
    public void Batches_split_at_max_batch_equal_single_calls_and_results_are_cleared_first()
    {
        using var detector = OnnxDetector.Load(TinyManifest(batch: null), new DetectorOptions(MaxBatch: 2));
        var frames = new Mat[5];
        for (int i = 0; i < frames.Length; i++) frames[i] = Planted(32, 32, 1, (3 * i, (byte)(5 + 4 * i), 10, 4, 4));
        try
        {
            var batched = NewResults(5);
            batched[0].Add(new Detection(7, 0.5f, default));
            detector.Detect(frames, batched);
            detector.Detect(frames, batched); // second pass runs on the bound output tensors

            for (int i = 0; i < frames.Length; i++)
            {
                var single = NewResults(1);
                detector.Detect([frames[i]], single);
                Assert.Equal(single[0], batched[i]);
                Assert.Single(batched[i]);
            }
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
        }
    }

    [Fact]
    public void Frames_larger_than_the_input_are_letterboxed_and_boxes_mapped_back_to_frame_pixels()
    {
        using var detector = OnnxDetector.Load(TinyManifest(batch: null), new DetectorOptions());
        // 64x40 with 2x2 blocks: resized exactly to 32x20 at the top-left, rows 20..31 padded.
        using var frame = Planted(64, 40, 2, (3, 10, 12, 8, 6), (6, 20, 16, 8, 10));
        var results = NewResults(1);

        detector.Detect([frame], results);

        Assert.Equal(2, results[0].Count);
        YoloxDecoderTests.AssertDetection(results[0][0], 0, 1f, 12f, 18f, 28f, 30f);
        YoloxDecoderTests.AssertDetection(results[0][1], 0, 1f, 32f, 22f, 48f, 40f); // bottom clamped to the frame
    }

    [Fact]
    public void Fixed_batch_model_runs_one_frame_per_call()
    {
        using var detector = OnnxDetector.Load(TinyManifest(batch: 1), new DetectorOptions(MaxBatch: 8));
        using var first = Planted(32, 32, 1, (0, 10, 12, 8, 6));
        using var second = Planted(32, 32, 1, (3, 20, 20, 10, 10));
        var results = NewResults(2);

        detector.Detect([first, second], results);

        Assert.Equal(1, detector.MaxBatch);
        YoloxDecoderTests.AssertDetection(Assert.Single(results[0]), 0, 1f, 6f, 9f, 14f, 15f);
        YoloxDecoderTests.AssertDetection(Assert.Single(results[1]), 0, 1f, 15f, 15f, 25f, 25f);
    }

    [Fact]
    public void Steady_state_detect_allocates_no_managed_tensors()
    {
        using var detector = OnnxDetector.Load(TinyManifest(batch: null), new DetectorOptions(MaxBatch: 4));
        using var frame = Planted(64, 64, 2, (0, 10, 12, 8, 6));
        Mat[] frames = [frame, frame, frame];
        var results = NewResults(3);
        detector.Detect(frames, results);
        detector.Detect(frames, results);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) detector.Detect(frames, results);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;

        // One 3x32x32 float input alone is 12 KiB; what is left is ORT's and OpenCvSharp's per-call bookkeeping.
        Assert.True(perCall < 4096, $"{perCall} bytes allocated per Detect call");
    }

    [Fact]
    public void Input_size_that_differs_from_the_manifest_is_refused_naming_the_input_and_both_shapes()
    {
        var manifest = TinyManifest(batch: null, manifestText: Manifest.Replace("width: 32, height: 32", "width: 64, height: 64"));

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions()));

        Assert.Equal(
            $"model tiny.onnx: input 'images' has shape [batch,3,32,32] but manifest expects [B,3,64,64]; " +
            $"fix input.width/height in {manifest.ManifestPath} or export the model at that size",
            error.Message);
    }

    [Fact]
    public void Output_name_missing_from_the_model_is_refused()
    {
        var manifest = TinyManifest(batch: null, manifestText: Manifest.Replace("name: output", "name: detections"));

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions()));

        Assert.Equal($"model tiny.onnx: has no output 'detections' (its outputs: output); fix output.name in {manifest.ManifestPath}", error.Message);
    }

    [Fact]
    public void Class_count_that_does_not_fit_the_output_is_refused_naming_both_shapes()
    {
        var manifest = TinyManifest(batch: null, manifestText: Manifest.Replace("[thing]", "[thing, other]"));

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions()));

        Assert.Equal(
            "model tiny.onnx: output 'output' has shape [batch,512,6] but manifest layout yolov5 with 2 classes expects [B,N,7]; " +
            $"fix output.layout, output.strides or classes in {manifest.ManifestPath}",
            error.Message);
    }

    [Theory]
    [InlineData(ExecutionProvider.Cuda, "cuda")]
    [InlineData(ExecutionProvider.TensorRt, "tensorrt")]
    public void Gpu_provider_missing_from_this_onnx_runtime_build_is_a_clear_error(ExecutionProvider provider, string wire)
    {
        var available = OrtEnv.Instance().GetAvailableProviders();
        Assert.DoesNotContain("CUDAExecutionProvider", available); // this repo references the CPU build
        var manifest = TinyManifest(batch: null);

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions(Provider: provider)));

        Assert.Equal(
            $"execution provider '{wire}' is not in this ONNX Runtime build (available: {string.Join(", ", available)}); " +
            "install Microsoft.ML.OnnxRuntime.Gpu or use provider: cpu",
            error.Message);
    }

    [Fact]
    public void File_that_is_not_an_onnx_model_is_refused()
    {
        var manifest = TinyManifest(batch: null);
        File.WriteAllText(manifest.ModelPath, "this is a PyTorch checkpoint, honest");

        var error = Assert.Throws<ModelLoadException>(() => OnnxDetector.Load(manifest, new DetectorOptions()));

        Assert.StartsWith($"model {manifest.ModelPath} could not be loaded by ONNX Runtime (", error.Message);
        Assert.EndsWith("check that it is an ONNX export (not a .pt checkpoint) and not truncated", error.Message);
    }

    [Fact]
    public void Frames_that_are_not_8bit_bgr_and_mismatched_result_spans_are_programming_errors()
    {
        using var detector = OnnxDetector.Load(TinyManifest(batch: null), new DetectorOptions());
        using var gray = new Mat(32, 32, MatType.CV_8UC1, Scalar.All(0));
        using var frame = Planted(32, 32, 1);

        Assert.Throws<ArgumentException>(() => detector.Detect([gray], NewResults(1)));
        Assert.Throws<ArgumentException>(() => detector.Detect([frame, frame], NewResults(1)));
    }

    [Fact]
    public void Detect_after_dispose_throws()
    {
        var detector = OnnxDetector.Load(TinyManifest(batch: null), new DetectorOptions());
        using var frame = Planted(32, 32, 1);
        detector.Dispose();

        Assert.Throws<ObjectDisposedException>(() => detector.Detect([frame], NewResults(1)));
    }

    private DetectorManifest TinyManifest(int? batch, string manifestText = Manifest)
    {
        _temp.Write("tiny.onnx", TinyOnnxModel.Reshape("images", "output", 32, 32, rows: 512, cols: 6, batch));
        return DetectorManifest.Load(_temp.Write("tiny.yaml", manifestText), []);
    }

    private static List<Detection>[] NewResults(int count)
    {
        var results = new List<Detection>[count];
        for (int i = 0; i < count; i++) results[i] = [];
        return results;
    }

    /// <summary>A black frame with, per planted row, blue values [cx, cy, w, h, 1, 1] at model pixels x=0..5 of model row y, each model pixel a block x block square.</summary>
    private static Mat Planted(int width, int height, int block, params (int Row, byte Cx, byte Cy, byte W, byte H)[] boxes)
    {
        var frame = new Mat(height, width, MatType.CV_8UC3, Scalar.All(0));
        foreach (var (row, cx, cy, w, h) in boxes)
        {
            byte[] values = [cx, cy, w, h, 1, 1];
            for (int x = 0; x < values.Length; x++)
            {
                for (int dy = 0; dy < block; dy++)
                    for (int dx = 0; dx < block; dx++)
                        frame.Set(row * block + dy, x * block + dx, new Vec3b(values[x], 0, 0));
            }
        }
        return frame;
    }
}
