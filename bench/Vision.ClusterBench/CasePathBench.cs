using System.Diagnostics;
using System.Globalization;
using Vision.Storage;

namespace Vision.ClusterBench;

/// <summary>One step of the case-path benchmark: a backend, how many nodes wrote at once, and what it cost.</summary>
/// <param name="Statements">Statements the server ran, by first word (PostgreSQL only, from pg_stat_statements).</param>
/// <param name="Commits">Transactions committed (pg_stat_database.xact_commit).</param>
/// <param name="RowsWritten">tup_inserted + tup_updated + tup_deleted of the database (catalog rows included).</param>
/// <param name="UserTableRowsWritten">The same over Vision's tables alone (pg_stat_user_tables).</param>
/// <param name="WalBytes">WAL the server wrote (pg_wal_lsn_diff of pg_current_wal_lsn).</param>
/// <param name="StorageBytes">Growth of the database (pg_database_size) or of the SQLite file (checkpointed before and after).</param>
/// <param name="BytesWritten">SQLite: bytes the process wrote (/proc/self/io wchar): WAL frames and the checkpoints that copy them into the file.</param>
/// <param name="AllDispatched">Every case of the database ended dispatched, and as many as were run.</param>
public sealed record PathStep(string Backend, int Writers, int Cases, TimeSpan Elapsed, IReadOnlyDictionary<string, long>? Statements, long? Commits,
    long? RowsWritten, long? UserTableRowsWritten, long? WalBytes, long StorageBytes, long? BytesWritten, bool AllDispatched)
{
    public double CasesPerSecond => Cases / Elapsed.TotalSeconds;
}

/// <summary>Runs cases through <see cref="CaseFlowNode"/>s on SQLite (one node) and on PostgreSQL (N nodes at once) and measures each step.</summary>
/// <param name="monitorConnectionString">The superuser's, on the same database: the counters are read as another role than the one measured.</param>
public sealed class CasePathBench(SyntheticRecords records, PostgresStatements statements, string monitorConnectionString)
{
    private const int WarmUpCases = 5;
    private long _postgresCases;
    // Every run of nodes gets indexes of its own, so no two steps share a camera or a case id.
    private int _nextNode;

    public async Task<PathStep> SqliteAsync(string folder, int cases, CancellationToken ct)
    {
        var database = new SqliteCaseDatabase(Path.Combine(folder, SqliteCaseDatabase.FileName)).Migrate();
        await new CaseFlowNode(database, _nextNode++, records).RunAsync(WarmUpCases, ct);
        Checkpoint(database);
        long sizeBefore = new FileInfo(database.Path).Length;
        long writtenBefore = ProcessBytesWritten();
        var clock = Stopwatch.StartNew();
        await new CaseFlowNode(database, _nextNode++, records).RunAsync(cases, ct);
        clock.Stop();
        Checkpoint(database);
        long written = ProcessBytesWritten() - writtenBefore;
        long growth = new FileInfo(database.Path).Length - sizeBefore;
        bool dispatched = await AllDispatchedAsync(database, WarmUpCases + cases, ct);
        return new PathStep("SQLite", 1, cases, clock.Elapsed, null, null, null, null, null, growth, written, dispatched);
    }

    /// <summary>
    /// <paramref name="writers"/> nodes at once, each over its own <see cref="PostgresCaseDatabase"/> (its own pool),
    /// sharing <paramref name="cases"/> between them. The nodes' connections are closed before the counters are read,
    /// so each backend has reported its counts.
    /// </summary>
    public async Task<PathStep> PostgresAsync(string connectionString, int writers, int cases, CancellationToken ct)
    {
        await RunNodesAsync(connectionString, writers, WarmUpCases, ct);
        _postgresCases += writers * WarmUpCases;
        var before = await PostgresActivity.ReadSettledAsync(monitorConnectionString, ct);
        await statements.ResetAsync(ct);
        int share = cases / writers;
        var elapsed = await RunNodesAsync(connectionString, writers, share, ct);
        var ran = await statements.ReadAsync(ct);
        var after = await PostgresActivity.ReadSettledAsync(monitorConnectionString, ct);
        long wal = await after.WalBytesSinceAsync(before, monitorConnectionString, ct);
        _postgresCases += writers * share;
        using var check = new PostgresCaseDatabase(connectionString);
        bool dispatched = await AllDispatchedAsync(check, _postgresCases, ct);
        return new PathStep("PostgreSQL", writers, writers * share, elapsed, ran, after.Commits - before.Commits, after.RowsWritten - before.RowsWritten,
            after.UserTableRowsWritten - before.UserTableRowsWritten, wal, after.DatabaseBytes - before.DatabaseBytes, null, dispatched);
    }

    private async Task<TimeSpan> RunNodesAsync(string connectionString, int writers, int casesEach, CancellationToken ct)
    {
        int firstIndex = _nextNode;
        _nextNode += writers;
        var databases = Enumerable.Range(0, writers)
            .Select(i => new PostgresCaseDatabase(connectionString) { SpoolOwner = string.Create(CultureInfo.InvariantCulture, $"node-{firstIndex + i:D2}") })
            .ToList();
        try
        {
            var nodes = databases.Select((database, i) => new CaseFlowNode(database, firstIndex + i, records)).ToList();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(nodes.Select(node => Task.Run(() => node.RunAsync(casesEach, ct), ct)));
            return clock.Elapsed;
        }
        finally
        {
            foreach (var database in databases) database.Dispose();
        }
    }

    private static async Task<bool> AllDispatchedAsync(CaseDatabase database, long expected, CancellationToken ct)
    {
        var counts = await new CaseStore(database).CountByStatusAsync(new CaseQuery(), ct);
        return counts[CaseStatus.Dispatched] == expected && counts.Values.Sum() == expected;
    }

    private static void Checkpoint(SqliteCaseDatabase database)
    {
        using var connection = database.OpenSqlite();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
    }

    /// <summary>Bytes this process has handed to write(2) and its kin, all files together (Linux).</summary>
    private static long ProcessBytesWritten()
    {
        foreach (string line in File.ReadLines("/proc/self/io"))
            if (line.StartsWith("wchar:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException("/proc/self/io has no wchar line");
    }
}
