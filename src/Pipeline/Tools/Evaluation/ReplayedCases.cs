using System.Globalization;
using System.Text.Json;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Truth;
using Vision.Cases;

namespace Vision.Pipeline.Tools.Evaluation;

/// <summary>The cases a replay wrote to its cases.jsonl, as the truth matcher sees them: offsets from the first frame, boxes normalised to the frame.</summary>
internal static class ReplayedCases
{
    public static List<RaisedCase> Read(string outputDirectory, DateTimeOffset start)
    {
        var path = Path.Combine(outputDirectory, "cases.jsonl");
        var cases = new List<RaisedCase>();
        if (!File.Exists(path)) return cases;
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            CaseRecord record;
            try
            {
                record = CaseRecord.Parse(text);
            }
            catch (JsonException e)
            {
                throw new UsageException($"{path}:{line}: not a case record ({e.Message}); replay the clip again");
            }
            cases.Add(ToRaised(record, start, outputDirectory));
        }
        return cases;
    }

    /// <summary>One case record as a raised case; the box is the first object's, normalised by the record's frame size.</summary>
    public static RaisedCase ToRaised(CaseRecord record, DateTimeOffset start, string outputDirectory)
    {
        var startedAt = DateTimeOffset.Parse(record.StartedAt, CultureInfo.InvariantCulture) - start;
        var confirmedAt = DateTimeOffset.Parse(record.ConfirmedAt, CultureInfo.InvariantCulture) - start;
        var box = record.Objects.Count == 0 || record.Frame.Width <= 0 || record.Frame.Height <= 0
            ? new NormalisedBox(0, 0, 1, 1)
            : NormalisedBox.FromPixels(record.Objects[0].Box.X, record.Objects[0].Box.Y, record.Objects[0].Box.Width, record.Objects[0].Box.Height, record.Frame.Width, record.Frame.Height);
        string? photo = null;
        foreach (var p in record.Evidence.Photos)
            if (p.Role == PhotoRole.Confirmation.ToWire()) photo = Path.Combine(outputDirectory, p.File);
        return new RaisedCase(record.CaseId, record.RuleId, startedAt, confirmedAt, box) { PhotoPath = photo };
    }
}
