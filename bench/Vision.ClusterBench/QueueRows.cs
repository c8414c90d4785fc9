using Vision.Storage;

namespace Vision.ClusterBench;

/// <summary>One row of the cases table, as the bulk loaders write it.</summary>
public sealed record QueueRow(string CaseId, string CameraId, string RuleId, string Violation, string ZoneId, long StartedAtMs, long ConfirmedAtMs,
    double Confidence, string Status, long StatusAtMs, string StatusBy, string Record, long Version, string? Plate);

/// <summary>
/// A city's case history for the review-queue benchmark, the same rows every time for a count and an end time:
/// 300 cameras, three violations (parking 60 %, stalls 25 %, litter 15 %; 85 % of parking cases with a plate),
/// confirmed over 60 days in time order, statuses mixed as a reviewed backlog is (8 % awaiting review, 12 %
/// confirmed, 15 % rejected, 65 % dispatched).
/// </summary>
public sealed class QueueRows(int count, DateTimeOffset end, SyntheticRecords records)
{
    public const int Cameras = 300;
    public static readonly TimeSpan Span = TimeSpan.FromDays(60);
    private static readonly ((string Violation, string Zone) Value, int Percent)[] Violations = [(("illegal_parking", "kerb"), 60), (("street_stall", "pavement"), 25), (("litter", "gate"), 15)];
    private static readonly (string Status, int Percent)[] Statuses = [("auto_captured", 8), ("confirmed", 12), ("rejected", 15), ("dispatched", 65)];

    public int Count => count;

    public DateTimeOffset End => end;

    public static string Camera(int index) => $"cam-{index:D3}";

    /// <param name="withRecords">false: each row's record is empty (no JSON made; the other columns are the same).</param>
    public IEnumerable<QueueRow> Rows(bool withRecords = true)
    {
        var random = new Random(20261123);
        // A stream of its own, so the other columns come out the same with or without the JSON.
        var recordRandom = new Random(7);
        long first = (end - Span).ToUnixTimeMilliseconds();
        long spanMs = (long)Span.TotalMilliseconds;
        for (int i = 0; i < count; i++)
        {
            long confirmedMs = first + spanMs * i / count + random.Next(1000);
            var confirmed = DateTimeOffset.FromUnixTimeMilliseconds(confirmedMs);
            var started = confirmed.AddSeconds(-(60 + random.Next(600)));
            string camera = Camera(random.Next(Cameras));
            var (violation, zone) = Pick(Violations, random);
            string status = Pick(Statuses, random);
            string? plate = violation == "illegal_parking" && random.Next(100) < 85 ? SyntheticRecords.Plate(random) : null;
            string caseId = SyntheticRecords.CaseId(camera, confirmed, i);
            string rule = violation + "-rule";
            bool reviewed = status is "confirmed" or "rejected" || (status == "dispatched" && random.Next(2) == 0);
            long statusAt = status == "auto_captured" ? confirmedMs : confirmedMs + 60_000 + random.Next(3_600_000);
            string by = status is "confirmed" or "rejected" ? $"officer-{random.Next(40)}" : "vision";
            string json = withRecords ? records.Json(caseId, camera, rule, violation, zone, started, confirmed, plate, recordRandom) : "";
            yield return new QueueRow(caseId, camera, rule, violation, zone, started.ToUnixTimeMilliseconds(), confirmedMs, Math.Round(0.5 + random.NextDouble() / 2, 3),
                status, statusAt, by, json, reviewed ? 2 : 1, plate);
        }
    }

    /// <summary>
    /// A parking case with a plate near the middle of the data: the queue's look-up by id finds it, and four characters
    /// of its plate are what an officer types to find one vehicle.
    /// </summary>
    public QueueRow Middle() => Rows(withRecords: false).Skip(count / 2).First(r => r.Plate is not null);

    /// <summary>The review queue's common queries over these rows.</summary>
    public IReadOnlyList<(string Name, CaseQuery Query)> Queries()
    {
        var day = end.AddDays(-30).UtcDateTime.Date;
        string plate = CaseQuery.NormalisePlateSearch(Middle().Plate![2..6])!;
        return
        [
            ("awaiting review, newest 50", new CaseQuery(CaseStatus.AutoCaptured, Limit: 50)),
            ("awaiting review, page 100 (offset 4,950)", new CaseQuery(CaseStatus.AutoCaptured, Limit: 50, Offset: 4950)),
            ("one camera, newest 50", new CaseQuery(CameraId: Camera(42), Limit: 50)),
            ("street stalls on one day, newest 50", new CaseQuery(Violation: "street_stall", From: new DateTimeOffset(day), To: new DateTimeOffset(day.AddDays(1)), Limit: 50)),
            ($"plate contains \"{plate}\"", new CaseQuery(Plate: plate, Limit: 50)),
        ];
    }

    private static T Pick<T>((T Value, int Percent)[] choices, Random random)
    {
        int roll = random.Next(100);
        foreach (var (value, percent) in choices)
        {
            if (roll < percent) return value;
            roll -= percent;
        }
        return choices[^1].Value;
    }
}
