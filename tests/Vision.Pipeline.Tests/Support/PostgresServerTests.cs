using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Support;

/// <summary>The throwaway PostgreSQL 15 of the tests (scripts/postgres.sh, Debian's binaries) on loopback.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private PostgresServer Server => fixture.Server;

    [PostgresFact]
    public async Task Role_vision_creates_a_table_inserts_and_reads_back_on_PostgreSQL_15()
    {
        var clock = Stopwatch.StartNew();
        string connectionString = await Server.CreateDatabaseAsync("round_trip");
        output.WriteLine($"CREATE DATABASE took {clock.Elapsed.TotalMilliseconds:F0} ms");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Assert.Equal("round_trip", connection.Database);
        Assert.Equal(15, connection.PostgreSqlVersion.Major);
        Assert.StartsWith("15", (string)(await Scalar(connection, "SHOW server_version"))!, StringComparison.Ordinal);

        await Execute(connection, "CREATE TABLE cases (id bigint PRIMARY KEY, camera text NOT NULL, raised_at timestamptz NOT NULL)");
        var raisedAt = new DateTime(2026, 3, 1, 8, 30, 15, DateTimeKind.Utc);
        await using (var insert = new NpgsqlCommand("INSERT INTO cases VALUES (@id, @camera, @raised_at)", connection))
        {
            insert.Parameters.AddWithValue("id", 42L);
            insert.Parameters.AddWithValue("camera", "东门路口-01");
            insert.Parameters.AddWithValue("raised_at", raisedAt);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        await using var select = new NpgsqlCommand("SELECT id, camera, raised_at FROM cases", connection);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(42L, reader.GetInt64(0));
        Assert.Equal("东门路口-01", reader.GetString(1));
        Assert.Equal(raisedAt, reader.GetDateTime(2));
        Assert.False(await reader.ReadAsync());
    }

    [PostgresFact]
    public async Task Each_created_database_has_its_own_tables_and_a_name_is_taken_once()
    {
        string first = await Server.CreateDatabaseAsync("isolated_a");
        string second = await Server.CreateDatabaseAsync("isolated_b");
        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            await Execute(connection, "CREATE TABLE outbox (id int)");
            Assert.Equal(1L, await Scalar(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'outbox'"));
        }
        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            Assert.Equal(0L, await Scalar(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'outbox'"));
        }

        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => Server.CreateDatabaseAsync("isolated_a"));
        Assert.Contains("isolated_a already exists", again.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Server.CreateDatabaseAsync("no-dashes\"; DROP"));
    }

    [PostgresFact]
    public async Task Over_tcp_only_role_vision_with_its_password_gets_in_and_the_server_listens_on_loopback_only()
    {
        var wrongPassword = new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Password = "not-the-password", Pooling = false };
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Open(wrongPassword.ConnectionString));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

        var superuserOverTcp = new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Username = "postgres", Password = null, Pooling = false };
        var noEntry = await Assert.ThrowsAsync<PostgresException>(() => Open(superuserOverTcp.ConnectionString));
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, noEntry.SqlState);

        await using var admin = new NpgsqlConnection(Server.AdminConnectionString);
        await admin.OpenAsync();
        Assert.Equal("127.0.0.1", await Scalar(admin, "SHOW listen_addresses"));
        Assert.Equal(true, await Scalar(admin, "SELECT rolcreatedb AND NOT rolsuper FROM pg_roles WHERE rolname = 'vision'"));
    }

    [PostgresFact]
    public async Task An_own_server_keeps_its_data_across_a_restart_and_dispose_deletes_its_folder()
    {
        var clock = Stopwatch.StartNew();
        var server = await PostgresServer.StartAsync(PostgresFixture.Script);
        output.WriteLine($"initdb + start took {clock.Elapsed.TotalMilliseconds:F0} ms");
        string directory = server.Directory;
        string connectionString;
        try
        {
            connectionString = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("restart")) { Pooling = false }.ConnectionString;
            await using (var connection = await Open(connectionString))
                await Execute(connection, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the restart')");

            clock.Restart();
            await server.StopAsync();
            output.WriteLine($"stop took {clock.Elapsed.TotalMilliseconds:F0} ms");
            await Assert.ThrowsAsync<NpgsqlException>(() => Open(connectionString));

            clock.Restart();
            await server.RestartAsync();
            output.WriteLine($"restart took {clock.Elapsed.TotalMilliseconds:F0} ms");
            await using (var connection = await Open(connectionString))
                Assert.Equal("before the restart", await Scalar(connection, "SELECT v FROM kept"));
        }
        finally
        {
            await server.DisposeAsync();
        }
        Assert.False(Directory.Exists(directory));
        await Assert.ThrowsAsync<NpgsqlException>(() => Open(connectionString));
    }

    [PostgresFact]
    public async Task A_cluster_stops_once_the_process_it_was_started_for_exits()
    {
        using var owner = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        var server = await PostgresServer.StartAsync(PostgresFixture.Script, stopWithProcessId: owner.Id);
        try
        {
            string connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString;
            await (await Open(connectionString)).DisposeAsync();

            owner.Kill();
            await owner.WaitForExitAsync();
            var clock = Stopwatch.StartNew();
            string pidFile = Path.Combine(server.Directory, "data", "postmaster.pid");
            await Eventually.TrueAsync(() => !File.Exists(pidFile), TimeSpan.FromSeconds(15), "the cluster stopped (postmaster.pid gone) after the process it was started for exited");
            output.WriteLine($"stopped {clock.Elapsed.TotalMilliseconds:F0} ms after its process exited");
            await Assert.ThrowsAsync<NpgsqlException>(() => Open(connectionString));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task<NpgsqlConnection> Open(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
