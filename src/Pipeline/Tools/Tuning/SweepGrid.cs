using System.Globalization;
using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>One combination of the swept values: one row of the tune table.</summary>
internal sealed class SweepSetting(IReadOnlyList<SweepAxis> axes, int[] choice)
{
    public IReadOnlyList<SweepAxis> Axes => axes;

    public SweepValue ValueOf(int axis) => axes[axis].Values[choice[axis]];

    /// <summary>The analysis rate this setting detects at; null: each camera's own.</summary>
    public double? Fps
    {
        get
        {
            for (int i = 0; i < axes.Count; i++)
                if (axes[i].Target == SweepTarget.Analysis && axes[i].Name == "fps") return ValueOf(i).Number;
            return null;
        }
    }

    /// <summary>"analysis.fps=1 analysis.tiles=2x1": only the values that change detection, "" with none; settings alike in it share a detection pass.</summary>
    public string DescribeDetection() => string.Join(' ', axes.Select((a, i) => (a, i)).Where(x => x.a.ChangesDetection).Select(x => $"{x.a.Key}={ValueOf(x.i).Text}"));

    /// <summary>
    /// The analysis with this setting's rate and tiles. A tiles grid keeps the camera's own overlap and area, or takes the
    /// loader's defaults when the camera has no tiles; off removes them.
    /// </summary>
    public AnalysisConfig ApplyTo(AnalysisConfig analysis)
    {
        for (int i = 0; i < axes.Count; i++)
        {
            if (axes[i].Target != SweepTarget.Analysis) continue;
            var value = ValueOf(i);
            analysis = axes[i].Name switch
            {
                "fps" => analysis with { Fps = value.Number },
                "tiles" => analysis with { Tiles = WithGrid(analysis.Tiles, value.TileGrid) },
                _ => throw new InvalidOperationException($"analysis key {axes[i].Name} has no setter"),
            };
        }
        return analysis;
    }

    /// <summary>Why the loader would refuse <paramref name="camera"/>'s tiles (a 1x1 grid over the frame, zones' area without zones); null when it would not.</summary>
    public static string? InvalidTiles(CameraConfig camera) => camera.Analysis.Tiles switch
    {
        { Count: 1, Area: TileArea.Frame } => TilesConfig.WholeFrameGrid,
        { Area: TileArea.Zones } when camera.Zones.Count == 0 => "its tiles' area " + TilesConfig.AreaWithoutZones,
        _ => null,
    };

    private static TilesConfig? WithGrid(TilesConfig? own, (int Columns, int Rows)? grid) => grid is not { } g ? null
        : own is null ? new TilesConfig { Columns = g.Columns, Rows = g.Rows }
        : own with { Columns = g.Columns, Rows = g.Rows };

    /// <summary>"rule.dwell=10s tracker.high_score=0.3"; "(config as is)" with nothing swept.</summary>
    public string Describe() => axes.Count == 0 ? "(config as is)" : string.Join(' ', axes.Select((a, i) => $"{a.Key}={ValueOf(i).Text}"));

    /// <summary>
    /// The camera with this setting's rule values: a <c>rule.KEY</c> on every rule in <paramref name="labelledRules"/>, a
    /// <c>rule.&lt;id&gt;.KEY</c> on that rule only (after the others, so it wins).
    /// </summary>
    public CameraConfig ApplyTo(CameraConfig camera, IReadOnlyCollection<string> labelledRules)
    {
        bool any = false;
        for (int i = 0; i < axes.Count && !any; i++) any = axes[i].Target == SweepTarget.Rule;
        if (!any) return camera;
        var rules = new RuleDefinition[camera.Rules.Count];
        for (int r = 0; r < rules.Length; r++)
        {
            var rule = camera.Rules[r];
            foreach (bool specific in (ReadOnlySpan<bool>)[false, true])
            {
                for (int i = 0; i < axes.Count; i++)
                {
                    var axis = axes[i];
                    if (axis.Target != SweepTarget.Rule || (axis.RuleId is not null) != specific) continue;
                    if (specific ? axis.RuleId != rule.Id : !labelledRules.Contains(rule.Id)) continue;
                    rule = With(rule, axis.Name, ValueOf(i).Number);
                }
            }
            rules[r] = rule;
        }
        return camera with { Rules = rules };
    }

