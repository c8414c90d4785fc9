using System.Globalization;
using System.Text;
using Vision.Rules.Config;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>Writes what a tune found: the table (top rows on the terminal, every row in tune.md and tune.csv), the best settings and the timings.</summary>
internal static class TuneReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The terminal text: top <paramref name="top"/> rows, best per rule, per clip and overall, the YAML of the best, timings.</summary>
    public static string Summary(TuneResult result, int top)
    {
        var text = new StringBuilder();
        text.AppendLine(Inv, $"tune: {result.Rows.Count} setting(s) over {result.Clips.Count} clip(s), best first (F1, then precision):");
        AppendTable(text, result, result.Rows.Take(top), markdown: false);
        if (result.Rows.Count > top) text.AppendLine(Inv, $"  … {result.Rows.Count - top} more rows in tune.md / tune.csv");
        foreach (var (setting, why) in result.Skipped.Take(5)) text.AppendLine(Inv, $"  skipped {setting.Describe()}: {why}");
        if (result.Skipped.Count > 5) text.AppendLine(Inv, $"  … and {result.Skipped.Count - 5} more skipped");
        text.AppendLine();
        AppendBest(text, result);
        text.AppendLine();
        text.Append(Timings(result));
        return text.ToString();
    }

    public static string Markdown(TuneResult result)
    {
        var text = new StringBuilder();
        text.AppendLine("# vision tune");
        text.AppendLine();
        text.AppendLine(Inv, $"Clips: {string.Join(", ", result.Clips.Select(c => c.Name))}. Rows best first (F1, then precision).");
        text.AppendLine();
        AppendTable(text, result, result.Rows, markdown: true);
        text.AppendLine();
        text.AppendLine("```");
        AppendBest(text, result);
        text.AppendLine();
        text.Append(Timings(result));
        text.AppendLine("```");
        return text.ToString();
    }

    /// <summary>Every row: the swept values, then TP FP FN P R F1 overall, then TP FP FN per rule and per clip.</summary>
    public static string Csv(TuneResult result)
    {
        var text = new StringBuilder();
        var header = result.Grid.Axes.Select(a => a.Key).Concat(["tp", "fp", "fn", "precision", "recall", "f1"])
            .Concat(result.RuleIds.SelectMany(r => new[] { $"{r}.tp", $"{r}.fp", $"{r}.fn", $"{r}.f1" }))
            .Concat(result.Clips.SelectMany(c => new[] { $"{c.Name}.tp", $"{c.Name}.fp", $"{c.Name}.fn", $"{c.Name}.f1" }));
        text.AppendLine(string.Join(',', header.Select(CsvField)));
        foreach (var row in result.Rows)
        {
            var fields = new List<string>();
            for (int i = 0; i < result.Grid.Axes.Count; i++) fields.Add(row.Setting.ValueOf(i).Text);
            AddScore(fields, row.Overall, withRates: true);
            foreach (var rule in result.RuleIds) AddScore(fields, row.ForRule(rule), withRates: false);
            for (int c = 0; c < result.Clips.Count; c++) AddScore(fields, row.ForClip(c), withRates: false);
            text.AppendLine(string.Join(',', fields.Select(CsvField)));
        }
        return text.ToString();

        static void AddScore(List<string> fields, RuleScore s, bool withRates)
        {
            fields.Add(s.Hits.ToString(Inv));
            fields.Add(s.FalseCases.ToString(Inv));
            fields.Add(s.Misses.ToString(Inv));
            if (withRates)
            {
                fields.Add(Rate(s.Precision, ""));
                fields.Add(Rate(s.Recall, ""));
            }
            fields.Add(Rate(s.F1, ""));
        }
    }

    /// <summary>The best overall setting as config YAML to paste: only the swept keys, under the cameras and rules they changed.</summary>
    public static string BestYaml(TuneResult result)
    {
        if (result.Rows.Count == 0 || result.Grid.Axes.Count == 0) return "";
        var best = result.Rows[0].Setting;
        var text = new StringBuilder();
        var trackerKeys = Indices(best, SweepTarget.Tracker);
        if (trackerKeys.Count > 0)
        {
            text.AppendLine("tracker:");
            foreach (int i in trackerKeys) text.AppendLine(Inv, $"  {best.Axes[i].Name}: {best.ValueOf(i).Text}");
        }
        var analysisKeys = Indices(best, SweepTarget.Analysis);
        var ruleKeys = Indices(best, SweepTarget.Rule);
        var cameras = result.Clips.GroupBy(c => c.Camera.Id, StringComparer.Ordinal).ToList();
        if (analysisKeys.Count == 0 && ruleKeys.Count == 0) return text.ToString();
        text.AppendLine("cameras:");
        foreach (var camera in cameras)
        {
            var labelled = camera.SelectMany(c => c.LabelledRules).ToHashSet(StringComparer.Ordinal);
            text.AppendLine(Inv, $"  - id: {camera.Key}");
            var own = camera.First().Camera;
            if (AnalysisYaml(best, analysisKeys, own.Analysis) is { Length: > 0 } analysis)
                text.AppendLine(Inv, $"    analysis: {{ {analysis} }}");
            var rules = own.Rules;
            var lines = new List<string>();
            foreach (var rule in rules)
            {
                // A rule-specific value wins over one for every labelled rule, as in the sweep.
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (int i in ruleKeys)
                    if (best.Axes[i].RuleId is null && labelled.Contains(rule.Id)) values[best.Axes[i].Name] = best.ValueOf(i).Text;
                foreach (int i in ruleKeys)
                    if (best.Axes[i].RuleId == rule.Id) values[best.Axes[i].Name] = best.ValueOf(i).Text;
                if (values.Count == 0) continue;
                lines.Add($"      - id: {rule.Id}");
                foreach (var (key, value) in values) lines.Add($"        {key}: {value}");
            }
            if (lines.Count > 0)
            {
                text.AppendLine("    rules:");
                foreach (var line in lines) text.AppendLine(line);
            }
        }
        return text.ToString();
    }

    /// <summary>"tiles 2x1 over the zones, overlap 0.2" or "no tiles".</summary>
    public static string DescribeTiles(TilesConfig? tiles) => tiles is null ? "no tiles"
        : string.Create(Inv, $"tiles {tiles.Grid} over the {AreaName(tiles.Area)}, overlap {tiles.Overlap:0.##}");

    /// <summary>
    /// "fps: 1, tiles: { grid: 2x1, overlap: 0.2, area: zones }" for the swept analysis keys; tiles off is "tiles: ~" where
    /// the camera has tiles to remove, and nothing where it has none.
    /// </summary>
    private static string AnalysisYaml(SweepSetting best, List<int> analysisKeys, AnalysisConfig own)
    {
        var entries = new List<string>();
        var analysis = best.ApplyTo(own);
        foreach (int i in analysisKeys)
        {
            if (best.Axes[i].Name != "tiles") entries.Add($"{best.Axes[i].Name}: {best.ValueOf(i).Text}");
            else if (analysis.Tiles is { } tiles)
                entries.Add(string.Create(Inv, $"tiles: {{ grid: {tiles.Grid}, overlap: {tiles.Overlap:0.##}, area: {AreaName(tiles.Area)} }}"));
            else if (own.Tiles is not null) entries.Add("tiles: ~");
        }
        return string.Join(", ", entries);
    }

    private static string AreaName(TileArea area) => area == TileArea.Zones ? "zones" : "frame";

    public static string Timings(TuneResult result)
    {
        var text = new StringBuilder();
        text.AppendLine("timings (decode + detect once per clip and detection setting, then tracking + rules only):");
        foreach (var pass in result.Detections)
        {
            text.AppendLine(Inv, $"  detect {pass.Clip.Name} at {pass.Analysis.Fps:0.##} fps, {DescribeTiles(pass.Analysis.Tiles)}: {pass.Frames} frames, {pass.Elapsed.TotalSeconds:0.0} s{(pass.Cached ? " (then; read from the cache now)" : "")}");
        }
        double replay = result.OneReplay.TotalSeconds, sweep = result.SweepTime.TotalSeconds;
        int settings = result.Rows.Count + result.Skipped.Count;
        text.AppendLine(Inv, $"  one replay of the {result.Clips.Count} clip(s): {replay:0.00} s");
        text.AppendLine(Inv, $"  re-run of {settings} setting(s) × {result.Clips.Count} clip(s): {sweep:0.000} s ({1000 * sweep / Math.Max(1, settings):0.00} ms a setting)");
        double detection = result.Detections.Sum(d => d.Elapsed.TotalSeconds);
        int passes = result.Detections.Select(d => d.Setting).Distinct().Count();
        if (replay > 0)
            text.AppendLine(Inv, $"  {settings}-setting sweep vs one replay: sweep / replay = {sweep / replay:0.000}; {passes} detection pass(es) + sweep = {(detection + sweep) / replay:0.000} × one replay");
        return text.ToString();
    }

    private static void AppendBest(StringBuilder text, TuneResult result)
    {
        if (result.Rows.Count == 0)
        {
            text.AppendLine("no setting could be scored");
            return;
        }
        foreach (var rule in result.RuleIds)
        {
            var best = result.Rows.OrderBy(r => r, Comparer<TuneRow>.Create((a, b) => TuneRunner.Compare(a.ForRule(rule), b.ForRule(rule)))).First();
            text.AppendLine(Inv, $"best for rule {rule}: {best.Setting.Describe()}  ({Scores(best.ForRule(rule))})");
        }
        for (int c = 0; c < result.Clips.Count; c++)
        {
            int clip = c;
            var best = result.Rows.OrderBy(r => r, Comparer<TuneRow>.Create((a, b) => TuneRunner.Compare(a.ForClip(clip), b.ForClip(clip)))).First();
            text.AppendLine(Inv, $"best for clip {result.Clips[c].Name}: {best.Setting.Describe()}  ({Scores(best.ForClip(c))})");
        }
        text.AppendLine(Inv, $"best overall: {result.Rows[0].Setting.Describe()}  ({Scores(result.Rows[0].Overall)})");
        string yaml = BestYaml(result);
        if (yaml.Length > 0)
        {
            text.AppendLine("best overall as config (paste over the matching keys):");
            foreach (var line in yaml.TrimEnd().Split('\n')) text.AppendLine("  " + line);
        }
    }

    private static string Scores(RuleScore s) => $"TP {s.Hits} FP {s.FalseCases} FN {s.Misses} P {Rate(s.Precision)} R {Rate(s.Recall)} F1 {Rate(s.F1)}";

    private static void AppendTable(StringBuilder text, TuneResult result, IEnumerable<TuneRow> rows, bool markdown)
    {
        var headers = result.Grid.Axes.Select(a => a.Key).DefaultIfEmpty("setting").Concat(["TP", "FP", "FN", "P", "R", "F1"]).ToList();
        var cells = new List<List<string>>();
        foreach (var row in rows)
        {
            var line = new List<string>();
            if (result.Grid.Axes.Count == 0) line.Add(row.Setting.Describe());
            for (int i = 0; i < result.Grid.Axes.Count; i++) line.Add(row.Setting.ValueOf(i).Text);
            var s = row.Overall;
            line.AddRange([s.Hits.ToString(Inv), s.FalseCases.ToString(Inv), s.Misses.ToString(Inv), Rate(s.Precision), Rate(s.Recall), Rate(s.F1)]);
            cells.Add(line);
        }
        if (markdown)
        {
            text.AppendLine("| " + string.Join(" | ", headers) + " |");
            text.AppendLine("|" + string.Concat(headers.Select(_ => " --- |")));
            foreach (var line in cells) text.AppendLine("| " + string.Join(" | ", line) + " |");
            return;
        }
        var widths = headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToList();
        text.AppendLine("  " + string.Join("  ", headers.Select((h, i) => h.PadLeft(widths[i]))));
        foreach (var line in cells) text.AppendLine("  " + string.Join("  ", line.Select((v, i) => v.PadLeft(widths[i]))));
    }

    private static List<int> Indices(SweepSetting setting, SweepTarget target)
    {
        var indices = new List<int>();
        for (int i = 0; i < setting.Axes.Count; i++) if (setting.Axes[i].Target == target) indices.Add(i);
        return indices;
    }

    private static string Rate(double v) => Rate(v, "–");

    private static string Rate(double v, string none) => double.IsNaN(v) ? none : v.ToString("0.00", Inv);

    private static string CsvField(string v) => v.Contains(',') || v.Contains('"') ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
}
