using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Vision.Storage;

namespace Vision.ClusterBench;

/// <summary>
/// Fills a migrated, empty cases table fast, keeping the schema as Vision made it: the secondary indexes are read back
/// from the database, dropped, and made again after the rows are in (one sort per index instead of a million inserts).
/// </summary>
public static class QueueLoaders
{
    /// <summary>When each backend had its rows, indexes and statistics, and the records' total UTF-8 size.</summary>
    public sealed record Loaded(TimeSpan Sqlite, TimeSpan Postgres, long RecordBytes);

    /// <summary>
    /// Loads both at once from one pass over <paramref name="rows"/> (each record is made once, and the two loads
    /// share the machine's cores).
    /// </summary>
    public static async Task<Loaded> LoadBothAsync(IEnumerable<QueueRow> rows, SqliteCaseDatabase sqlite, string postgresConnectionString, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var toSqlite = new BlockingCollection<QueueRow>(10_000);
        using var toPostgres = new BlockingCollection<QueueRow>(10_000);
        var clock = Stopwatch.StartNew();
        long recordBytes = 0;
        var producing = Task.Run(() =>
        {
            try
            {
                foreach (var row in rows)
                {
                    recordBytes += SyntheticRecords.Encoded(row.Record);
                    toSqlite.Add(row, failed.Token);
                    toPostgres.Add(row, failed.Token);
                }
            }
            finally
            {
                toSqlite.CompleteAdding();
                toPostgres.CompleteAdding();
            }
        }, failed.Token);
        async Task<TimeSpan> Loading(Func<Task> load)
        {
            try
            {
                await load();
                return clock.Elapsed;
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }
        var sqliteDone = Loading(() => Task.Run(() => LoadSqlite(sqlite, toSqlite.GetConsumingEnumerable(failed.Token)), failed.Token));
        var postgresDone = Loading(() => Task.Run(() => LoadPostgresAsync(postgresConnectionString, toPostgres.GetConsumingEnumerable(failed.Token), failed.Token), failed.Token));
        await Task.WhenAll(producing, sqliteDone, postgresDone);
        return new Loaded(await sqliteDone, await postgresDone, recordBytes);
    }

    /// <summary>COPY (binary, FREEZE: the rows are visible to all from the start, as a vacuumed table's are), then the indexes, then ANALYZE.</summary>
    public static async Task LoadPostgresAsync(string connectionString, IEnumerable<QueueRow> rows, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, "SET maintenance_work_mem = '256MB'", ct);
        var indexes = new List<(string Name, string Definition)>();
        await using (var read = new NpgsqlCommand("""
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = 'cases'::regclass AND NOT x.indisprimary AND NOT x.indisunique ORDER BY i.relname
            """, connection))
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) indexes.Add((reader.GetString(0), reader.GetString(1)));

        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            // FREEZE needs the table emptied in the same transaction; the tables that refer to cases are empty too.
            await ExecuteAsync(connection, "TRUNCATE cases CASCADE", ct);
            foreach (var (name, _) in indexes) await ExecuteAsync(connection, $"DROP INDEX {name}", ct);
            using (var copy = connection.BeginBinaryImport("""
                COPY cases (case_id, camera_id, rule_id, violation, zone_id, started_at_ms, confirmed_at_ms, confidence, status, status_at_ms, status_by, record, version, plate)
                FROM STDIN (FORMAT BINARY, FREEZE)
                """))
            {
                copy.Timeout = TimeSpan.FromMinutes(30);
                foreach (var row in rows)
                {
                    copy.StartRow();
                    copy.Write(row.CaseId, NpgsqlDbType.Text);
                    copy.Write(row.CameraId, NpgsqlDbType.Text);
                    copy.Write(row.RuleId, NpgsqlDbType.Text);
                    copy.Write(row.Violation, NpgsqlDbType.Text);
                    copy.Write(row.ZoneId, NpgsqlDbType.Text);
                    copy.Write(row.StartedAtMs, NpgsqlDbType.Bigint);
                    copy.Write(row.ConfirmedAtMs, NpgsqlDbType.Bigint);
                    copy.Write(row.Confidence, NpgsqlDbType.Double);
                    copy.Write(row.Status, NpgsqlDbType.Text);
                    copy.Write(row.StatusAtMs, NpgsqlDbType.Bigint);
                    copy.Write(row.StatusBy, NpgsqlDbType.Text);
                    copy.Write(row.Record, NpgsqlDbType.Text);
                    copy.Write(row.Version, NpgsqlDbType.Bigint);
                    if (row.Plate is null) copy.WriteNull(); else copy.Write(row.Plate, NpgsqlDbType.Text);
                }
                copy.Complete();
            }
            await tx.CommitAsync(ct);
        }
        foreach (var (_, definition) in indexes) await ExecuteAsync(connection, definition, ct);
        await ExecuteAsync(connection, "ANALYZE cases", ct);
    }

    /// <summary>Inserts in transactions of 50,000 with synchronous=OFF on the loading connection only, then the indexes, then ANALYZE.</summary>
    public static void LoadSqlite(SqliteCaseDatabase database, IEnumerable<QueueRow> rows)
    {
        using var connection = database.OpenSqlite();
        Execute(connection, "PRAGMA synchronous=OFF");
        var indexes = new List<(string Name, string Definition)>();
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL ORDER BY name";
            using var reader = read.ExecuteReader();
            while (reader.Read()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes) Execute(connection, $"DROP INDEX {name}");

        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO cases (case_id, camera_id, rule_id, violation, zone_id, started_at_ms, confirmed_at_ms, confidence, status, status_at_ms, status_by, record, version, plate)
            VALUES ($id, $camera, $rule, $violation, $zone, $started, $confirmed, $confidence, $status, $status_at, $by, $record, $version, $plate)
            """;
        var p = new[] { "$id", "$camera", "$rule", "$violation", "$zone", "$started", "$confirmed", "$confidence", "$status", "$status_at", "$by", "$record", "$version", "$plate" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        insert.Prepare();
        var tx = connection.BeginTransaction();
        insert.Transaction = tx;
        int inBatch = 0;
        foreach (var row in rows)
        {
            p[0].Value = row.CaseId; p[1].Value = row.CameraId; p[2].Value = row.RuleId; p[3].Value = row.Violation; p[4].Value = row.ZoneId;
            p[5].Value = row.StartedAtMs; p[6].Value = row.ConfirmedAtMs; p[7].Value = row.Confidence; p[8].Value = row.Status; p[9].Value = row.StatusAtMs;
            p[10].Value = row.StatusBy; p[11].Value = row.Record; p[12].Value = row.Version; p[13].Value = (object?)row.Plate ?? DBNull.Value;
            insert.ExecuteNonQuery();
            if (++inBatch == 50_000)
            {
                tx.Commit();
                tx.Dispose();
                tx = connection.BeginTransaction();
                insert.Transaction = tx;
                inBatch = 0;
            }
        }
        tx.Commit();
        tx.Dispose();
        foreach (var (_, definition) in indexes) Execute(connection, definition);
        Execute(connection, "ANALYZE");
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }
}
