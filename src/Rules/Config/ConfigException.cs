namespace Vision.Rules.Config;

/// <summary>Where in a config file a key or value was written.</summary>
public readonly record struct ConfigLocation(string File, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>One mistake in a config file: where, which key, what is wrong and what to do.</summary>
public sealed record ConfigError(ConfigLocation Location, string KeyPath, string Message)
{
    public override string ToString() =>
        string.IsNullOrEmpty(KeyPath) ? $"{Location}: {Message}" : $"{Location}: {KeyPath}: {Message}";
}

/// <summary>Thrown when a config file cannot be used; carries every mistake found, each with file, line and key.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }
}

/// <summary>Line/column of every key path read from a config file (e.g. <c>cameras[0].rules[1].classes[2]</c>), so checks made after loading can still point at the line.</summary>
public sealed class ConfigLocations
{
    private readonly Dictionary<string, ConfigLocation> _byPath = new(StringComparer.Ordinal);

    public ConfigLocations(string file) => File = file;

    public string File { get; }

    public void Add(string keyPath, ConfigLocation location) => _byPath[keyPath] = location;

    /// <summary>True when this exact key path was written in the file (not filled in by a default).</summary>
    public bool Contains(string keyPath) => _byPath.ContainsKey(keyPath);

    public ConfigLocation Find(string keyPath)
    {
        // Fall back to the nearest parent path that was recorded, then to the file itself.
        var path = keyPath;
        while (true)
        {
            if (_byPath.TryGetValue(path, out var location)) return location;
            int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0) return new ConfigLocation(File, 0, 0);
            path = path[..cut];
        }
    }
}
