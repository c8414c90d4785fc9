using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Vision.Storage;

/// <summary>
/// The node's embedded SQLite database (WAL, synchronous=FULL so a committed row survives a power cut). Its schema
/// grows by numbered migrations recorded in <c>PRAGMA user_version</c>: opening an older file upgrades it in one
/// transaction per step, and a file from a newer Vision is refused rather than misread.
/// </summary>
public sealed class SqliteCaseDatabase : CaseDatabase
{
    public const string FileName = "vision.db";

    private static readonly (int Version, string Sql)[] Migrations =
    [
        (1, """
            CREATE TABLE evidence_cases (
              case_id         TEXT PRIMARY KEY,
              camera_id       TEXT NOT NULL,
              rule_id         TEXT NOT NULL,
              violation       TEXT NOT NULL,
              confirmed_at_ms INTEGER NOT NULL,
              key_prefix      TEXT NOT NULL,
              objects         TEXT NOT NULL,
              bytes           INTEGER NOT NULL,
              state           TEXT NOT NULL,
              spooled_at_ms   INTEGER NOT NULL,
              stored_at_ms    INTEGER,
              attempts        INTEGER NOT NULL DEFAULT 0,
              last_error      TEXT,
              hold            INTEGER NOT NULL DEFAULT 0,
              hold_reason     TEXT,
              expired_at_ms   INTEGER
            );
            CREATE INDEX ix_evidence_cases_state ON evidence_cases(state, confirmed_at_ms);
            """),
        (2, """
            CREATE TABLE cases (
              case_id         TEXT PRIMARY KEY,
              camera_id       TEXT NOT NULL,
              rule_id         TEXT NOT NULL,
              violation       TEXT NOT NULL,
              zone_id         TEXT NOT NULL,
              started_at_ms   INTEGER NOT NULL,
              confirmed_at_ms INTEGER NOT NULL,
              confidence      REAL NOT NULL,
              status          TEXT NOT NULL,
              status_at_ms    INTEGER NOT NULL,
              status_by       TEXT,
              status_reason   TEXT,
              status_note     TEXT,
              record          TEXT NOT NULL
            );
            CREATE INDEX ix_cases_status_time    ON cases(status, confirmed_at_ms DESC);
            CREATE INDEX ix_cases_camera_time    ON cases(camera_id, confirmed_at_ms DESC);
            CREATE INDEX ix_cases_violation_time ON cases(violation, confirmed_at_ms DESC);
            CREATE INDEX ix_cases_time           ON cases(confirmed_at_ms DESC);
            CREATE TABLE case_history (
              id       INTEGER PRIMARY KEY AUTOINCREMENT,
              case_id  TEXT NOT NULL REFERENCES cases(case_id),
              status   TEXT NOT NULL,
              at_ms    INTEGER NOT NULL,
              actor    TEXT,
              reason   TEXT,
              note     TEXT,
              address  TEXT
            );
            CREATE INDEX ix_case_history_case ON case_history(case_id, id);
            CREATE TABLE outbox (
              id                 INTEGER PRIMARY KEY AUTOINCREMENT,
              case_id            TEXT NOT NULL UNIQUE REFERENCES cases(case_id),
              camera_id          TEXT NOT NULL,
              state              TEXT NOT NULL,
              attempts           INTEGER NOT NULL DEFAULT 0,
              created_at_ms      INTEGER NOT NULL,
              next_attempt_at_ms INTEGER NOT NULL,
              last_attempt_at_ms INTEGER,
              last_status        INTEGER,
              last_error         TEXT,
              delivered_at_ms    INTEGER,
              receipt            TEXT
            );
            CREATE INDEX ix_outbox_pending ON outbox(state, camera_id, id);
            """),
        (3, """
            CREATE TABLE users (
              username        TEXT PRIMARY KEY COLLATE NOCASE,
              display_name    TEXT NOT NULL,
              role            TEXT NOT NULL,
              password_hash   TEXT NOT NULL,
              failed_sign_ins INTEGER NOT NULL DEFAULT 0,
              locked_until_ms INTEGER,
              created_at_ms   INTEGER NOT NULL
            );
            CREATE INDEX ix_case_history_status_time ON case_history(status, at_ms);
            """),
        (4, """
            CREATE TABLE console_sessions (
              id_hash       TEXT PRIMARY KEY,
              username      TEXT NOT NULL COLLATE NOCASE,
              address       TEXT,
              created_at_ms INTEGER NOT NULL,
              seen_at_ms    INTEGER NOT NULL,
              revoked_at_ms INTEGER
            );
            CREATE INDEX ix_console_sessions_user ON console_sessions(username, address, created_at_ms);
            ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE case_history ADD COLUMN changed_from TEXT;
            ALTER TABLE case_history ADD COLUMN change_reason TEXT;
            """),
        (5, """
            ALTER TABLE cases ADD COLUMN plate TEXT;
            CREATE INDEX ix_cases_plate_time ON cases(plate, confirmed_at_ms DESC) WHERE plate IS NOT NULL;
            CREATE INDEX ix_cases_camera_plate ON cases(camera_id, plate, confirmed_at_ms DESC) WHERE plate IS NOT NULL;
            """),
        (6, """
            ALTER TABLE evidence_cases ADD COLUMN spool_node TEXT NOT NULL DEFAULT 'local';
            ALTER TABLE cases ADD COLUMN node_id TEXT;
            ALTER TABLE cases ADD COLUMN lease_token INTEGER;
            ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
            ALTER TABLE outbox ADD COLUMN claimed_until_ms INTEGER;
            ALTER TABLE outbox ADD COLUMN claim_token INTEGER NOT NULL DEFAULT 0;
            """),
        (7, """
            CREATE TABLE config_changes (
              id            INTEGER PRIMARY KEY AUTOINCREMENT,
              changed_at_ms INTEGER NOT NULL,
              username      TEXT NOT NULL,
              address       TEXT,
              camera_id     TEXT NOT NULL,
              file          TEXT NOT NULL,
              before_json   TEXT NOT NULL,
              after_json    TEXT NOT NULL
            );
            CREATE INDEX ix_config_changes_camera ON config_changes(camera_id, changed_at_ms DESC);
            """),
        (8, """
            ALTER TABLE users ADD COLUMN disabled_at_ms INTEGER;
            CREATE TABLE account_changes (
              id       INTEGER PRIMARY KEY AUTOINCREMENT,
              at_ms    INTEGER NOT NULL,
              actor    TEXT NOT NULL,
              address  TEXT,
              username TEXT NOT NULL COLLATE NOCASE,
              action   TEXT NOT NULL,
              detail   TEXT
            );
            CREATE INDEX ix_account_changes_user ON account_changes(username, at_ms DESC);
            """),
        // A camera's cases go to the dispatch core in the order of their confirmation: the message keeps its case's
        // confirmation time, indexed with the camera, so each camera's head is one index look-up.
        (9, """
            ALTER TABLE outbox ADD COLUMN confirmed_at_ms INTEGER;
            UPDATE outbox SET confirmed_at_ms = (SELECT c.confirmed_at_ms FROM cases c WHERE c.case_id = outbox.case_id) WHERE state <> 'delivered';
            CREATE INDEX ix_outbox_camera_order ON outbox(camera_id, confirmed_at_ms, id) WHERE state = 'pending';
            CREATE INDEX ix_outbox_camera_claims ON outbox(camera_id, claimed_until_ms) WHERE state = 'pending' AND claimed_until_ms IS NOT NULL;
            """),
    ];

    private readonly string _connectionString;

    public SqliteCaseDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public string Path { get; }

    public override string Description => Path;

    internal override SqlDialect Dialect => SqlDialect.Sqlite;

    /// <summary>The newest schema version this build knows.</summary>
    public static int SchemaVersion => Migrations[^1].Version;

    /// <summary>Creates the file when missing and brings its schema up to date.</summary>
    /// <exception cref="InvalidOperationException">the file was written by a newer Vision (its schema is unknown here)</exception>
    public override SqliteCaseDatabase Migrate()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var connection = OpenSqlite();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        int current = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
            throw new InvalidOperationException($"{Path} has schema version {current}, newer than this Vision knows ({SchemaVersion}): run the newer Vision, or restore a backup");
        foreach (var (version, sql) in Migrations)
        {
            if (version <= current) continue;
            using var tx = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql + $"\nPRAGMA user_version = {version};";
            command.ExecuteNonQuery();
            tx.Commit();
        }
        return this;
    }

    public override DbConnection Open() => OpenSqlite();

    public SqliteConnection OpenSqlite()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
