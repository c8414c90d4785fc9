namespace Vision.ReviewConsole;

/// <summary>Why a reviewer may reject a case (wire codes; the pages translate them). <see cref="Other"/> needs a note.</summary>
internal static class RejectReasons
{
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } = ["false_detection", "permitted", "duplicate", "evidence_unclear", Other];

    /// <summary>What is wrong with a rejection's reason and note; null when they will do.</summary>
    public static string? Problem(string? reason, string? note)
    {
        if (reason is null || !All.Contains(reason)) return $"reason must be one of {string.Join(", ", All)}";
        if (reason == Other && string.IsNullOrWhiteSpace(note)) return "reason 'other' needs a note";
        return null;
    }
}
