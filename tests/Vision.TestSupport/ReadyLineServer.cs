using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Vision.TestSupport;

/// <summary>
/// A test server run as a child process that prints <c>READY port=&lt;N&gt;</c> on stdout once it listens on port N and
/// exits 3 when it cannot bind its port. It can be stopped (killed: connections drop) and restarted on the same port.
/// Its stdin is redirected and never written, so a server that exits when stdin closes goes away with a crashed test host.
/// Keeps what the latest run wrote to stderr (the first 64 KiB) and its other stdout lines (the first 100 000).
/// </summary>
public sealed class ReadyLineServer : IAsyncDisposable
{
    private const string ReadyPrefix = "READY port=";
    private const int BindFailedExitCode = 3;
    private const int MaxStandardErrorChars = 64 * 1024;
    private const int MaxOutputLines = 100_000;
    private static readonly TimeSpan RebindFor = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan ExitAfterKillTimeout = TimeSpan.FromSeconds(10);

    private readonly string _name;
    private readonly Func<int, ProcessStartInfo> _startInfo;
    private readonly TimeSpan _readyTimeout;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Process? _process;
    private StringBuilder _stderr = new();
    private List<string> _outputLines = [];

    private ReadyLineServer(string name, Func<int, ProcessStartInfo> startInfo, TimeSpan readyTimeout)
    {
        _name = name;
        _startInfo = startInfo;
        _readyTimeout = readyTimeout;
    }

    /// <summary>The port from the first run's READY line, the same for the server's life.</summary>
    public int Port { get; private set; }

    /// <summary>True while the server process runs (false after <see cref="StopAsync"/> until <see cref="RestartAsync"/>).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the latest run wrote to stderr.</summary>
    public string StandardError
    {
        get
        {
            var stderr = _stderr;
            lock (stderr) return stderr.ToString();
        }
    }

    /// <summary>The lines the latest run printed on stdout, other than its READY line.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            var lines = _outputLines;
            lock (lines) return lines.ToList();
        }
    }

    /// <summary>Starts the server and waits for its READY line.</summary>
    /// <param name="name">The server's name in messages.</param>
    /// <param name="startInfo">The command for a port (0: any); its redirections are set here.</param>
    /// <param name="port">The port to listen on; 0 lets the server pick a free one.</param>
    /// <param name="readyTimeout">How long to wait for the READY line.</param>
    /// <exception cref="InvalidOperationException">the process exited or printed no READY line in time; the message holds its stderr</exception>
    public static async Task<ReadyLineServer> StartAsync(string name, Func<int, ProcessStartInfo> startInfo, int port, TimeSpan readyTimeout)
    {
        var server = new ReadyLineServer(name, startInfo, readyTimeout);
        server.Port = await server.StartProcessAsync(port);
        return server;
    }

    /// <summary>Kills the server (connections drop) and waits for it to exit. Idempotent.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            await StopCoreAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the server if running and starts it again on the same port, retrying the bind for a few seconds.</summary>
    public async Task RestartAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            await StopCoreAsync();
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await StartProcessAsync(Port);
                    return;
                }
                catch (BindFailedException) when (clock.Elapsed < RebindFor)
                {
                    await Task.Delay(200);
                }
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopCoreAsync()
    {
        var process = _process;
        _process = null;
        if (process is not null) await KillAsync(process);
    }

    /// <summary>Starts a run on <paramref name="port"/> and returns the port from its READY line.</summary>
    private async Task<int> StartProcessAsync(int port)
    {
        var startInfo = _startInfo(port);
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        var process = new Process { StartInfo = startInfo };
        var stderr = new StringBuilder();
        var outputLines = new List<string>();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(ReadyPrefix.Length), CultureInfo.InvariantCulture, out int readyPort))
                ready.TrySetResult(readyPort);
            else
                lock (outputLines) if (outputLines.Count < MaxOutputLines) outputLines.Add(line);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) if (stderr.Length < MaxStandardErrorChars) stderr.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(_readyTimeout));
        if (first == ready.Task)
        {
            _process = process;
            _stderr = stderr;
            _outputLines = outputLines;
            return ready.Task.Result;
        }
        string Errors()
        {
            lock (stderr) return stderr.ToString().Trim();
        }
        if (first == exited)
        {
            await exited; // output drained
            int code = process.ExitCode;
            string message = $"{_name} exited {code} before READY (port {port}): {Errors()}";
            process.Dispose();
            if (code == BindFailedExitCode) throw new BindFailedException(message);
            throw new InvalidOperationException(message);
        }
        await KillAsync(process);
        throw new InvalidOperationException($"{_name} printed no READY within {_readyTimeout.TotalSeconds:F0} s (port {port}): {Errors()}");
    }

    private async Task KillAsync(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        using var cts = new CancellationTokenSource(ExitAfterKillTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"{_name} (pid {process.Id}) did not exit {ExitAfterKillTimeout.TotalSeconds:F0} s after kill");
        }
        process.Dispose();
    }

    /// <summary>The process exited 3: it could not bind its port (e.g. still held just after a stop).</summary>
    private sealed class BindFailedException(string message) : InvalidOperationException(message);
}
