namespace Vision.Cases;

/// <summary>Whether a case meets one standard: every check met.</summary>
public sealed record ComplianceVerdict(bool Met, IReadOnlyList<ComplianceCheck> Checks)
{
    public static ComplianceVerdict Of(IReadOnlyList<ComplianceCheck> checks) => new(checks.All(c => c.Met), checks);
}
