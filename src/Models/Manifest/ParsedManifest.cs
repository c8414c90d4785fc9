namespace Vision.Models;

/// <summary>A manifest's keys checked for form, before its model and classes files are looked up.</summary>
internal sealed record ParsedManifest(
    string Name,
    string File,
    string? Sha256,
    ModelInputSpec Input,
    ModelOutputSpec Output,
    IReadOnlyList<string>? InlineClasses,
    string? ClassesFile);
