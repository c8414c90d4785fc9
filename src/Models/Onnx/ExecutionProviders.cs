using Microsoft.ML.OnnxRuntime;

namespace Vision.Models;

/// <summary>Maps <see cref="ExecutionProvider"/> to ONNX Runtime's providers and refuses one that this build of ONNX Runtime lacks.</summary>
internal static class ExecutionProviders
{
    public static string Wire(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => "cpu",
        ExecutionProvider.Cuda => "cuda",
        ExecutionProvider.TensorRt => "tensorrt",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    public static string OrtName(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => "CPUExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        ExecutionProvider.TensorRt => "TensorrtExecutionProvider",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    /// <summary>Throws <see cref="ModelLoadException"/> when <paramref name="provider"/> is not among <paramref name="available"/>.</summary>
    public static void RequireAvailable(ExecutionProvider provider, IReadOnlyList<string> available)
    {
        if (provider == ExecutionProvider.Cpu || available.Contains(OrtName(provider))) return;
        throw new ModelLoadException(
            $"execution provider '{Wire(provider)}' is not in this ONNX Runtime build (available: {string.Join(", ", available)}); " +
            "install Microsoft.ML.OnnxRuntime.Gpu or use provider: cpu");
    }

    /// <summary>Adds the provider to the session options; the CPU provider is always ONNX Runtime's fallback.</summary>
    public static void Append(SessionOptions options, ExecutionProvider provider)
    {
        try
        {
            switch (provider)
            {
                case ExecutionProvider.Cpu:
                    break;
                case ExecutionProvider.Cuda:
                    options.AppendExecutionProvider_CUDA(0);
                    break;
                case ExecutionProvider.TensorRt:
                    options.AppendExecutionProvider_Tensorrt(0);
                    options.AppendExecutionProvider_CUDA(0);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(provider));
            }
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(
                $"execution provider '{Wire(provider)}' could not start ({ex.Message.Trim()}); check the GPU driver and CUDA/cuDNN libraries, or use provider: cpu", ex);
        }
    }
}
