using System.Globalization;
using System.Text.RegularExpressions;
using Vision.Rules.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vision.Rules.Truth;

/// <summary>Reads a truth file (docs/truth.md) into a <see cref="TruthFile"/>, or throws one <see cref="ConfigException"/> listing every mistake with file, line and key path.</summary>
public static partial class TruthReader
{
    private static readonly string[] TopKeys = ["version", "clips"];
    private static readonly string[] ClipKeys = ["clip", "camera", "start", "complete", "rules", "violations", "quiet"];
    private static readonly string[] ViolationKeys = ["rule", "from", "to", "box", "point", "note"];
    private static readonly string[] QuietKeys = ["rule", "from", "to", "box", "note"];

    private const string BoxExample = "[0.28, 0.76, 0.10, 0.09]";
    private const string TimeExamples = "an offset into the clip (12s, 1m30s, 90) or an ISO-8601 time (2026-11-23T09:00:12+08:00)";

    /// <summary>Loads the truth file at <paramref name="path"/>; relative clip paths start from <paramref name="footageDirectory"/> when given, else from the file's folder.</summary>
    public static TruthFile Load(string path, string? footageDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string yaml = UserFile.ReadText(path, "truth file", "pass the path of a *.truth.yaml (docs/truth.md describes the format)");
        var baseDirectory = footageDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(yaml, path, baseDirectory);
    }

    /// <summary>Parses truth text; <paramref name="fileName"/> is what error messages call it, relative clip paths start from <paramref name="clipDirectory"/>.</summary>
    public static TruthFile Parse(string yaml, string fileName, string clipDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(clipDirectory);

        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw VisionConfigLoader.SyntaxError(yaml, fileName, e.Start, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw VisionConfigLoader.SyntaxError(yaml, fileName, scanner.CurrentPosition, "the parser could not make sense of the text here (check brackets, quotes and indentation)");
        }

        var reader = new YamlConfigReader(fileName);
        if (stream.Documents.Count == 0)
            throw new ConfigException([new ConfigError(new ConfigLocation(fileName, 1, 1), "", "the file is empty; a truth file needs 'version: 1' and 'clips' (see docs/truth.md)")]);
        if (stream.Documents.Count > 1)
            throw new ConfigException([new ConfigError(reader.At(stream.Documents[1].RootNode), "", "the file holds more than one YAML document ('---'); put every clip under one 'clips' list")]);

        var clips = new Mapper(reader, clipDirectory).File(stream.Documents[0].RootNode);
        if (reader.Errors.Count > 0 || clips is null)
        {
            var errors = reader.Errors;
            errors.Sort((a, b) => a.Location.Line != b.Location.Line ? a.Location.Line.CompareTo(b.Location.Line) : a.Location.Column.CompareTo(b.Location.Column));
            throw new ConfigException(errors.Count > 0 ? errors : [new ConfigError(new ConfigLocation(fileName, 0, 0), "", "the truth file could not be read")]);
        }
        return new TruthFile(fileName, clips) { Locations = reader.Locations };
    }

    // An ISO-8601 date and time, with an optional UTC offset (Z or ±hh:mm).
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?<offset>Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoTime();

    /// <summary>Maps the YAML nodes of one truth file, collecting every mistake in the reader.</summary>
    private sealed class Mapper(YamlConfigReader r, string clipDirectory)
    {
        public List<TruthClip>? File(YamlNode root)
        {
            var m = r.Map(root, "", TopKeys, "version: 1, clips: [...]");
            if (m is null) return null;
            if (m.Required("version", "1") is { } versionNode && r.Integer(versionNode, m.PathOf("version")) is int version && version != 1)
                r.Error(versionNode, m.PathOf("version"), $"unsupported truth file version {version.ToString(CultureInfo.InvariantCulture)}; this Vision reads version 1");
            var clipsNode = m.Required("clips", "[{ clip: street.mp4, violations: [...] }]");
            if (clipsNode is null) return null;
            var items = r.Sequence(clipsNode, m.PathOf("clips"), "[{ clip: street.mp4, violations: [...] }]");
            if (items is null) return null;
            if (items.Count == 0) r.Error(clipsNode, m.PathOf("clips"), "lists no clips; add at least one '- clip: <video>' entry");
            var clips = new List<TruthClip>(items.Count);
            foreach (var (node, path) in items)
                if (Clip(node, path) is { } clip) clips.Add(clip);
            return clips;
        }

