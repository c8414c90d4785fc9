namespace Vision.TestSupport;

/// <summary>Finds <c>../shared</c> (real model and footage) beside the project root; tests that need it skip with a reason when it is absent.</summary>
public static class SharedData
{
    public static string? Root { get; } = FindRoot();

    public static bool Available => Root is not null;

    public const string MissingReason =
        "needs ../shared (models/yolox_nano.onnx and footage/*.mp4) beside the project root; set VISION_SHARED to its path";

    public static string ModelsDir => Path.Combine(Require(), "models");

    public static string Footage(string fileName) => Path.Combine(Require(), "footage", fileName);

    /// <summary>A public-domain roadside garbage photo from <c>../shared/garbage</c> (see its README).</summary>
    public static string Garbage(string fileName) => Path.Combine(Require(), "garbage", fileName);

    public static string ProjectRoot { get; } = FindProjectRoot();

    private static string Require() => Root ?? throw new InvalidOperationException(MissingReason);

    private static string? FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("VISION_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "models", "yolox_nano.onnx"))) return Path.GetFullPath(fromEnv);
        var candidate = Path.GetFullPath(Path.Combine(FindProjectRoot(), "..", "shared"));
        return File.Exists(Path.Combine(candidate, "models", "yolox_nano.onnx")) ? candidate : null;
    }

    private static string FindProjectRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vision.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Vision.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fact that needs ../shared; skipped with the reason when it is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
    }
}

/// <summary>A theory that needs ../shared; skipped with the reason when it is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
    }
}
