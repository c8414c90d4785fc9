namespace Vision.Models;

/// <summary>How a path is written in a user-facing message: relative to the working folder when it lies below it, else absolute.</summary>
internal static class DisplayPath
{
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }

    public static string List(IEnumerable<string> paths) => string.Join(", ", paths.Select(Of));
}
