using System.Text.Json;

namespace Vision.Pipeline.Tests.Deployment;

/// <summary>One build stage of a Dockerfile: its base image, its name (AS …) and its instructions in order.</summary>
internal sealed record DockerfileStage(string BaseImage, string? Name, IReadOnlyList<(string Keyword, string Arguments)> Instructions)
{
    public IEnumerable<string> All(string keyword) =>
        Instructions.Where(i => i.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase)).Select(i => i.Arguments);

    /// <summary>The last instruction of this kind, in exec form (a JSON array), as Docker reads it.</summary>
    public IReadOnlyList<string> ExecForm(string keyword)
    {
        string text = All(keyword).LastOrDefault() ?? throw new Xunit.Sdk.XunitException($"the stage FROM {BaseImage} has no {keyword}");
        return JsonSerializer.Deserialize<string[]>(text) ?? throw new Xunit.Sdk.XunitException($"{keyword} {text} is not in exec form");
    }
}

/// <summary>Splits a Dockerfile into stages and instructions: line continuations joined, comments and blank lines dropped.</summary>
internal static class DockerfileInstructions
{
    public static IReadOnlyList<DockerfileStage> Stages(string text)
    {
        var stages = new List<DockerfileStage>();
        List<(string, string)>? current = null;
        foreach (var (keyword, arguments) in Instructions(text))
        {
            if (keyword.Equals("FROM", StringComparison.OrdinalIgnoreCase))
            {
                var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                current = [];
                stages.Add(new DockerfileStage(words[0], words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, current));
            }
            else
            {
                (current ?? throw new Xunit.Sdk.XunitException($"{keyword} before the first FROM")).Add((keyword, arguments));
            }
        }
        return stages;
    }

    private static IEnumerable<(string Keyword, string Arguments)> Instructions(string text)
    {
        string pending = "";
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0)) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            string whole = (pending + line).Trim();
            pending = "";
            if (whole.Length == 0) continue;
            int space = whole.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0 ? (whole, "") : (whole[..space], whole[(space + 1)..].Trim());
        }
    }
}