        private TruthClip? Clip(YamlNode node, string path)
        {
            var m = r.Map(node, path, ClipKeys, "clip: street.mp4, violations: [...]");
            if (m is null) return null;
            string? clip = null;
            if (m.Required("clip", "street-parking.mp4") is { } clipNode && r.Text(clipNode, m.PathOf("clip"), "the path of a video") is { } clipText)
                clip = Path.GetFullPath(Path.Combine(clipDirectory, clipText.Trim()));
            var camera = m.OptionalText("camera")?.Trim();
            DateTimeOffset? start = null;
            if (m.GetSet("start") is { } startNode && r.Text(startNode, m.PathOf("start"), "an ISO-8601 time") is { } startText)
            {
                var match = IsoTime().Match(startText.Trim());
                if (!match.Success || !match.Groups["offset"].Success
                    || !DateTimeOffset.TryParse(startText.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                    r.Error(startNode, m.PathOf("start"), $"bad start '{startText}': write the wall-clock time of the clip's first frame with its UTC offset, e.g. 2026-11-23T09:00:00+08:00");
                else start = parsed;
            }
            bool complete = m.Choice("complete", true, [("true", true), ("false", false)], "complete setting");

            List<string>? rules = null;
            if (m.GetSet("rules") is { } rulesNode && r.Names(rulesNode, m.PathOf("rules"), "[parking-near-kerb]") is { } names)
            {
                rules = [];
                foreach (var (name, _, _) in names) rules.Add(name);
                if (rules.Count == 0) r.Error(rulesNode, m.PathOf("rules"), "lists no rules; list the rules this clip is labelled for, or remove the key to label every rule of the camera");
            }

            var violations = new List<TruthViolation>();
            if (m.GetSet("violations") is { } violationsNode && r.Sequence(violationsNode, m.PathOf("violations"), "[{ rule: parking-near-kerb, from: 0s, to: 47s, box: " + BoxExample + " }]") is { } violationItems)
                foreach (var (item, itemPath) in violationItems)
                    if (Violation(item, itemPath, start, rules) is { } violation) violations.Add(violation);

            var quiet = new List<QuietWindow>();
            if (m.GetSet("quiet") is { } quietNode && r.Sequence(quietNode, m.PathOf("quiet"), "[{ from: 0s, to: 47s }]") is { } quietItems)
                foreach (var (item, itemPath) in quietItems)
                    if (Quiet(item, itemPath, start, rules) is { } window) quiet.Add(window);

            return clip is null ? null : new TruthClip(clip, camera, start, complete, rules, violations, quiet);
        }

        private TruthViolation? Violation(YamlNode node, string path, DateTimeOffset? start, List<string>? rules)
        {
            var m = r.Map(node, path, ViolationKeys, "rule: parking-near-kerb, from: 0s, to: 47s, box: " + BoxExample);
            if (m is null) return null;
            var rule = Rule(m, rules, required: true);
            var window = Window(m, start);
            var box = m.GetSet("box") is { } boxNode ? Box(boxNode, m.PathOf("box")) : null;
            NormalisedPoint? point = m.GetSet("point") is { } pointNode ? Point(pointNode, m.PathOf("point")) : null;
            if (m.GetSet("box") is not null && m.GetSet("point") is not null)
                m.ErrorAtKey("point", "a violation has a box or a point, not both; remove one");
            else if (m.GetSet("box") is null && m.GetSet("point") is null)
                r.Error(node, path, $"says where the object is with neither 'box' nor 'point'; add e.g. 'box: {BoxExample}' (x, y, width, height of the frame) or 'point: [0.52, 0.81]'");
            if (rule is null || window is null || (box is null && point is null)) return null;
            return new TruthViolation(rule, window.Value.From, window.Value.To, box, point, m.OptionalText("note"));
        }

        private QuietWindow? Quiet(YamlNode node, string path, DateTimeOffset? start, List<string>? rules)
        {
            var m = r.Map(node, path, QuietKeys, "from: 0s, to: 47s");
            if (m is null) return null;
            var rule = m.Get("rule") is null ? null : Rule(m, rules, required: false);
            var window = Window(m, start);
            var box = m.GetSet("box") is { } boxNode ? Box(boxNode, m.PathOf("box")) : null;
            if (window is null || (m.Get("rule") is not null && rule is null) || (m.GetSet("box") is not null && box is null)) return null;
            return new QuietWindow(rule, window.Value.From, window.Value.To, box, m.OptionalText("note"));
        }

        private string? Rule(YamlMap m, List<string>? rules, bool required)
        {
            var node = required ? m.Required("rule", "parking-near-kerb") : m.Get("rule");
            if (node is null) return null;
            var text = r.Text(node, m.PathOf("rule"), "a rule id");
            if (text is null) return null;
            var rule = text.Trim();
            if (rules is not null && !rules.Contains(rule, StringComparer.Ordinal))
            {
                r.Error(node, m.PathOf("rule"), $"rule '{rule}' is not in this clip's 'rules' list{Suggestions.DidYouMean(rule, rules)}; add it there or fix the name (listed: {string.Join(", ", rules)})");
                return null;
            }
            return rule;
        }

        private (TimeSpan From, TimeSpan To)? Window(YamlMap m, DateTimeOffset? start)
        {
            var fromNode = m.Required("from", "12s");
            var toNode = m.Required("to", "47.3s");
            var from = fromNode is null ? null : Time(fromNode, m.PathOf("from"), start);
            var to = toNode is null ? null : Time(toNode, m.PathOf("to"), start);
            if (from is null || to is null) return null;
            if (to < from)
            {
                m.Error("to", $"ends at {Seconds(to.Value)} before it starts ({Seconds(from.Value)}); 'to' must not be earlier than 'from'");
                return null;
            }
            return (from.Value, to.Value);
        }

        private TimeSpan? Time(YamlNode node, string path, DateTimeOffset? start)
        {
            var text = r.Text(node, path, TimeExamples)?.Trim();
            if (text is null) return null;
            if (ConfigDuration.TryParse(text, out var offset))
            {
                if (offset >= TimeSpan.Zero) return offset;
                r.Error(node, path, $"'{text}' is before the clip's first frame; offsets start at 0s");
                return null;
            }
            var match = IsoTime().Match(text);
            if (!match.Success || !DateTime.TryParse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            {
                r.Error(node, path, $"bad time '{text}': write {TimeExamples}");
                return null;
            }
            if (start is null)
            {
                r.Error(node, path, $"'{text}' is a wall-clock time but the clip has no 'start'; add 'start: <time of its first frame>' to the clip, or write an offset such as 12s");
                return null;
            }
            DateTimeOffset at;
            if (match.Groups["offset"].Success)
                at = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
            else
            {
                // No offset written: the time is on the same clock as the clip's start.
                var local = DateTime.Parse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.None);
                at = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), start.Value.Offset);
            }
            var fromStart = at - start.Value;
            if (fromStart >= TimeSpan.Zero) return fromStart;
            r.Error(node, path, $"'{text}' is {Seconds(-fromStart)} before the clip's start ({start.Value.ToString("O", CultureInfo.InvariantCulture)}); check the time or the clip's 'start'");
            return null;
        }

