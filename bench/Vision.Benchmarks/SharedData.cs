namespace Vision.Benchmarks;

/// <summary>
/// Finds the project root (the folder holding Vision.sln) and <c>../shared</c> beside it, where the real model and footage live.
/// Benchmarks that need them fail their setup with <see cref="MissingReason"/> when they are absent.
/// </summary>
internal static class SharedData
{
    public const string EnvironmentVariable = "VISION_SHARED";

    /// <summary>The folder holding Vision.sln, found by walking up from the benchmark executable (BenchmarkDotNet runs it from a generated folder under bin/).</summary>
    public static string ProjectRoot { get; } = FindProjectRoot();

    /// <summary>The shared folder, or null when it (or its model) is missing.</summary>
    public static string? Root { get; } = FindRoot();

    public static string MissingReason =>
        $"needs ../shared (models/yolox_nano.onnx and footage/*.mp4) beside the project root {ProjectRoot}; " +
        $"put it there or set {EnvironmentVariable} to its path";

    /// <summary>The shared folder; throws with <see cref="MissingReason"/> (printed first, so it shows in the run log) when absent.</summary>
    public static string Require()
    {
        if (Root is not null) return Root;
        Console.WriteLine("// skipped: " + MissingReason);
        throw new InvalidOperationException(MissingReason);
    }

    /// <summary>A footage file under shared/footage; throws saying which file is missing.</summary>
    public static string Footage(string fileName)
    {
        var path = Path.Combine(Require(), "footage", fileName);
        if (File.Exists(path)) return path;
        var reason = $"footage file {path} is missing; " + MissingReason;
        Console.WriteLine("// skipped: " + reason);
        throw new FileNotFoundException(reason, path);
    }

    private static string? FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment) && HasModel(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        var candidate = Path.GetFullPath(Path.Combine(ProjectRoot, "..", "shared"));
        return HasModel(candidate) ? candidate : null;
    }

    private static bool HasModel(string folder) => File.Exists(Path.Combine(folder, "models", "yolox_nano.onnx"));

    private static string FindProjectRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vision.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"cannot find Vision.sln in any folder above {AppContext.BaseDirectory}; run the benchmarks from a checkout of the project");
    }
}
