using Npgsql;

namespace Vision.ClusterBench;

/// <summary>
/// What the server counted for one database at one moment: rows written (pg_stat_database, and the user tables alone),
/// transactions committed, the WAL position and the database's size.
/// </summary>
public sealed record PostgresActivity(long RowsWritten, long UserTableRowsWritten, long Commits, string WalLsn, long DatabaseBytes)
{
    /// <summary>
    /// The counters now. The server's statistics lag: a backend flushes its counts when it goes idle (at most once a
    /// second, or after up to 10 s) or exits, so callers close the connections they measure first; this waits until
    /// the counts of Vision's tables stop moving (autovacuum keeps changing the others).
    /// </summary>
    public static async Task<PostgresActivity> ReadSettledAsync(string connectionString, CancellationToken ct)
    {
        var last = await ReadAsync(connectionString, ct);
        for (int i = 0; i < 20; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            var now = await ReadAsync(connectionString, ct);
            if (now.UserTableRowsWritten == last.UserTableRowsWritten) return now;
            last = now;
        }
        return last;
    }

    /// <summary>WAL bytes from <paramref name="before"/> to this, as the server computes them (pg_wal_lsn_diff).</summary>
    public async Task<long> WalBytesSinceAsync(PostgresActivity before, string connectionString, CancellationToken ct)
    {
        await using var connection = await Open(connectionString, ct);
        await using var command = new NpgsqlCommand("SELECT pg_wal_lsn_diff(@after::pg_lsn, @before::pg_lsn)::bigint", connection);
        command.Parameters.AddWithValue("after", WalLsn);
        command.Parameters.AddWithValue("before", before.WalLsn);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<PostgresActivity> ReadAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = await Open(connectionString, ct);
        await using var command = new NpgsqlCommand("""
            SELECT d.tup_inserted + d.tup_updated + d.tup_deleted,
                   (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables),
                   d.xact_commit, pg_current_wal_lsn()::text, pg_database_size(current_database())
            FROM pg_stat_database d WHERE d.datname = current_database()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PostgresActivity(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4));
    }

    // Unpooled: the connection's backend exits on close, so nothing of the monitor's lingers in the counts.
    private static async Task<NpgsqlConnection> Open(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }
}
