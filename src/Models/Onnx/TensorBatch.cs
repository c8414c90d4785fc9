using Microsoft.ML.OnnxRuntime;

namespace Vision.Models;

/// <summary>
/// The ORT tensors for one batch size, created once: an input view over the detector's shared input buffer and, once the first
/// inference has shown the output shape, an output view over its shared output buffer, so later runs allocate no tensors.
/// </summary>
internal sealed class TensorBatch : IDisposable
{
    public TensorBatch(int size, float[] input, int imageLength, ModelInputSpec spec)
    {
        Size = size;
        Input = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, new Memory<float>(input, 0, size * imageLength), [size, 3, spec.Height, spec.Width]);
        Inputs = [Input];
    }

    public int Size { get; }

    public OrtValue Input { get; }

    public OrtValue[] Inputs { get; }

    /// <summary>Pre-allocated outputs; null until the first run of this batch size.</summary>
    public OrtValue[]? Outputs { get; private set; }

    public void BindOutput(float[] output, ReadOnlySpan<long> shape)
    {
        long length = 1;
        foreach (var d in shape) length *= d;
        Outputs = [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(output, 0, (int)length), shape.ToArray())];
    }

    public void Dispose()
    {
        Input.Dispose();
        if (Outputs is not null) Outputs[0].Dispose();
    }
}
