using System.Globalization;
using System.Net;
using System.Text;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tools.Evaluation;

/// <summary>What <c>vision eval</c> shows: the score table on the terminal, and report.md / report.html with every miss and false case linked.</summary>
internal static class EvalReport
{
    private static readonly string[] Columns = ["rule", "TP", "FP", "FN", "precision", "recall", "F1", "delay median", "delay max"];

    /// <summary>The per-rule and overall table as fixed-width text, and a line for what was not counted.</summary>
    public static string Table(IReadOnlyList<RuleScore> rules, RuleScore overall)
    {
        var rows = new List<string[]>(rules.Count + 1);
        foreach (var rule in rules) rows.Add(Row(rule));
        rows.Add(Row(overall));
        var widths = new int[Columns.Length];
        for (int c = 0; c < Columns.Length; c++)
        {
            widths[c] = Columns[c].Length;
            foreach (var row in rows) widths[c] = Math.Max(widths[c], row[c].Length);
        }
        var text = new StringBuilder();
        AppendAligned(text, Columns, widths);
        foreach (var row in rows) AppendAligned(text, row, widths);
        if (overall.TooShort > 0 || overall.Unlabelled > 0 || overall.Repeats > 0)
            text.Append(CultureInfo.InvariantCulture, $"not counted: {overall.TooShort} violation(s) shorter than the dwell, {overall.Repeats} repeat(s) at a reported spot within the cooldown, {overall.Unlabelled} case(s) where the clip is not labelled").AppendLine();
        return text.ToString();
    }

    /// <summary>Writes report.md and report.html into the result's output folder; links are relative to it.</summary>
    public static async Task<(string Markdown, string Html)> WriteAsync(EvalResult result, CancellationToken ct)
    {
        Directory.CreateDirectory(result.OutputDirectory);
        var markdown = new MarkdownFormat();
        var html = new HtmlFormat();
        Render(result, markdown);
        Render(result, html);
        var mdPath = Path.Combine(result.OutputDirectory, "report.md");
        var htmlPath = Path.Combine(result.OutputDirectory, "report.html");
        await File.WriteAllTextAsync(mdPath, markdown.Text(), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(htmlPath, html.Text(), ct).ConfigureAwait(false);
        return (mdPath, htmlPath);
    }

    private static void Render(EvalResult result, IReportFormat f)
    {
        f.Heading(1, "vision eval");
        f.Paragraph($"Config {Path.GetFullPath(result.ConfigPath)}, truth {Path.GetFullPath(result.TruthPath)}, {result.Clips.Count} clip(s). Matching and figures: docs/truth.md.");
        f.Heading(2, "All clips");
        f.Table(Columns, [.. result.Rules.Select(Row), Row(result.Overall)]);

        foreach (var clip in result.Clips)
        {
            var truth = clip.Plan.Truth;
            f.Heading(2, $"{clip.Plan.Name}");
            var start = truth.Start is { } s ? s.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) : "not given (as replay)";
            f.Paragraph($"{clip.Plan.Source}, camera {clip.Plan.Camera.Id}, start {start}, {(truth.Complete ? "complete" : "not complete (only labelled violations and quiet windows count)")}; replay output in {Link(result, clip.OutputDirectory)}/.");
            f.Table(Columns, [.. clip.Score.Rules.Select(Row)]);

            f.Heading(3, $"Misses ({clip.Misses.Count})");
            f.List(clip.Misses.Select(m => m.File is null
                ? new ReportItem($"{Describe(m.Outcome.Truth!, m.Outcome.RuleId)} (no picture: {m.Problem})", null, false)
                : new ReportItem(Describe(m.Outcome.Truth!, m.Outcome.RuleId), Link(result, m.File), true)));

            var wrong = clip.Score.Outcomes.Where(o => o.Kind is OutcomeKind.FalseCase or OutcomeKind.Duplicate).ToList();
            f.Heading(3, $"False cases ({wrong.Count})");
            f.List(wrong.Select(o => CaseItem(result, o, o.Kind == OutcomeKind.Duplicate
                ? $"duplicate of the violation {Window(o.Truth!)}"
                : "matches no labelled violation")));

            var notCounted = clip.Score.Outcomes.Where(o => o.Kind is OutcomeKind.TooShort or OutcomeKind.Unlabelled or OutcomeKind.Repeat).ToList();
            if (notCounted.Count == 0) continue;
            f.Heading(3, $"Not counted ({notCounted.Count})");
            f.List(notCounted.Select(o => o.Kind == OutcomeKind.Repeat
                ? new ReportItem($"repeat: {Describe(o.Truth!, o.RuleId)}, at a spot already reported, within the rule's cooldown", null, false)
                : o.Kind == OutcomeKind.TooShort
                ? o.Case is null
                    ? new ReportItem($"too short: {Describe(o.Truth!, o.RuleId)}, shorter than the rule's dwell", null, false)
                    : CaseItem(result, o, $"on a violation shorter than the rule's dwell ({Window(o.Truth!)})")
                : CaseItem(result, o, "unlabelled: the clip is not complete and no quiet window covers it")));
        }
    }

    private static ReportItem CaseItem(EvalResult result, MatchOutcome outcome, string why)
    {
        var c = outcome.Case!;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{c.RuleId} case {c.CaseId}, confirmed at {Seconds(c.ConfirmedAt)} (started {Seconds(c.StartedAt)}), box {Box(c.Box)}: {why}");
        return new ReportItem(text, c.PhotoPath is null ? null : Link(result, c.PhotoPath), false);
    }

