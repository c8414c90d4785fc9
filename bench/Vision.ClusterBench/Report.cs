using System.Globalization;

namespace Vision.ClusterBench;

/// <summary>Prints the benchmark's tables as Markdown, ready for bench/README.md.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void CasePath(IReadOnlyList<PathStep> steps)
    {
        Console.WriteLine("| backend | writers | cases | cases/s | statements / case (Vision's SQL + BEGIN/COMMIT + DISCARD ALL) | transactions / case | rows written / case (database; Vision's tables) | WAL bytes / case | storage growth / case | bytes written / case (WAL + checkpoints) | all dispatched |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var s in steps)
        {
            string PerCase(long? total, string format) => total is { } t ? (t / (double)s.Cases).ToString(format, Inv) : "n/a";
            string statements = s.Statements is { } c ? Statements(c, s.Cases) : "n/a";
            string rows = s.RowsWritten is { } r ? $"{PerCase(r, "0.00")}; {PerCase(s.UserTableRowsWritten, "0.00")}" : "n/a";
            Console.WriteLine(string.Create(Inv,
                $"| {s.Backend} | {s.Writers} | {s.Cases} | {s.CasesPerSecond:0} | {statements} | {PerCase(s.Commits, "0.00")} | {rows} | {PerCase(s.WalBytes, "N0")} | {PerCase(s.StorageBytes, "N0")} | {PerCase(s.BytesWritten, "N0")} | {(s.AllDispatched ? "yes" : "NO")} |"));
        }
        Console.WriteLine();
        foreach (var s in steps.Where(s => s.Statements is not null))
            Console.WriteLine(string.Create(Inv, $"PostgreSQL statements per case, {s.Writers} writer(s): {string.Join(", ", s.Statements!.Select(c => $"{c.Key} {c.Value / (double)s.Cases:0.00}"))}  "));
    }

    public static void Queue(IReadOnlyList<QueryTiming> timings)
    {
        Console.WriteLine("| query | SQLite median | SQLite p95 | PostgreSQL median | PostgreSQL p95 | PostgreSQL / SQLite (median) | result |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in timings)
        {
            string result = t.SqliteResult.Compared == t.PostgresResult.Compared ? t.SqliteResult.Shown + ", the same on both"
                : $"DIFFER: SQLite {t.SqliteResult.Shown}, PostgreSQL {t.PostgresResult.Shown}";
            Console.WriteLine(string.Create(Inv,
                $"| {t.Name} | {Ms(t.SqliteMedianMs)} | {Ms(t.SqliteP95Ms)} | {Ms(t.PostgresMedianMs)} | {Ms(t.PostgresP95Ms)} | {t.PostgresMedianMs / t.SqliteMedianMs:0.0}× | {result} |"));
        }
    }

    private static string Statements(IReadOnlyDictionary<string, long> byVerb, int cases)
    {
        long Of(string verb) => byVerb.TryGetValue(verb, out long n) ? n : 0;
        long framing = Of("BEGIN") + Of("COMMIT") + Of("ROLLBACK");
        long reset = Of("DISCARD");
        long all = byVerb.Values.Sum();
        double PerCase(long n) => n / (double)cases;
        return string.Create(Inv, $"{PerCase(all):0.0} ({PerCase(all - framing - reset):0.0} + {PerCase(framing):0.0} + {PerCase(reset):0.0})");
    }

    private static string Ms(double ms) => ms switch
    {
        < 1 => ms.ToString("0.00", Inv) + " ms",
        < 100 => ms.ToString("0.0", Inv) + " ms",
        _ => ms.ToString("0", Inv) + " ms",
    };
}
