namespace Vision.Rules.Config;

/// <summary>
/// The files one config includes (cameras' <c>zones_file</c>): their text, from the would-be texts an editor supplies
/// or else from disk, and the list of their full paths, which the hot reload watches beside the config file.
/// </summary>
internal sealed class ConfigIncludes(IReadOnlyDictionary<string, string>? replacedTexts)
{
    public List<string> Paths { get; } = [];

    /// <summary>The file's text; null with <paramref name="problem"/> saying why when it cannot be read.</summary>
    public string? Read(string fullPath, out string? problem)
    {
        if (!Paths.Contains(fullPath)) Paths.Add(fullPath);
        problem = null;
        if (replacedTexts is not null && replacedTexts.TryGetValue(fullPath, out var text)) return text;
        try
        {
            return File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = "not found";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            problem = $"cannot be read ({e.Message})";
        }
        return null;
    }
}
