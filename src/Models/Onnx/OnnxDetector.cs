using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Vision.Models;

/// <summary>
/// An object detector running an ONNX model described by a <see cref="DetectorManifest"/>.
/// One instance is used by one thread at a time (it reuses its tensors and buffers); run one per inference loop.
/// </summary>
public sealed class OnnxDetector : IObjectDetector
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly ModelSignature _signature;
    private readonly DetectorOptions _options;
    private readonly LetterboxWriter _writer;
    private readonly IDetectionDecoder _decoder;
    private readonly NonMaxSuppression _nms = new();
    private readonly List<Detection> _candidates = new(512);
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[] _input;
    private readonly LetterboxTransform[] _letterboxes;
    private readonly TensorBatch?[] _batches;
    private float[]? _output;
    private long _outputPerImage;
    private bool _disposed;

    private OnnxDetector(InferenceSession session, ModelSignature signature, DetectorManifest manifest, DetectorOptions options)
    {
        _session = session;
        _signature = signature;
        _options = options;
        Manifest = manifest;
        _writer = new LetterboxWriter(manifest.Input);
        _decoder = CreateDecoder(manifest);
        _inputNames = [manifest.Input.Name];
        _outputNames = [manifest.Output.Name];
        // A fixed batch dimension of B means every run feeds B images; frames fill the first slots.
        MaxBatch = signature.FixedBatch > 0 ? signature.FixedBatch : options.MaxBatch;
        _input = new float[MaxBatch * _writer.TensorLength];
        _letterboxes = new LetterboxTransform[MaxBatch];
        _batches = new TensorBatch?[MaxBatch + 1];
    }

    public DetectorManifest Manifest { get; }

    public IReadOnlyList<string> ClassNames => Manifest.ClassNames;

    /// <summary>Frames per inference call: <see cref="DetectorOptions.MaxBatch"/> when the model's batch dimension is dynamic, else the model's fixed batch size (1 for most exports).</summary>
    public int MaxBatch { get; }

    /// <summary>Opens the model with the requested execution provider and checks its tensors against the manifest.</summary>
    /// <exception cref="ModelLoadException">The provider is not available, the file is not a loadable ONNX model, or its tensors do not match the manifest.</exception>
    public static OnnxDetector Load(DetectorManifest manifest, DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ExecutionProviders.RequireAvailable(options.Provider, OrtEnv.Instance().GetAvailableProviders());

        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (options.IntraOpThreads > 0) sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        ExecutionProviders.Append(sessionOptions, options.Provider);

        InferenceSession session;
        try
        {
            session = new InferenceSession(manifest.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(
                $"model {DisplayPath.Of(manifest.ModelPath)} could not be loaded by ONNX Runtime ({ex.Message.Trim()}); check that it is an ONNX export (not a .pt checkpoint) and not truncated", ex);
        }
        try
        {
            var signature = ModelSignature.Check(session, manifest);
            return new OnnxDetector(session, signature, manifest, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Detect(ReadOnlySpan<Mat> frames, ReadOnlySpan<List<Detection>> results)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frames.Length != results.Length)
            throw new ArgumentException($"{frames.Length} frames but {results.Length} result lists", nameof(results));
        for (int start = 0; start < frames.Length; start += MaxBatch)
        {
            int count = Math.Min(MaxBatch, frames.Length - start);
            DetectBatch(frames.Slice(start, count), results.Slice(start, count));
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var batch in _batches) batch?.Dispose();
        _writer.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private void DetectBatch(ReadOnlySpan<Mat> frames, ReadOnlySpan<List<Detection>> results)
    {
        int count = frames.Length;
        int size = _signature.FixedBatch > 0 ? _signature.FixedBatch : count;
        for (int i = 0; i < count; i++)
        {
            ArgumentNullException.ThrowIfNull(results[i], nameof(results));
            _letterboxes[i] = _writer.Write(frames[i], _input.AsSpan(i * _writer.TensorLength, _writer.TensorLength));
        }

        var batch = _batches[size] ??= new TensorBatch(size, _input, _writer.TensorLength, Manifest.Input);
        if (batch.Outputs is not null)
        {
            _session.Run(_runOptions, _inputNames, batch.Inputs, _outputNames, batch.Outputs);
            Decode(_output.AsSpan(0, (int)(size * _outputPerImage)), count, results);
            return;
        }

        // First run at this batch size: let ORT allocate, learn the output shape, then bind a reusable output for later runs.
        using var outputs = _session.Run(_runOptions, _inputNames, batch.Inputs, _outputNames);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        _signature.CheckActualOutput(shape, size);
        long perImage = shape[1] * shape[2];
        if (_output is null)
        {
            _outputPerImage = perImage;
            _output = new float[MaxBatch * perImage];
        }
        else if (perImage != _outputPerImage)
        {
            throw new InvalidOperationException($"output '{Manifest.Output.Name}' changed size between runs ({_outputPerImage} then {perImage} values per image)");
        }
        Decode(outputs[0].GetTensorDataAsSpan<float>(), count, results);
        batch.BindOutput(_output, shape);
    }

    private void Decode(ReadOnlySpan<float> output, int count, ReadOnlySpan<List<Detection>> results)
    {
        int perImage = (int)_outputPerImage;
        for (int i = 0; i < count; i++)
        {
            _candidates.Clear();
            _decoder.Decode(output.Slice(i * perImage, perImage), _letterboxes[i], _options.MinScore, _candidates);
            results[i].Clear();
            _nms.Apply(_candidates, _options.NmsIou, results[i]);
        }
    }

    private static IDetectionDecoder CreateDecoder(DetectorManifest manifest) => manifest.Output.Layout switch
    {
        OutputLayout.Yolox => new YoloxDecoder(manifest.Input.Width, manifest.Input.Height, manifest.Output.Strides, manifest.ClassCount),
        OutputLayout.Yolov5 => new Yolov5Decoder(manifest.ClassCount),
        OutputLayout.Yolov8 => new Yolov8Decoder(manifest.ClassCount),
        _ => throw new ArgumentOutOfRangeException(nameof(manifest)),
    };
}
