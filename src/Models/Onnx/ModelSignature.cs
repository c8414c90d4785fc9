using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Vision.Models;

/// <summary>
/// A loaded model's input and output tensors checked against its manifest; knows whether the batch dimension is fixed.
/// Every mismatch is a <see cref="ModelLoadException"/> naming the tensor, its shape and the expected one.
/// </summary>
internal sealed class ModelSignature
{
    private readonly DetectorManifest _manifest;

    private ModelSignature(DetectorManifest manifest, int fixedBatch)
    {
        _manifest = manifest;
        FixedBatch = fixedBatch;
    }

    /// <summary>The model's batch size when its batch dimension is fixed; 0 when it is dynamic.</summary>
    public int FixedBatch { get; }

    public static ModelSignature Check(InferenceSession session, DetectorManifest manifest)
    {
        var model = Path.GetFileName(manifest.ModelPath);
        var shownManifest = DisplayPath.Of(manifest.ManifestPath);
        var input = manifest.Input;
        var output = manifest.Output;

        if (!session.InputMetadata.TryGetValue(input.Name, out var inputMeta))
            throw new ModelLoadException($"model {model}: has no input '{input.Name}' (its inputs: {string.Join(", ", session.InputMetadata.Keys)}); fix input.name in {shownManifest}");
        if (session.InputMetadata.Count != 1)
            throw new ModelLoadException($"model {model}: has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}); this detector feeds only the image input '{input.Name}'; export the model with one input");
        RequireFloat(model, "input", input.Name, inputMeta);
        var inputDims = inputMeta.Dimensions;
        string expectedInput = $"[B,3,{input.Height},{input.Width}]";
        if (inputDims.Length != 4 || !Fits(inputDims[1], 3) || !Fits(inputDims[2], input.Height) || !Fits(inputDims[3], input.Width))
            throw new ModelLoadException(
                $"model {model}: input '{input.Name}' has shape {Format(inputMeta)} but manifest expects {expectedInput}; " +
                $"fix input.width/height in {shownManifest} or export the model at that size");

        if (!session.OutputMetadata.TryGetValue(output.Name, out var outputMeta))
            throw new ModelLoadException($"model {model}: has no output '{output.Name}' (its outputs: {string.Join(", ", session.OutputMetadata.Keys)}); fix output.name in {shownManifest}");
        RequireFloat(model, "output", output.Name, outputMeta);
        int inputBatch = inputDims[0];
        var outputDims = Array.ConvertAll(outputMeta.Dimensions, d => (long)d);
        if (!OutputFits(outputDims, manifest) || (inputBatch > 0 && outputDims[0] > 0 && outputDims[0] != inputBatch))
            throw OutputMismatch(manifest, Format(outputMeta));

        return new ModelSignature(manifest, inputBatch > 0 ? inputBatch : 0);
    }

    /// <summary>Checks the shape an inference actually produced (dynamic dimensions are only known then).</summary>
    public void CheckActualOutput(ReadOnlySpan<long> shape, int batch)
    {
        if (!OutputFits(shape, _manifest) || shape[0] != batch)
            throw OutputMismatch(_manifest, "[" + string.Join(",", shape.ToArray()) + "]");
    }

    private static bool OutputFits(ReadOnlySpan<long> dims, DetectorManifest manifest)
    {
        if (dims.Length != 3) return false;
        int classes = manifest.ClassCount;
        return manifest.Output.Layout switch
        {
            OutputLayout.Yolox => Fits(dims[1], YoloxAnchors(manifest)) && Fits(dims[2], 5 + classes),
            OutputLayout.Yolov5 => Fits(dims[2], 5 + classes),
            OutputLayout.Yolov8 => Fits(dims[1], 4 + classes),
            _ => false,
        };
    }

    private static ModelLoadException OutputMismatch(DetectorManifest manifest, string actual)
    {
        int classes = manifest.ClassCount;
        var output = manifest.Output;
        var (expected, detail) = output.Layout switch
        {
            OutputLayout.Yolox => ($"[B,{YoloxAnchors(manifest)},{5 + classes}]",
                $" (strides {string.Join(",", output.Strides)} at {manifest.Input.Width}x{manifest.Input.Height})"),
            OutputLayout.Yolov5 => ($"[B,N,{5 + classes}]", ""),
            OutputLayout.Yolov8 => ($"[B,{4 + classes},N]", ""),
            _ => throw new ArgumentOutOfRangeException(nameof(manifest)),
        };
        return new ModelLoadException(
            $"model {Path.GetFileName(manifest.ModelPath)}: output '{output.Name}' has shape {actual} but manifest layout " +
            $"{ManifestParser.Wire(output.Layout)} with {classes} classes{detail} expects {expected}; " +
            $"fix output.layout, output.strides or classes in {DisplayPath.Of(manifest.ManifestPath)}");
    }

    private static int YoloxAnchors(DetectorManifest manifest) =>
        YoloxDecoder.CountAnchors(manifest.Input.Width, manifest.Input.Height, manifest.Output.Strides);

    private static bool Fits(long actual, long expected) => actual < 0 || actual == expected;

    private static void RequireFloat(string model, string kind, string name, NodeMetadata meta)
    {
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
            throw new ModelLoadException(
                $"model {model}: {kind} '{name}' is {(meta.IsTensor ? meta.ElementDataType.ToString() : meta.OnnxValueType.ToString())}, not float32; export the model with float32 {kind}s");
    }

    private static string Format(NodeMetadata meta)
    {
        var dims = meta.Dimensions;
        var symbols = meta.SymbolicDimensions;
        var parts = new string[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            parts[i] = dims[i] >= 0 ? dims[i].ToString(System.Globalization.CultureInfo.InvariantCulture)
                : i < symbols.Length && !string.IsNullOrEmpty(symbols[i]) ? symbols[i] : "?";
        }
        return "[" + string.Join(",", parts) + "]";
    }
}
