namespace Vision.Models;

/// <summary>
/// Finds the ONNX file and manifest for a configured <c>detector.model</c>: a bare name such as <c>yolox_nano</c>
/// (manifest <c>yolox_nano.yaml</c>, then the manifest's <c>file</c>, each searched in all models folders) or a path to a .onnx file.
/// </summary>
public static class ModelLocator
{
    /// <summary>Environment variable listing extra models folders, ':'-separated, searched first.</summary>
    public const string EnvironmentVariable = "VISION_MODELS";

    /// <summary>The models folders in search order: each entry of VISION_MODELS, <c>./models</c>, then <c>models</c> beside the application.</summary>
    public static IReadOnlyList<string> DefaultSearchDirectories()
    {
        var dirs = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            foreach (var entry in fromEnvironment.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                AddOnce(dirs, entry);
        }
        AddOnce(dirs, "models");
        AddOnce(dirs, Path.Combine(AppContext.BaseDirectory, "models"));
        return dirs;
    }

    /// <summary>Resolves <paramref name="model"/> (and an optional explicit <paramref name="manifest"/> path) to absolute file paths.</summary>
    /// <exception cref="ModelLoadException">The model, its manifest or the manifest's file is not found, or the manifest is malformed.</exception>
    public static ModelLocation Resolve(string model, string? manifest, IReadOnlyList<string> searchDirs)
    {
        ArgumentNullException.ThrowIfNull(searchDirs);
        if (string.IsNullOrWhiteSpace(model))
            throw new ModelLoadException("detector.model is empty; set it to a model name such as yolox_nano, or to the path of a .onnx file");
        model = model.Trim();

        string? manifestPath = null;
        if (!string.IsNullOrWhiteSpace(manifest))
        {
            manifestPath = FindFile(manifest, searchDirs)
                ?? throw new ModelLoadException($"detector.manifest '{manifest}' was not found (looked in: {LookedIn(manifest, searchDirs)}); check the path");
        }

        if (IsPath(model))
        {
            var onnx = FindFile(model, searchDirs)
                ?? throw new ModelLoadException($"model '{model}' was not found (looked in: {LookedIn(model, searchDirs)}); {Advice(Path.GetFileName(model))}");
            if (manifestPath is null)
            {
                var yaml = Path.GetFileNameWithoutExtension(onnx) + ".yaml";
                var beside = Path.Combine(Path.GetDirectoryName(onnx)!, yaml);
                manifestPath = File.Exists(beside) ? beside : FindInDirectories(yaml, searchDirs);
                if (manifestPath is null)
                {
                    var looked = DisplayPath.List(new[] { Path.GetDirectoryName(onnx)! }.Concat(searchDirs).Distinct());
                    throw new ModelLoadException(
                        $"model {DisplayPath.Of(onnx)} has no manifest: {yaml} was not found (looked in: {looked}); " +
                        $"write {yaml} beside the model (see models/yolox_nano.yaml) or set detector.manifest");
                }
            }
            return new ModelLocation(onnx, manifestPath);
        }

        if (manifestPath is null)
        {
            var yaml = model + ".yaml";
            manifestPath = FindInDirectories(yaml, searchDirs)
                ?? throw new ModelLoadException(
                    $"model '{model}': no manifest {yaml} in the models folders (looked in: {DisplayPath.List(searchDirs)}); " +
                    $"put {yaml} in one of them (see models/yolox_nano.yaml) and {Advice(model + ".onnx")}");
        }
        var parsed = ManifestParser.ParseFile(manifestPath);
        return new ModelLocation(FindModelFile(parsed.File, manifestPath, searchDirs), manifestPath);
    }

    /// <summary>Resolves the model like <see cref="Resolve"/> and loads its manifest, with the model file it resolved to.</summary>
    public static DetectorManifest LoadManifest(string model, string? manifest, IReadOnlyList<string> searchDirs)
    {
        var location = Resolve(model, manifest, searchDirs);
        return DetectorManifest.Load(location.ManifestPath, searchDirs, location.OnnxPath);
    }

    /// <summary>A manifest's <c>file</c>: relative to the manifest's folder, then each search directory.</summary>
    internal static string FindModelFile(string file, string manifestPath, IReadOnlyList<string> searchDirs)
    {
        var folders = new List<string>();
        if (Path.IsPathRooted(file))
        {
            if (File.Exists(file)) return Path.GetFullPath(file);
            folders.Add(Path.GetDirectoryName(file)!);
        }
        else
        {
            folders.Add(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);
            folders.AddRange(searchDirs);
            foreach (var folder in folders)
            {
                var candidate = Path.Combine(folder, file);
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            }
        }
        throw new ModelLoadException(
            $"{DisplayPath.Of(manifestPath)}: file '{file}' was not found (looked in: {DisplayPath.List(folders.Distinct())}); {Advice(Path.GetFileName(file))}");
    }

    /// <summary>What to tell a user whose model file is missing.</summary>
    internal static string Advice(string onnxFileName)
    {
        var where = onnxFileName.StartsWith("yolox", StringComparison.OrdinalIgnoreCase)
            ? "get YOLOX-Nano from the YOLOX release page; see README"
            : "see README";
        return $"set {EnvironmentVariable} to the folder holding {onnxFileName} ({where})";
    }

    private static bool IsPath(string model) =>
        model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || model.Contains('/') || model.Contains(Path.DirectorySeparatorChar);

    private static string? FindFile(string path, IReadOnlyList<string> searchDirs)
    {
        if (File.Exists(path)) return Path.GetFullPath(path);
        return Path.IsPathRooted(path) ? null : FindInDirectories(path, searchDirs);
    }

    private static string? FindInDirectories(string relativePath, IReadOnlyList<string> searchDirs)
    {
        foreach (var dir in searchDirs)
        {
            var candidate = Path.Combine(dir, relativePath);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static string LookedIn(string path, IReadOnlyList<string> searchDirs) =>
        Path.IsPathRooted(path)
            ? DisplayPath.Of(Path.GetDirectoryName(path)!)
            : DisplayPath.List(new[] { Environment.CurrentDirectory }.Concat(searchDirs).Distinct());

    private static void AddOnce(List<string> dirs, string dir)
    {
        var full = Path.GetFullPath(dir);
        if (!dirs.Contains(full, StringComparer.Ordinal)) dirs.Add(full);
    }
}
