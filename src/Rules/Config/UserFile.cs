namespace Vision.Rules.Config;

/// <summary>A file the user named (a config, a truth file): its text, or a <see cref="ConfigException"/> that names it and says what to do.</summary>
internal static class UserFile
{
    /// <summary>The text of <paramref name="path"/>; <paramref name="kind"/> names it in a refusal ("config file"), <paramref name="remedy"/> says what to pass instead when it does not exist.</summary>
    public static string ReadText(string path, string kind, string remedy)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Fail(path, $"{kind} not found: '{Path.GetFullPath(path)}'; {remedy}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            throw Fail(path, $"cannot read {kind} '{Path.GetFullPath(path)}': {e.Message}");
        }
    }

    private static ConfigException Fail(string path, string message) =>
        new([new ConfigError(new ConfigLocation(path, 0, 0), "", message)]);
}