        private NormalisedBox? Box(YamlNode node, string path)
        {
            var values = Numbers(node, path, 4, $"a box {BoxExample} (x, y, width, height, each a fraction of the frame)");
            if (values is null) return null;
            double x = values[0], y = values[1], w = values[2], h = values[3];
            const double Slack = 1e-6;
            if (w <= 0 || h <= 0)
                r.Error(node, path, "width and height must be above 0 (the box is x, y, width, height)");
            else if (x + w > 1 + Slack || y + h > 1 + Slack)
                r.Error(node, path, "reaches past the frame: x + width and y + height must be at most 1 (the box is x, y, width, height, not two corners)");
            else return new NormalisedBox(x, y, w, h);
            return null;
        }

        private NormalisedPoint? Point(YamlNode node, string path)
        {
            var values = Numbers(node, path, 2, "a point [0.52, 0.81] (x, y as fractions of the frame)");
            return values is null ? null : new NormalisedPoint(values[0], values[1]);
        }

        private double[]? Numbers(YamlNode node, string path, int count, string what)
        {
            if (node is not YamlSequenceNode sequence || sequence.Children.Count != count)
            {
                r.Error(node, path, $"expected {what}, got {YamlConfigReader.Describe(node)}{(node is YamlSequenceNode s ? $" of {s.Children.Count.ToString(CultureInfo.InvariantCulture)} numbers" : "")}");
                return null;
            }
            var values = new double[count];
            bool ok = true;
            for (int i = 0; i < count; i++)
            {
                var itemPath = YamlConfigReader.Item(path, i);
                var value = r.Number(sequence.Children[i], itemPath);
                if (value is null) { ok = false; continue; }
                if (value.Value is < 0 or > 1)
                {
                    r.Error(sequence.Children[i], itemPath, $"must be between 0 and 1 (a fraction of the frame), got {value.Value.ToString(CultureInfo.InvariantCulture)}");
                    ok = false;
                    continue;
                }
                values[i] = value.Value;
            }
            return ok ? values : null;
        }

        private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
    }
}
