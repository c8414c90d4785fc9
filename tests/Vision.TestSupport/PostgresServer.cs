using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Vision.TestSupport;

/// <summary>
/// A throwaway PostgreSQL 15 cluster on 127.0.0.1 (Debian's binaries), made and run by scripts/postgres.sh in a temp
/// folder on a free port: as Debian's postgres user when this process is root. It stops by itself when this process
/// dies; dispose stops it and deletes the folder. Needs only Npgsql, so benchmarks can link this file.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private const int PortInUseExitCode = 3;
    private const int PortAttempts = 5;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    private readonly string _script;
    private readonly int _stopWithProcessId;

    private PostgresServer(string script, string directory, int port, int stopWithProcessId, string connectionString)
    {
        _script = script;
        Directory = directory;
        Port = port;
        _stopWithProcessId = stopWithProcessId;
        ConnectionString = connectionString;
    }

    /// <summary>Null when Debian's PostgreSQL 15 is installed; otherwise why not (tests skip with it).</summary>
    public static string? UnavailableReason { get; } =
        File.Exists(Path.Combine(BinDirectory, "initdb")) ? null : "PostgreSQL 15 is not installed: run scripts/install-test-servers.sh";

    /// <summary>The cluster's folder (data/, socket/, server.log); deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The TCP port on 127.0.0.1, the same for the server's life.</summary>
    public int Port { get; }

    /// <summary>Role vision (password, may create databases) on database vision, over TCP.</summary>
    public string ConnectionString { get; }

    /// <summary>The superuser postgres over the cluster's unix socket, for what role vision may not do.</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = Path.Combine(Directory, "socket"),
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        Pooling = false,
    }.ConnectionString;

    /// <summary>The server's log (PostgreSQL's messages, for a failing test's output).</summary>
    public string LogPath => Path.Combine(Directory, "server.log");

    /// <summary>Makes a cluster in a fresh temp folder and starts it on a free loopback port.</summary>
    /// <param name="script">scripts/postgres.sh of this checkout.</param>
    /// <param name="stopWithProcessId">The cluster stops once this process exits; by default this one.</param>
    /// <exception cref="InvalidOperationException">PostgreSQL is missing or the script failed; the message holds what it said</exception>
    public static async Task<PostgresServer> StartAsync(string script, int? stopWithProcessId = null, CancellationToken cancellationToken = default)
    {
        if (UnavailableReason is { } reason) throw new InvalidOperationException(reason);
        if (!File.Exists(script)) throw new FileNotFoundException("scripts/postgres.sh not found", script);
        int owner = stopWithProcessId ?? Environment.ProcessId;
        // Short: the unix socket's path must stay under the kernel's 107 bytes.
        string directory = Path.Combine(Path.GetTempPath(), "vision-pg-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                int port = FreePort();
                var run = await RunScriptAsync(script, ["start", directory, Text(port), "--stop-with", Text(owner)], cancellationToken);
                if (run.ExitCode == 0) return new PostgresServer(script, directory, port, owner, run.StdOut.Trim());
                // Another process took the port between FreePort and the server's bind: the next one.
                if (run.ExitCode != PortInUseExitCode || attempt == PortAttempts)
                    throw new InvalidOperationException($"scripts/postgres.sh start failed (exit {run.ExitCode}): {run.StdErr.Trim()}");
            }
        }
        catch
        {
            await RunScriptAsync(script, ["stop", directory], CancellationToken.None);
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>
    /// Creates an empty database owned by role vision and returns its connection string, so each test has its own.
    /// </summary>
    /// <param name="name">Letters, digits and _, not starting with a digit, at most 63 characters; used as given (case kept).</param>
    /// <exception cref="InvalidOperationException">a database of that name exists already</exception>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!DatabaseName().IsMatch(name))
            throw new ArgumentException($"database name '{name}': use letters, digits and _, not starting with a digit, at most 63 characters", nameof(name));
        // No pool: an idle connection left behind would hold on to database vision.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                throw new InvalidOperationException($"database {name} already exists in the test cluster at {Directory}: give each test its own name", e);
            }
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server (fast shutdown: connections drop), keeping its data and port. Idempotent.</summary>
    public async Task StopAsync()
    {
        var run = await RunScriptAsync(_script, ["stop", Directory], CancellationToken.None);
        if (run.ExitCode != 0) throw new InvalidOperationException($"scripts/postgres.sh stop {Directory} failed (exit {run.ExitCode}): {run.StdErr.Trim()}");
    }

    /// <summary>Starts the server again on the same port with its data (after <see cref="StopAsync"/>).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var run = await RunScriptAsync(_script, ["start", Directory, Text(Port), "--stop-with", Text(_stopWithProcessId)], cancellationToken);
        if (run.ExitCode != 0) throw new InvalidOperationException($"scripts/postgres.sh start {Directory} {Port} failed (exit {run.ExitCode}): {run.StdErr.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            DeleteDirectory(Directory);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // never made, or already gone
        }
    }

    /// <summary>bash scripts/postgres.sh with <paramref name="arguments"/>; its stdout may hold a password, so callers keep it out of messages.</summary>
    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunScriptAsync(string script, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(script);
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = startInfo };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"scripts/postgres.sh {arguments[0]} did not finish within {ScriptTimeout.TotalSeconds:F0} s: {stderr.ToString().Trim()}");
        }
        lock (stdout) lock (stderr) return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
