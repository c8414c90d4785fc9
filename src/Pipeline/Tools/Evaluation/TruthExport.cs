using System.Globalization;
using System.Text;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Rules.Truth;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Tools.Evaluation;

/// <summary>Which decided cases <c>vision cases export-labels</c> writes: one camera or all, confirmed in [From, To).</summary>
internal sealed record TruthExportFilter(string? CameraId, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>What an export wrote: the truth text, and how many clips, violations and quiet windows it holds (no clips: no text, nothing was decided).</summary>
internal sealed record TruthExportResult(string Yaml, int Clips, int Violations, int QuietWindows);

/// <summary>
/// The officers' decisions as a truth file (docs/truth.md): per camera and day one clip, `complete: false`; confirmed
/// and dispatched cases are violations, rejected ones quiet windows, each at the case's object box. The clip is a
/// placeholder: the engineer puts the recording covering those times there.
/// </summary>
internal static class TruthExport
{
    /// <summary>How far before the day's first case the clip's start is put: a recording that covers the case begins before it.</summary>
    public static readonly TimeSpan StartMargin = TimeSpan.FromMinutes(1);

    private const int PageSize = 500;

    public static async Task<TruthExportResult> BuildAsync(CaseStore store, VisionConfig config, TruthExportFilter filter, CancellationToken ct)
    {
        var decided = new List<DecidedCase>();
        for (int offset = 0; ; offset += PageSize)
        {
            var page = await store.ListAsync(new CaseQuery(CameraId: filter.CameraId, From: filter.From, To: filter.To, Limit: PageSize, Offset: offset), ct).ConfigureAwait(false);
            foreach (var stored in page)
            {
                if (stored.Status == CaseStatus.AutoCaptured) continue;
                string? officer = stored.StatusBy;
                if (stored.Status == CaseStatus.Dispatched)
                    officer = await ConfirmedByAsync(store, stored.CaseId, ct).ConfigureAwait(false);
                decided.Add(new DecidedCase(stored, stored.Record, officer, Zone(config, stored.CameraId)));
            }
            if (page.Count < PageSize) break;
        }

        var groups = decided
            .GroupBy(d => (d.Stored.CameraId, Day: DateOnly.FromDateTime(d.Local(d.Stored.StartedAt).DateTime)))
            .OrderBy(g => g.Key.CameraId, StringComparer.Ordinal).ThenBy(g => g.Key.Day)
            .ToList();

        if (groups.Count == 0) return new TruthExportResult("", 0, 0, 0);
        var yaml = new StringBuilder();
        Header(yaml, store, filter);
        yaml.AppendLine("version: 1");
        yaml.AppendLine("clips:");
        int violations = 0, quiet = 0;
        foreach (var group in groups)
        {
            var cases = group.OrderBy(d => d.Stored.StartedAt).ThenBy(d => d.Stored.CaseId, StringComparer.Ordinal).ToList();
            var first = cases[0];
            var start = first.Local(cases.Min(d => d.Stored.StartedAt) - StartMargin);
            var end = first.Local(cases.Max(d => d.Stored.ConfirmedAt));
            string camera = group.Key.CameraId;
            string day = group.Key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var rules = cases.Select(d => d.Stored.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var confirmed = cases.Where(d => d.Stored.Status != CaseStatus.Rejected).ToList();
            var rejected = cases.Where(d => d.Stored.Status == CaseStatus.Rejected).ToList();

            yaml.AppendLine(CultureInfo.InvariantCulture, $"  # {camera}, {day}: {confirmed.Count} confirmed or dispatched, {rejected.Count} rejected");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - clip: {Name($"{camera}-{day}.mp4")}   # PLACEHOLDER: put here the recording of {camera} covering {Time(start)} to {Time(end)}, and set 'start' to the time of its first frame");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    camera: {Name(camera)}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    start: {Time(start)}");
            yaml.AppendLine("    complete: false                      # only the officers' decisions below count");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    rules: [{string.Join(", ", rules.Select(Name))}]");
            if (confirmed.Count > 0)
            {
                yaml.AppendLine("    violations:");
                foreach (var c in confirmed)
                {
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"      - rule: {Name(c.Stored.RuleId)}");
                    Window(yaml, c);
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"        note: {YamlText.Quote(ViolationNote(c))}");
                    violations++;
                }
            }
            if (rejected.Count > 0)
            {
                yaml.AppendLine("    quiet:");
                foreach (var c in rejected)
                {
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"      - rule: {Name(c.Stored.RuleId)}");
                    Window(yaml, c);
                    yaml.AppendLine(CultureInfo.InvariantCulture, $"        note: {YamlText.Quote($"rejected: {c.Stored.StatusReason ?? "no reason given"} by {c.Officer ?? "unknown"}; case {c.Stored.CaseId}")}");
                    quiet++;
                }
            }
        }
        return new TruthExportResult(yaml.ToString(), groups.Count, violations, quiet);
    }

    private static void Header(StringBuilder yaml, CaseStore store, TruthExportFilter filter)
    {
        var scope = new List<string>();
        if (filter.CameraId is { } camera) scope.Add($"camera {camera}");
        if (filter.From is { } from) scope.Add($"confirmed from {from.ToString("O", CultureInfo.InvariantCulture)}");
        if (filter.To is { } to) scope.Add($"confirmed before {to.ToString("O", CultureInfo.InvariantCulture)}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"# Truth from the officers' decisions in {store.Database.Description}{(scope.Count == 0 ? "" : $" ({string.Join(", ", scope)})")}, written by 'vision cases export-labels' (format: docs/truth.md).");
        yaml.AppendLine("# Confirmed and dispatched cases are violations (from the case's start to its confirmation, at the object's box);");
        yaml.AppendLine("# rejected cases are quiet windows (a case raised there again counts as a false case).");
        yaml.AppendLine("# Auto-captured cases (no officer has decided them) are left out. Every clip is 'complete: false': what the rules");
        yaml.AppendLine("# raise elsewhere is listed as unlabelled, not counted.");
        yaml.AppendLine("# Before 'vision eval': put at each 'clip:' the recording that covers its times, and set 'start' to the wall-clock");
        yaml.AppendLine("# time of that recording's first frame (the times below are wall-clock times and follow it).");
    }

    private static void Window(StringBuilder yaml, DecidedCase c)
    {
        yaml.AppendLine(CultureInfo.InvariantCulture, $"        from: {Time(c.Local(c.Stored.StartedAt))}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"        to: {Time(c.Local(c.Stored.ConfirmedAt))}");
        var box = Box(c.Record);
        yaml.AppendLine(CultureInfo.InvariantCulture, $"        box: [{Number(box.X)}, {Number(box.Y)}, {Number(box.Width)}, {Number(box.Height)}]");
    }

    private static string ViolationNote(DecidedCase c)
    {
        var note = new StringBuilder($"case {c.Stored.CaseId}, ");
        if (c.Stored.Status == CaseStatus.Dispatched)
            note.Append(c.Officer is null ? "dispatched without an officer's review" : $"dispatched, confirmed by {c.Officer}");
        else note.Append($"confirmed by {c.Officer ?? "unknown"}");
        var keys = c.Record.Evidence.Photos.Select(p => p.Key).Where(k => !string.IsNullOrEmpty(k)).ToList();
        if (keys.Count > 0) note.Append("; photos ").AppendJoin(", ", keys);
        return note.ToString();
    }

    /// <summary>The first object's box normalised to the frame, its edges rounded to 4 places (so x + width stays within the frame); the whole frame for a record without one.</summary>
    internal static NormalisedBox Box(CaseRecord record)
    {
        if (record.Objects.Count == 0 || record.Frame.Width <= 0 || record.Frame.Height <= 0) return new NormalisedBox(0, 0, 1, 1);
        var b = record.Objects[0].Box;
        var exact = NormalisedBox.FromPixels(b.X, b.Y, b.Width, b.Height, record.Frame.Width, record.Frame.Height);
        const double Least = 0.0001;
        double left = Math.Round(exact.X, 4), top = Math.Round(exact.Y, 4);
        double right = Math.Max(Math.Round(exact.X + exact.Width, 4), left + Least), bottom = Math.Max(Math.Round(exact.Y + exact.Height, 4), top + Least);
        if (right > 1) (left, right) = (1 - (right - left), 1);
        if (bottom > 1) (top, bottom) = (1 - (bottom - top), 1);
        return new NormalisedBox(left, top, Math.Round(right - left, 4), Math.Round(bottom - top, 4));
    }

    private static async Task<string?> ConfirmedByAsync(CaseStore store, string caseId, CancellationToken ct)
    {
        string? officer = null;
        foreach (var entry in await store.HistoryAsync(caseId, ct).ConfigureAwait(false))
            if (entry.Status == CaseStatus.Confirmed) officer = entry.Actor;
        return officer;
    }

    private static TimeZoneInfo Zone(VisionConfig config, string cameraId)
    {
        if (config.FindCamera(cameraId) is { } camera && TimeZoneInfo.TryFindSystemTimeZoneById(camera.TimeZoneId, out var zone)) return zone;
        return TimeZoneInfo.Utc;
    }

    private static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFzzz", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>An id or file name as written: plain when it is only letters, digits and <c>-_.</c>, else quoted.</summary>
    private static string Name(string text) =>
        text.Length > 0 && char.IsAsciiLetterOrDigit(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? text : YamlText.Quote(text);

    /// <summary>A decided case with its record, the officer who decided it (null: dispatched without review) and its camera's time zone.</summary>
    private sealed record DecidedCase(StoredCase Stored, CaseRecord Record, string? Officer, TimeZoneInfo Zone)
    {
        public DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, Zone);
    }
}