    private static string Describe(TruthViolation v, string ruleId)
    {
        var where = v.Box is { } box ? $"box {Box(box)}" : v.Point is { } p ? string.Create(CultureInfo.InvariantCulture, $"point [{p.X:0.###}, {p.Y:0.###}]") : "anywhere";
        return $"{ruleId} {Window(v)} at {where}{(v.Note is null ? "" : $" ({v.Note})")}";
    }

    private static string Window(TruthViolation v) => $"{Seconds(v.From)}–{Seconds(v.To)}";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Box(NormalisedBox b) => string.Create(CultureInfo.InvariantCulture, $"[{b.X:0.###}, {b.Y:0.###}, {b.Width:0.###}, {b.Height:0.###}]");

    private static string[] Row(RuleScore s) =>
    [
        s.RuleId,
        s.Hits.ToString(CultureInfo.InvariantCulture),
        s.FalseCases.ToString(CultureInfo.InvariantCulture),
        s.Misses.ToString(CultureInfo.InvariantCulture),
        Figure(s.Precision),
        Figure(s.Recall),
        Figure(s.F1),
        Delay(s.MedianDelaySeconds),
        Delay(s.MaxDelaySeconds),
    ];

    /// <summary>A ratio with two decimals; "–" when there was nothing to count.</summary>
    public static string Figure(double value) => double.IsNaN(value) ? "–" : value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Delay(double seconds) => double.IsNaN(seconds) ? "–" : seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static void AppendAligned(StringBuilder text, string[] cells, int[] widths)
    {
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0) text.Append("  ");
            text.Append(c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
        }
        text.AppendLine();
    }

    /// <summary>A path under the output folder as a relative link, each segment escaped.</summary>
    private static string Link(EvalResult result, string path)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(result.OutputDirectory), Path.GetFullPath(path));
        return string.Join('/', relative.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
    }

    private sealed record ReportItem(string Text, string? Link, bool IsImage);

    /// <summary>One way of writing the report (Markdown, HTML); the content is the same.</summary>
    private interface IReportFormat
    {
        void Heading(int level, string text);
        void Paragraph(string text);
        void Table(string[] header, IReadOnlyList<string[]> rows);
        void List(IEnumerable<ReportItem> items);
        string Text();
    }

    private sealed class MarkdownFormat : IReportFormat
    {
        private readonly StringBuilder _text = new();

        public void Heading(int level, string text) => _text.Append('#', level).Append(' ').Append(text).AppendLine().AppendLine();

        public void Paragraph(string text) => _text.AppendLine(text).AppendLine();

        public void Table(string[] header, IReadOnlyList<string[]> rows)
        {
            _text.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
            _text.Append('|').AppendJoin('|', header.Select((_, i) => i == 0 ? " --- " : " ---: ")).AppendLine("|");
            foreach (var row in rows) _text.Append("| ").AppendJoin(" | ", row.Select(Cell)).AppendLine(" |");
            _text.AppendLine();
        }

        public void List(IEnumerable<ReportItem> items)
        {
            bool any = false;
            foreach (var item in items)
            {
                any = true;
                _text.Append("- ").Append(item.Text);
                if (item.Link is not null)
                    _text.Append(item.IsImage ? $"<br>\n  ![miss]({item.Link})" : $" — [photo]({item.Link})");
                _text.AppendLine();
            }
            if (!any) _text.AppendLine("none");
            _text.AppendLine();
        }

        public string Text() => _text.ToString();

        private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
    }

    private sealed class HtmlFormat : IReportFormat
    {
        private readonly StringBuilder _body = new();

        public void Heading(int level, string text) => _body.Append(CultureInfo.InvariantCulture, $"<h{level}>{WebUtility.HtmlEncode(text)}</h{level}>\n");

        public void Paragraph(string text) => _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");

        public void Table(string[] header, IReadOnlyList<string[]> rows)
        {
            _body.Append("<table>\n<tr>").AppendJoin("", header.Select(h => $"<th>{WebUtility.HtmlEncode(h)}</th>")).Append("</tr>\n");
            foreach (var row in rows) _body.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{WebUtility.HtmlEncode(c)}</td>")).Append("</tr>\n");
            _body.Append("</table>\n");
        }

        public void List(IEnumerable<ReportItem> items)
        {
            var list = items.ToList();
            if (list.Count == 0)
            {
                _body.Append("<p>none</p>\n");
                return;
            }
            _body.Append("<ul>\n");
            foreach (var item in list)
            {
                _body.Append("<li>").Append(WebUtility.HtmlEncode(item.Text));
                if (item.Link is { } link)
                {
                    var href = WebUtility.HtmlEncode(link);
                    _body.Append(item.IsImage
                        ? $"<br><a href=\"{href}\"><img src=\"{href}\" alt=\"miss\" width=\"640\"></a>"
                        : $" — <a href=\"{href}\">photo</a>");
                }
                _body.Append("</li>\n");
            }
            _body.Append("</ul>\n");
        }

        public string Text() =>
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>vision eval</title>\n"
            + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}td+td{text-align:right}img{max-width:100%}</style>\n"
            + "</head><body>\n" + _body + "</body></html>\n";
    }
}
