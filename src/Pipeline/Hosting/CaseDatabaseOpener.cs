using Npgsql;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Hosting;

/// <summary>Opens the configured case database and brings its schema up to date, with one clear message when it cannot.</summary>
internal static class CaseDatabaseOpener
{
    public const string NodeIdVariable = "VISION_NODE_ID";

    /// <summary>This node's name in a cluster: VISION_NODE_ID, else the host name (a Kubernetes pod's name).</summary>
    public static string NodeId()
    {
        var id = Environment.GetEnvironmentVariable(NodeIdVariable);
        return string.IsNullOrWhiteSpace(id) ? Environment.MachineName : id.Trim();
    }

    /// <exception cref="UsageException">the database cannot be opened or migrated (the message says what to do)</exception>
    public static CaseDatabase Open(VisionConfig config)
    {
        if (config.Database.Backend == DatabaseBackend.Sqlite) return OpenSqlite(config.Evidence.Directory);
        // The spool and cases.jsonl live there whichever database holds the cases.
        try { Directory.CreateDirectory(config.Evidence.Directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot create evidence.directory {config.Evidence.Directory}: {e.Message}"); }
        return OpenPostgres(config.Database);
    }

    /// <summary>Whether a case database file exists for commands that only read one (PostgreSQL: always).</summary>
    public static bool Exists(VisionConfig config, out string where)
    {
        where = Path.Combine(config.Evidence.Directory, SqliteCaseDatabase.FileName);
        return config.Database.Backend == DatabaseBackend.Postgres || File.Exists(where);
    }

    public static CaseDatabase OpenSqlite(string evidenceDirectory)
    {
        string path = Path.Combine(evidenceDirectory, SqliteCaseDatabase.FileName);
        try
        {
            return new SqliteCaseDatabase(path).Migrate();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new UsageException($"cannot open the case database {path}: {e.Message}");
        }
    }

    /// <summary>
    /// <c>vision run</c>'s open: a PostgreSQL server that is not up yet, restarting or unreachable for a while is waited
    /// for (back-off from 1 s to 30 s, each try said on <paramref name="progress"/>), so a node started before its
    /// database, or restarted during an outage, comes up with it instead of exiting. Mistakes a retry cannot fix (a
    /// wrong password, no such database, a malformed connection string) still end the start with their message.
    /// </summary>
    public static async Task<CaseDatabase> OpenWaitingAsync(VisionConfig config, TextWriter progress, TimeProvider clock, CancellationToken ct)
    {
        var backoff = new Retry.ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), Random.Shared);
        var started = clock.GetUtcNow();
        while (true)
        {
            try
            {
                return Open(config);
            }
            catch (CaseDatabaseUnavailableException e)
            {
                var delay = backoff.Next();
                await progress.WriteLineAsync($"vision run: {e.Message}; waiting for it ({(clock.GetUtcNow() - started).TotalSeconds:0} s so far, next try in {delay.TotalSeconds:0.0} s)").ConfigureAwait(false);
                await Task.Delay(delay, clock, ct).ConfigureAwait(false);
            }
        }
    }

    private static CaseDatabase OpenPostgres(DatabaseConfig database)
    {
        string connectionString = ConnectionString(database);
        PostgresCaseDatabase? opened = null;
        try
        {
            opened = new PostgresCaseDatabase(connectionString) { SpoolOwner = NodeId() };
            return opened.Migrate();
        }
        catch (Exception e) when (e is InvalidOperationException or NpgsqlException or TimeoutException)
        {
            string where = opened?.Description ?? "PostgreSQL";
            opened?.Dispose();
            if (DatabaseFailure.IsUnavailable(e))
                throw new CaseDatabaseUnavailableException($"the case database ({where}) does not answer: {Reason(e)}");
            throw new UsageException($"cannot open the case database ({where}): {Reason(e)}; check that the server is up and the connection string in {Source(database)} is right");
        }
    }

    private static string ConnectionString(DatabaseConfig database)
    {
        if (database.ConnectionStringVariable is { } variable)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(value))
                throw new UsageException($"database.connection_string_env names {variable}, which is not set: set it to the PostgreSQL connection string (Host=...;Username=...;Password=...;Database=...)");
            return value.Trim();
        }
        string file = database.ConnectionStringFile!;
        try
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length == 0) throw new UsageException($"database.connection_string_file {file} is empty: write the PostgreSQL connection string in it");
            return text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read database.connection_string_file {file}: {e.Message}");
        }
    }

    private static string Source(DatabaseConfig database) =>
        database.ConnectionStringVariable is { } v ? $"${v}" : database.ConnectionStringFile!;

    // Npgsql's messages name the host, user and database, never the password.
    private static string Reason(Exception e) => DatabaseFailure.Describe(e);
}

/// <summary>The case database could not be reached for now (down, starting up, a dropped connection): trying again later is right.</summary>
internal sealed class CaseDatabaseUnavailableException(string message) : Exception(message);
