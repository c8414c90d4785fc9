using System.Globalization;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tools.Evaluation;

/// <summary>The lowest precision, recall and F1 a rule (and the overall sum) may score before <c>vision eval</c> exits 1; null: not checked.</summary>
internal sealed record EvalThresholds(double? MinPrecision, double? MinRecall, double? MinF1)
{
    public static EvalThresholds None { get; } = new(null, null, null);

    /// <summary>One line per figure below its threshold, e.g. "rule litter-table: recall 0.50 is below --min-recall 0.80"; a figure with nothing to count (NaN) is not checked.</summary>
    public IReadOnlyList<string> Failures(IReadOnlyList<RuleScore> rules, RuleScore overall)
    {
        var failures = new List<string>();
        foreach (var rule in rules) Check($"rule {rule.RuleId}", rule, failures);
        Check("overall", overall, failures);
        return failures;
    }

    private void Check(string what, RuleScore score, List<string> failures)
    {
        Below(what, "precision", score.Precision, MinPrecision, failures);
        Below(what, "recall", score.Recall, MinRecall, failures);
        Below(what, "F1", score.F1, MinF1, failures);
    }

    private static void Below(string what, string figure, double value, double? min, List<string> failures)
    {
        if (min is not { } threshold || double.IsNaN(value) || value >= threshold) return;
        failures.Add(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {figure} {value:0.###} is below --min-{figure.ToLowerInvariant()} {threshold:0.###}"));
    }
}
