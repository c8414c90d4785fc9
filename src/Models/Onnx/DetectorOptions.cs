namespace Vision.Models;

/// <summary>How an <see cref="OnnxDetector"/> runs: provider, CPU threads (0 = ONNX Runtime's default), score and NMS thresholds, frames per inference call.</summary>
public sealed record DetectorOptions(
    ExecutionProvider Provider = ExecutionProvider.Cpu,
    int IntraOpThreads = 0,
    float MinScore = 0.1f,
    float NmsIou = 0.45f,
    int MaxBatch = 8)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values no detector can run with (config validation should have caught them).</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Provider)) throw new ArgumentOutOfRangeException(nameof(Provider), Provider, "unknown execution provider");
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads);
        if (!(MinScore >= 0f && MinScore <= 1f)) throw new ArgumentOutOfRangeException(nameof(MinScore), MinScore, "must be within 0..1");
        if (!(NmsIou > 0f && NmsIou <= 1f)) throw new ArgumentOutOfRangeException(nameof(NmsIou), NmsIou, "must be above 0 and at most 1");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBatch);
    }
}
