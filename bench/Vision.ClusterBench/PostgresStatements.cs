using Npgsql;
using Vision.TestSupport;

namespace Vision.ClusterBench;

/// <summary>
/// The statements the server ran for role vision in one database, counted by pg_stat_statements (utility statements
/// too: BEGIN, COMMIT, DISCARD ALL), grouped by their first word. Loading the extension needs a restart, so it is done
/// once, before anything is measured.
/// </summary>
public sealed class PostgresStatements(string adminConnectionString)
{
    /// <summary>Preloads pg_stat_statements (ALTER SYSTEM, restart) and creates it in the database of <paramref name="adminConnectionString"/>.</summary>
    public static async Task<PostgresStatements> EnableAsync(PostgresServer server, string adminConnectionString, CancellationToken ct)
    {
        await ExecuteAsync(server.AdminConnectionString, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'", ct);
        NpgsqlConnection.ClearAllPools();
        await server.StopAsync();
        await server.RestartAsync(ct);
        await ExecuteAsync(adminConnectionString, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", ct);
        return new PostgresStatements(adminConnectionString);
    }

    public Task ResetAsync(CancellationToken ct) => ExecuteAsync(adminConnectionString, "SELECT pg_stat_statements_reset()", ct);

    /// <summary>Calls since the last reset by role vision in this database, per first word (INSERT, BEGIN, DISCARD, ...).</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReadAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT upper(split_part(regexp_replace(s.query, E'^(\\s*--[^\\n]*\\n)*[\\s(]*', ''), ' ', 1)) AS verb, sum(s.calls)::bigint
            FROM pg_stat_statements s
            WHERE s.userid = (SELECT oid FROM pg_roles WHERE rolname = 'vision')
              AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            GROUP BY verb ORDER BY verb
            """, connection);
        var calls = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string verb = reader.GetString(0).Split((char[])['\n', '\r', '\t'])[0];
            calls[verb] = calls.GetValueOrDefault(verb) + reader.GetInt64(1);
        }
        return calls;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
