namespace Vision.Pipeline.Tools.Evaluation;

/// <summary>What <c>vision eval</c> was asked to do: which config and truth, where the clips and the report go, and the figures CI expects.</summary>
internal sealed record EvalOptions(string ConfigPath, string TruthPath, string OutputDirectory)
{
    public const string DefaultOutputDirectory = "out/eval";

    /// <summary>Folder that relative clip paths start from (--footage); null: the truth file's folder.</summary>
    public string? FootageDirectory { get; init; }

    /// <summary>A video to replay instead of the truth's clip (--source): for a truth with one clip, or the clip of the same file name.</summary>
    public string? Source { get; init; }

    public EvalThresholds Thresholds { get; init; } = EvalThresholds.None;

    /// <summary>Called with each warning (a truncated clip, cases not written); null prints nothing.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Called as each clip starts replaying; null prints nothing.</summary>
    public Action<string>? Progress { get; init; }
}
