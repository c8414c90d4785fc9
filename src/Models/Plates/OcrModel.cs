using Microsoft.ML.OnnxRuntime;

namespace Vision.Models.Plates;

/// <summary>One PP-OCR ONNX model: its session, checked at load against the tensors the reader feeds and reads.</summary>
internal sealed class OcrModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OcrModel(InferenceSession session, string input, string output)
    {
        _session = session;
        _inputNames = [input];
        _outputNames = [output];
    }

    /// <param name="expectedOutput">Output dimensions the reader relies on; -1 for any.</param>
    /// <exception cref="ModelLoadException">The file does not load, or a tensor's name or shape differs from the PP-OCR export.</exception>
    public static OcrModel Open(string path, int intraOpThreads, string input, string output, long[] expectedOutput, long? fixedInputHeight = null)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        if (intraOpThreads > 0) options.IntraOpNumThreads = intraOpThreads;
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException($"plate model {DisplayPath.Of(path)} could not be loaded by ONNX Runtime ({e.Message.Trim()}); it is damaged or not an ONNX file: {PlateModelFiles.HowToGet}", e);
        }
        try
        {
            Check(path, "input", session.InputMetadata, input, fixedInputHeight is { } h ? [-1, 3, h, -1] : [-1, 3, -1, -1]);
            Check(path, "output", session.OutputMetadata, output, expectedOutput);
            return new OcrModel(session, input, output);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the model on <paramref name="tensor"/>; the caller reads and disposes the output.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(ChwTensor tensor)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor.Data, tensor.Shape);
        return _session.Run(_runOptions, _inputNames, [input], _outputNames);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    private static void Check(string path, string kind, IReadOnlyDictionary<string, NodeMetadata> metadata, string name, long[] expected)
    {
        if (!metadata.TryGetValue(name, out var node))
            throw new ModelLoadException($"plate model {DisplayPath.Of(path)} has no {kind} tensor '{name}' (it has {string.Join(", ", metadata.Keys)}): it is not the PP-OCR export the reader expects; {PlateModelFiles.HowToGet}");
        var actual = node.Dimensions;
        bool matches = actual.Length == expected.Length;
        for (int i = 0; matches && i < actual.Length; i++)
            matches = expected[i] < 0 || actual[i] < 0 || actual[i] == expected[i];
        if (!matches)
            throw new ModelLoadException(
                $"plate model {DisplayPath.Of(path)}: {kind} '{name}' is [{string.Join(",", actual)}], expected [{string.Join(",", expected.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]; it does not match the dictionary or the PP-OCR export the reader expects; {PlateModelFiles.HowToGet}");
    }
}
