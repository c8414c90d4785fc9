using System.Diagnostics;
using Vision.Storage;

namespace Vision.ClusterBench;

/// <summary>What a query returned: what to show, and what both backends must agree on (the rows' ids, or the counts).</summary>
public sealed record QueryResult(string Shown, string Compared);

/// <summary>One review-queue query on both backends: what it returned on each and its median and p95 in milliseconds.</summary>
public sealed record QueryTiming(string Name, QueryResult SqliteResult, QueryResult PostgresResult, double SqliteMedianMs, double SqliteP95Ms, double PostgresMedianMs, double PostgresP95Ms);

/// <summary>A query the console runs, as a call on a <see cref="CaseStore"/>, and a short account of what it returned.</summary>
public sealed record QueueQuery(string Name, Func<CaseStore, CancellationToken, Task<QueryResult>> Run)
{
    public static QueueQuery List(string name, CaseQuery query) =>
        new(name, async (store, ct) =>
        {
            var page = await store.ListAsync(query, ct);
            return new QueryResult(page.Count == 1 ? "1 row" : $"{page.Count} rows", string.Join(",", page.Select(c => c.CaseId)));
        });

    public static QueueQuery Find(string name, string caseId) =>
        new(name, async (store, ct) =>
        {
            var found = await store.FindAsync(caseId, ct);
            return new QueryResult(found is null ? "not found" : "1 row", found?.CaseId ?? "");
        });

    public static QueueQuery Counts(string name, CaseQuery query) =>
        new(name, async (store, ct) =>
        {
            var counts = await store.CountByStatusAsync(query, ct);
            string text = string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key.ToWire()} {c.Value}"));
            return new QueryResult(text, text);
        });
}

public static class QueueTimings
{
    /// <summary>
    /// Runs each query once untimed on each backend, then <paramref name="runs"/> times each, alternating SQLite and
    /// PostgreSQL so that a change in the machine's load falls on both alike.
    /// </summary>
    public static async Task<IReadOnlyList<QueryTiming>> MeasureAsync(CaseStore sqlite, CaseStore postgres, IReadOnlyList<QueueQuery> queries, int runs, CancellationToken ct)
    {
        var result = new List<QueryTiming>();
        foreach (var query in queries)
        {
            var sqliteResult = await query.Run(sqlite, ct);
            var postgresResult = await query.Run(postgres, ct);
            var onSqlite = new List<double>(runs);
            var onPostgres = new List<double>(runs);
            for (int r = 0; r < runs; r++)
            {
                onSqlite.Add(await TimeAsync(query, sqlite, ct));
                onPostgres.Add(await TimeAsync(query, postgres, ct));
            }
            onSqlite.Sort();
            onPostgres.Sort();
            result.Add(new QueryTiming(query.Name, sqliteResult, postgresResult, Quantile(onSqlite, 0.5), Quantile(onSqlite, 0.95), Quantile(onPostgres, 0.5), Quantile(onPostgres, 0.95)));
        }
        return result;
    }

    private static async Task<double> TimeAsync(QueueQuery query, CaseStore store, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp();
        await query.Run(store, ct);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The nearest-rank quantile of sorted values (p95 of 20 runs is the 19th).</summary>
    public static double Quantile(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
