namespace Vision.Models;

/// <summary>A class-names file: one name per line, index = class id; looked up beside the manifest, beside the model, then in the search directories.</summary>
internal static class ClassNamesFile
{
    public static IReadOnlyList<string> Find(string fileName, string manifestPath, string modelPath, IReadOnlyList<string> searchDirectories)
    {
        var candidates = new List<string>();
        if (Path.IsPathRooted(fileName))
        {
            candidates.Add(fileName);
        }
        else
        {
            candidates.Add(Path.Combine(Path.GetDirectoryName(manifestPath)!, fileName));
            candidates.Add(Path.Combine(Path.GetDirectoryName(modelPath)!, fileName));
            foreach (var dir in searchDirectories) candidates.Add(Path.Combine(dir, fileName));
        }
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate)) return Read(candidate, manifestPath);
        }
        throw new ModelLoadException(
            $"{DisplayPath.Of(manifestPath)}: classes file '{fileName}' was not found (looked in: {DisplayPath.List(candidates.Select(c => Path.GetDirectoryName(c)!).Distinct())}); " +
            "put it beside the manifest or the model, or list the names inline (classes: [person, car])");
    }

    public static IReadOnlyList<string> Read(string path, string manifestPath)
    {
        var lines = File.ReadAllLines(path);
        int count = lines.Length;
        while (count > 0 && string.IsNullOrWhiteSpace(lines[count - 1])) count--;
        var shown = $"{DisplayPath.Of(manifestPath)}: classes file {DisplayPath.Of(path)}";
        if (count == 0)
            throw new ModelLoadException($"{shown} has no names; write one class name per line (index = class id)");
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = lines[i].Trim();
            if (names[i].Length == 0)
                throw new ModelLoadException($"{shown} line {i + 1} is empty; write one class name per line (index = class id) with no blank lines between names");
        }
        return names;
    }
}
