namespace Vision.Cases;

/// <summary>
/// A case's evidence against the image-evidence standards: GA/T 832-2014 (道路交通安全违法行为图像取证技术规范) and
/// Beijing's local rule, as the case record keeps it.
/// </summary>
public sealed record CaseCompliance(ComplianceVerdict GaT832, ComplianceVerdict Beijing);
