using System.Globalization;
using System.Text.Json;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Config;
using YamlDotNet.RepresentationModel;

namespace Vision.TileBench;

/// <summary>
/// One clip replayed (the real `vision replay` path, evidence included) once per variant: the whole frame alone and each
/// tile grid given, each with the rules' confidence hold as configured and turned off (hold_confidence = min_confidence).
/// Per variant, from the replay's trace: detections of the first rule's classes whose anchor lies in its zones, per frame
/// (all, and at or above min_confidence), their mean score; cases raised; detector ms per frame (tiles included).
/// Usage: dotnet run -c Release --project bench/Vision.TileBench -- CONFIG VIDEO [--grids 2x1,3x1] [--overlap 0.2] [--area zones|frame] [--no-hold-off]
/// </summary>
public static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 2 || args[0].StartsWith('-') || args[1].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: Vision.TileBench CONFIG VIDEO [--grids 2x1,3x1] [--overlap 0.2] [--area zones|frame] [--no-hold-off]");
            return 2;
        }
        string configPath = Path.GetFullPath(args[0]), video = Path.GetFullPath(args[1]);
        var config = VisionConfigLoader.Load(configPath);
        var camera = config.Cameras[0];
        var rule = camera.Rules[0];
        string overlap = Arg(args, "--overlap", "0.2"), area = Arg(args, "--area", "zones");
        var grids = new List<string?> { null };
        grids.AddRange(Arg(args, "--grids", "2x1,3x1").Split(',', StringSplitOptions.RemoveEmptyEntries));
        bool[] holds = args.Contains("--no-hold-off") ? [true] : [true, false];

        string work = Path.Combine(Path.GetTempPath(), $"tilebench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        Console.WriteLine(string.Create(Inv, $"{Path.GetFileName(video)}, camera {camera.Id}, {camera.Analysis.Fps} fps, rule {rule.Id} (min_confidence {rule.MinConfidence}, hold {rule.HoldConfidence})"));
        Console.WriteLine("tiles           hold  frames  in-zone/frame  >=min/frame  mean score  cases  detect ms/frame");
        int n = 0;
        foreach (var grid in grids)
        {
            foreach (bool hold in holds)
            {
                string dir = Path.Combine(work, (n++).ToString(Inv));
                Directory.CreateDirectory(dir);
                string variantPath = Path.Combine(dir, "vision.yaml");
                WriteVariant(configPath, variantPath, config, grid is null ? null : $"{{ grid: {grid}, overlap: {overlap}, area: {area} }}", hold);
                string trace = Path.Combine(dir, "trace.jsonl");
                var summary = await ReplayRunner.RunAsync(new ReplayOptions(variantPath, video, null, Path.Combine(dir, "out"), null, null, trace), null, CancellationToken.None);
                var (frames, inZone, confident, meanScore) = CountInZone(trace, camera, rule, summary.FrameWidth, summary.FrameHeight);
                double detectMs = summary.Timings.Total(Stage.Detection).TotalMilliseconds / Math.Max(1, summary.Timings.Items(Stage.Detection));
                string name = grid is null ? "whole frame" : $"{grid} {area}";
                Console.WriteLine(string.Create(Inv,
                    $"{name,-15} {(hold ? "on" : "off"),-5} {frames,6}  {inZone / (double)Math.Max(1, frames),13:F2}  {confident / (double)Math.Max(1, frames),11:F2}  {meanScore,10:F3}  {summary.Cases,5}  {detectMs,15:F1}"));
            }
        }
        Directory.Delete(work, recursive: true);
        return 0;
    }

    /// <summary>The config with the first camera's analysis.tiles set (or removed) and, for hold off, every rule's hold at its min_confidence.</summary>
    private static void WriteVariant(string source, string target, VisionConfig config, string? tiles, bool hold)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(source)) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var cameraNode = (YamlMappingNode)((YamlSequenceNode)root["cameras"]).Children[0];
        if (!cameraNode.Children.TryGetValue(new YamlScalarNode("analysis"), out var analysisNode))
            cameraNode.Add("analysis", analysisNode = new YamlMappingNode());
        var analysis = (YamlMappingNode)analysisNode;
        analysis.Children.Remove(new YamlScalarNode("tiles"));
        if (tiles is not null)
        {
            var tilesYaml = new YamlStream();
            tilesYaml.Load(new StringReader("t: " + tiles));
            analysis.Add("tiles", ((YamlMappingNode)tilesYaml.Documents[0].RootNode)["t"]);
        }
        if (!hold)
        {
            var rules = (YamlSequenceNode)cameraNode["rules"];
            for (int i = 0; i < rules.Children.Count; i++)
            {
                var ruleNode = (YamlMappingNode)rules.Children[i];
                ruleNode.Children.Remove(new YamlScalarNode("hold_confidence"));
                ruleNode.Add("hold_confidence", config.Cameras[0].Rules[i].MinConfidence.ToString("R", Inv));
            }
        }
        // Relative paths in the config (model, evidence) resolve from the working directory, as with vision replay.
        using var writer = new StreamWriter(target);
        yaml.Save(writer, assignAnchors: false);
    }

    private static (long Frames, long InZone, long Confident, double MeanScore) CountInZone(string trace, CameraConfig camera, RuleDefinition rule, int width, int height)
    {
        var zones = camera.Zones.Where(z => rule.ZoneIds.Contains(z.Id)).Select(z => z.Polygon).ToList();
        long frames = 0, inZone = 0, confident = 0;
        double scores = 0;
        foreach (var line in File.ReadLines(trace))
        {
            if (line.Length == 0) continue;
            frames++;
            using var doc = JsonDocument.Parse(line);
            foreach (var d in doc.RootElement.GetProperty("detections").EnumerateArray())
            {
                if (!rule.Classes.Contains(d.GetProperty("class").GetString()!)) continue;
                var box = d.GetProperty("box");
                double x = box[0].GetDouble(), y = box[1].GetDouble(), w = box[2].GetDouble(), h = box[3].GetDouble();
                double ax = (x + w / 2) / width, ay = (rule.Anchor == AnchorPoint.BottomCenter ? y + h : y + h / 2) / height;
                if (!zones.Any(z => z.Contains(ax, ay))) continue;
                double score = d.GetProperty("score").GetDouble();
                inZone++;
                scores += score;
                if (score >= rule.MinConfidence) confident++;
            }
        }
        return (frames, inZone, confident, inZone == 0 ? 0 : scores / inZone);
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
