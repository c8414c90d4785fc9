using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Vision.ClusterBench;
using Vision.TestSupport;
using Vision.Storage;

// SQLite against PostgreSQL on this machine, in one run (bench/README.md, "Cluster database"):
//  1. writes, bytes and cases/s on the case path (record → evidence stored and released → delivered), SQLite's one
//     node against 1, 4 and 16 PostgreSQL nodes writing at once;
//  2. the review queue's queries over --cases cases in each.
// Progress goes to stderr; the tables (Markdown) to stdout.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (PostgresServer.UnavailableReason is { } missing)
{
    Console.Error.WriteLine($"cluster bench: {missing}");
    return 2;
}

var inv = CultureInfo.InvariantCulture;
var ct = CancellationToken.None;
var total = Stopwatch.StartNew();
void Progress(string line) => Console.Error.WriteLine(string.Create(inv, $"[{total.Elapsed.TotalSeconds,6:0.0} s] {line}"));

string root = ProjectRoot();
string folder = Directory.CreateTempSubdirectory("vision-cluster-bench-").FullName;
try
{
    Progress("starting PostgreSQL");
    await using var server = await PostgresServer.StartAsync(Path.Combine(root, "scripts", "postgres.sh"), cancellationToken: ct);
    string pathDatabase = await server.CreateDatabaseAsync("case_path", ct);
    string queueDatabase = await server.CreateDatabaseAsync("review_queue", ct);
    string pathMonitor = new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = "case_path" }.ConnectionString;
    var statements = await PostgresStatements.EnableAsync(server, pathMonitor, ct);
    new PostgresCaseDatabase(pathDatabase).Migrate().Dispose();
    string serverSettings = await ServerSettingsAsync(pathDatabase, ct);

    var records = new SyntheticRecords(options.RecordBytes);
    var path = new CasePathBench(records, statements, pathMonitor);
    var steps = new List<PathStep>();

    Progress($"case path: SQLite, {options.PathCases} cases");
    Directory.CreateDirectory(Path.Combine(folder, "path"));
    steps.Add(await path.SqliteAsync(Path.Combine(folder, "path"), options.PathCases, ct));
    foreach (int writers in options.Writers)
    {
        Progress($"case path: PostgreSQL, {writers} writer(s), {options.PathCases} cases");
        steps.Add(await path.PostgresAsync(pathDatabase, writers, options.PathCases, ct));
    }

    var rows = new QueueRows(options.QueueCases, DateTimeOffset.UtcNow, records);
    Progress($"review queue: loading {options.QueueCases:N0} cases into SQLite and PostgreSQL (COPY) at once");
    var sqlite = new SqliteCaseDatabase(Path.Combine(folder, "queue", SqliteCaseDatabase.FileName)).Migrate();
    using var postgres = new PostgresCaseDatabase(queueDatabase).Migrate();
    var loaded = await QueueLoaders.LoadBothAsync(rows.Rows(), sqlite, queueDatabase, ct);
    long sqliteBytes = new FileInfo(sqlite.Path).Length;
    long postgresBytes = await ScalarAsync(queueDatabase, "SELECT pg_total_relation_size('cases')", ct);

    Progress($"review queue: timing {options.Runs} runs of each query on both");
    var queries = new List<QueueQuery> { QueueQuery.Find("one case by id (the fixed cost of a call)", rows.Middle().CaseId) };
    queries.AddRange(rows.Queries().Select(q => QueueQuery.List(q.Name, q.Query)));
    queries.Add(QueueQuery.Counts("counts per status, all cases", new CaseQuery()));
    queries.Add(QueueQuery.Counts("counts per status, one camera", new CaseQuery(CameraId: QueueRows.Camera(42))));
    var timings = await QueueTimings.MeasureAsync(new CaseStore(sqlite), new CaseStore(postgres), queries, options.Runs, ct);

    Console.WriteLine(string.Create(inv, $"""
        ## Cluster database: SQLite and PostgreSQL on one machine

        Machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end; .NET {Environment.Version}; {serverSettings}.
        Records: {records.Photos} evidence photo(s) each, {loaded.RecordBytes / (double)options.QueueCases:N0} bytes on average (UTF-8 JSON).

        ### Case path (record, evidence stored and released, delivered), {options.PathCases} cases per step

        """));
    Report.CasePath(steps);
    Console.WriteLine(string.Create(inv, $"""

        ### Review queue over {options.QueueCases:N0} cases, {options.Runs} runs each (nearest-rank median and p95)

        Loaded both at once (rows, then indexes, then ANALYZE): SQLite done after {loaded.Sqlite.TotalSeconds:0.0} s ({sqliteBytes / 1e6:N0} MB file), PostgreSQL after {loaded.Postgres.TotalSeconds:0.0} s (COPY; the cases table with its indexes and TOAST {postgresBytes / 1e6:N0} MB).

        """));
    Report.Queue(timings);
    Console.WriteLine(string.Create(inv, $"\nWhole run: {total.Elapsed.TotalSeconds:0} s."));
    return steps.All(s => s.AllDispatched) && timings.All(t => t.SqliteResult.Compared == t.PostgresResult.Compared) ? 0 : 1;
}
finally
{
    NpgsqlConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static string ProjectRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vision.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException($"cannot find Vision.sln above {AppContext.BaseDirectory}: run the bench from its build folder in the checkout");
}

static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken ct)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
}

static async Task<string> ServerSettingsAsync(string connectionString, CancellationToken ct)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('shared_buffers'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_level')", connection);
    await using var reader = await command.ExecuteReaderAsync(ct);
    await reader.ReadAsync(ct);
    return $"PostgreSQL {reader.GetString(0)} on loopback, pg_stat_statements loaded (shared_buffers {reader.GetString(1)}, fsync {reader.GetString(2)}, synchronous_commit {reader.GetString(3)}, wal_level {reader.GetString(4)}); SQLite WAL, synchronous=FULL";
}