    public TrackerConfig ApplyTo(TrackerConfig tracker)
    {
        for (int i = 0; i < axes.Count; i++)
        {
            if (axes[i].Target != SweepTarget.Tracker) continue;
            double v = ValueOf(i).Number;
            tracker = axes[i].Name switch
            {
                "high_score" => tracker with { HighScore = (float)v },
                "low_score" => tracker with { LowScore = (float)v },
                "match_iou" => tracker with { MatchIou = (float)v },
                "lost_timeout" => tracker with { LostTimeout = TimeSpan.FromSeconds(v) },
                _ => throw new InvalidOperationException($"tracker key {axes[i].Name} has no setter"),
            };
        }
        return tracker;
    }

    /// <summary>Why the loader would refuse this setting's tracker (low_score not below high_score); null when it would not.</summary>
    public static string? Invalid(TrackerConfig tracker) =>
        tracker.LowScore < tracker.HighScore ? null : string.Create(CultureInfo.InvariantCulture,
            $"low_score ({tracker.LowScore}) must be below high_score ({tracker.HighScore})");

    private static RuleDefinition With(RuleDefinition rule, string name, double v) => name switch
    {
        "min_confidence" => rule with { MinConfidence = (float)v },
        "dwell" => rule with { Dwell = TimeSpan.FromSeconds(v) },
        "max_motion" => rule with { MaxMotion = (float)v },
        "near_distance" => rule with { NearDistance = (float)v },
        _ => throw new InvalidOperationException($"rule key {name} has no setter"),
    };
}

/// <summary>The sweep: every combination of the axes' values (their cartesian product), refused beyond <see cref="MaxCombinations"/>.</summary>
internal sealed class SweepGrid
{
    public const int MaxCombinations = 5000;

    private SweepGrid(IReadOnlyList<SweepAxis> axes, IReadOnlyList<SweepSetting> settings)
    {
        Axes = axes;
        Settings = settings;
    }

    public IReadOnlyList<SweepAxis> Axes { get; }
    public IReadOnlyList<SweepSetting> Settings { get; }

    public static SweepGrid Create(IReadOnlyList<SweepAxis> axes)
    {
        for (int i = 0; i < axes.Count; i++)
            for (int j = 0; j < i; j++)
                if (axes[i].Key == axes[j].Key)
                    throw new UsageException($"{axes[i].Origin}: {axes[i].Key} is swept twice (also {axes[j].Origin}): give its values once");
        long count = 1;
        foreach (var axis in axes) count *= axis.Values.Count;
        if (count > MaxCombinations)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"the sweep has {count} combinations ({string.Join(" × ", axes.Select(a => $"{a.Values.Count} {a.Key}"))}), more than {MaxCombinations}: give fewer values"));

        var settings = new List<SweepSetting>((int)count);
        var choice = new int[axes.Count];
        for (long n = 0; n < count; n++)
        {
            settings.Add(new SweepSetting(axes, (int[])choice.Clone()));
            // The last axis varies fastest, like nested loops written in the order the axes were given.
            for (int i = axes.Count - 1; i >= 0; i--)
            {
                if (++choice[i] < axes[i].Values.Count) break;
                choice[i] = 0;
            }
        }
        return new SweepGrid(axes, settings);
    }

    /// <summary>
    /// Axes from a grid file: a YAML mapping of keys as for <c>--set</c> to a list of values (or one value), e.g.
    /// <c>rule.dwell: [10s, 20s]</c>.
    /// </summary>
    public static List<SweepAxis> ReadFile(string path)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--grid {path}: cannot read it ({e.Message})");
        }
        catch (YamlException e)
        {
            throw new UsageException($"{path}:{e.Start.Line}:{e.Start.Column}: not valid YAML ({e.Message})");
        }
        var axes = new List<SweepAxis>();
        if (yaml.Documents.Count == 0) return axes;
        if (yaml.Documents[0].RootNode is not YamlMappingNode map)
            throw new UsageException($"{path}: a grid file is a mapping of keys to values, e.g. 'rule.dwell: [10s, 20s]'");
        foreach (var (keyNode, valueNode) in map.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            string origin = $"{path}:{keyNode.Start.Line}:{keyNode.Start.Column}";
            var values = valueNode switch
            {
                YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode s ? s.Value ?? "" : throw new UsageException($"{origin}: {key}: each value is a plain value")).ToList(),
                YamlScalarNode scalar => [scalar.Value ?? ""],
                _ => throw new UsageException($"{origin}: {key}: give a list of values, e.g. [10s, 20s]"),
            };
            axes.Add(SweepAxis.Parse(key, values, origin));
        }
        return axes;
    }
}
