using System.Security.Cryptography;

namespace Vision.Models;

/// <summary>What a detector model expects and produces, read from the YAML manifest beside it, with its model file and class names resolved.</summary>
public sealed record DetectorManifest(
    string Name,
    string ManifestPath,
    string ModelPath,
    string? Sha256,
    ModelInputSpec Input,
    ModelOutputSpec Output,
    IReadOnlyList<string> ClassNames)
{
    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// Reads a manifest. Its <c>file</c> is looked up relative to the manifest's folder, then in each of
    /// <paramref name="searchDirectories"/>, unless <paramref name="modelPath"/> names the model file explicitly;
    /// a <c>sha256</c> is checked against that file; a classes file is looked up beside the manifest, beside the model,
    /// then in the search directories.
    /// </summary>
    /// <exception cref="ModelLoadException">The manifest, its model file or its classes file cannot be used.</exception>
    public static DetectorManifest Load(string manifestPath, IReadOnlyList<string> searchDirectories, string? modelPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        ArgumentNullException.ThrowIfNull(searchDirectories);
        var fullManifest = Path.GetFullPath(manifestPath);
        var parsed = ManifestParser.ParseFile(fullManifest);
        var model = modelPath is null
            ? ModelLocator.FindModelFile(parsed.File, fullManifest, searchDirectories)
            : Path.GetFullPath(modelPath);
        if (!File.Exists(model))
            throw new ModelLoadException($"model {DisplayPath.Of(model)} does not exist; check detector.model, or {ModelLocator.Advice(Path.GetFileName(model))}");
        if (parsed.Sha256 is not null) CheckSha256(fullManifest, model, parsed.Sha256);
        var classes = parsed.InlineClasses
            ?? ClassNamesFile.Find(parsed.ClassesFile!, fullManifest, model, searchDirectories);
        return new DetectorManifest(parsed.Name, fullManifest, model, parsed.Sha256, parsed.Input, parsed.Output, classes);
    }

    private static void CheckSha256(string manifestPath, string modelPath, string expected)
    {
        string actual;
        using (var stream = File.OpenRead(modelPath))
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (actual != expected)
            throw new ModelLoadException(
                $"{DisplayPath.Of(manifestPath)}: sha256 {expected} does not match {DisplayPath.Of(modelPath)} (its sha256 is {actual}); " +
                "the file is damaged or a different model: fetch it again, or update sha256 if you replaced the model on purpose");
    }
}
