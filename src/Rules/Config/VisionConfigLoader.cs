using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vision.Rules.Config;

/// <summary>Reads a vision.yaml into a validated <see cref="VisionConfig"/>, or throws one <see cref="ConfigException"/> listing every mistake with file, line and key path.</summary>
public static class VisionConfigLoader
{
    /// <summary>Loads and validates the config file at <paramref name="path"/>.</summary>
    public static VisionConfig Load(string path) => Load(path, null);

    /// <summary>
    /// Loads and validates the config file at <paramref name="path"/>, reading the files it includes (cameras'
    /// <c>zones_file</c>) from <paramref name="includedTexts"/> (by full path) where given instead of from disk: how an
    /// editor checks a change with exactly the loader's rules before it writes the file.
    /// </summary>
    public static VisionConfig Load(string path, IReadOnlyDictionary<string, string>? includedTexts)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string yaml = UserFile.ReadText(path, "config file", "pass the path of your vision.yaml (samples/vision.yaml is a starting point)");
        return Parse(yaml, path, Path.GetFullPath(path), new ConfigIncludes(includedTexts));
    }

    /// <summary>Parses and validates config text; <paramref name="fileName"/> is what error messages and <see cref="VisionConfig.SourcePath"/> call it.</summary>
    public static VisionConfig Parse(string yaml, string fileName) => Parse(yaml, fileName, fileName, new ConfigIncludes(null));

    private static VisionConfig Parse(string yaml, string fileName, string sourcePath, ConfigIncludes includes)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);

        var stream = ReadYaml(yaml, fileName);
        var reader = new YamlConfigReader(fileName);
        if (stream.Documents.Count == 0)
            throw new ConfigException([new ConfigError(new ConfigLocation(fileName, 1, 1), "", "the file is empty; a config needs at least 'detector' and 'cameras' (see samples/vision.yaml)")]);
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ConfigException([new ConfigError(reader.At(second), "", "the file holds more than one YAML document ('---'); put the whole config in one document")]);
        }

        var config = new VisionConfigMapper(reader, sourcePath, includes).Map(stream.Documents[0].RootNode);
        if (reader.Errors.Count > 0 || config is null)
        {
            var errors = reader.Errors;
            // The config file's errors first, then each included file's, each in line order.
            errors.Sort((a, b) =>
            {
                int byFile = (a.Location.File != fileName).CompareTo(b.Location.File != fileName);
                if (byFile != 0) return byFile;
                byFile = string.CompareOrdinal(a.Location.File, b.Location.File);
                if (byFile != 0) return byFile;
                return a.Location.Line != b.Location.Line ? a.Location.Line.CompareTo(b.Location.Line) : a.Location.Column.CompareTo(b.Location.Column);
            });
            throw new ConfigException(errors.Count > 0 ? errors : [new ConfigError(new ConfigLocation(fileName, 0, 0), "", "the config could not be read")]);
        }
        return config;
    }

    /// <summary>The YAML documents of a file's text; a syntax error is a <see cref="ConfigException"/> naming the file, line and column.</summary>
    internal static YamlStream ReadYaml(string yaml, string fileName)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw SyntaxError(yaml, fileName, e.Start, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet throws these for some malformed input; the scanner still knows where it stopped.
            throw SyntaxError(yaml, fileName, scanner.CurrentPosition, "the parser could not make sense of the text here (check brackets, quotes and indentation)");
        }
        return stream;
    }

    internal static ConfigException SyntaxError(string yaml, string fileName, Mark start, string message)
    {
        var location = new ConfigLocation(fileName, (int)Math.Min(start.Line, int.MaxValue), (int)Math.Min(start.Column, int.MaxValue));
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndentedLine(yaml) is int tabLine)
            return new ConfigException([new ConfigError(new ConfigLocation(fileName, tabLine, 1), "", "YAML syntax error: a tab is used for indentation; YAML indents with spaces only")]);
        if (message.StartsWith("Duplicate key", StringComparison.Ordinal))
        {
            var key = message["Duplicate key".Length..].Trim();
            return new ConfigException([new ConfigError(location, "", $"YAML syntax error: duplicate key '{key}'; each key may appear once in a mapping")]);
        }
        var text = message.TrimEnd('.');
        return new ConfigException([new ConfigError(location, "", $"YAML syntax error: {text}; check indentation, brackets and quotes on this line and the one before")]);
    }

    private static int? FirstTabIndentedLine(string yaml)
    {
        int line = 1;
        bool atIndent = true;
        foreach (char c in yaml)
        {
            if (c == '\n') { line++; atIndent = true; continue; }
            if (!atIndent) continue;
            if (c == '\t') return line;
            if (c != ' ') atIndent = false;
        }
        return null;
    }
}
