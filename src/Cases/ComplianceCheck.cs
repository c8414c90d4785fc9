namespace Vision.Cases;

/// <summary>One requirement of an evidence standard, and whether this case meets it.</summary>
public sealed record ComplianceCheck(string Name, bool Met, string Detail);
