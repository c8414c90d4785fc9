using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Vision.Pipeline.Tests.Live;
using Vision.Storage;
using Vision.Tests.Common;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>
/// An S3 server for tests: s3rver 3.7.1 (npm, installed into .tools/s3rver by scripts/install-test-servers.sh) run by
/// node as a child process on 127.0.0.1, storing objects under a temp <see cref="Directory"/>. It accepts the access key
/// S3RVER and does not check Signature V4 signatures, so a wrong secret key goes unnoticed here. The port and the directory
/// stay the same across <see cref="StopAsync"/> and <see cref="RestartAsync"/>, so stored objects survive an outage.
/// </summary>
public sealed partial class S3TestServer : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Region = "us-east-1";
    public const string Version = "3.7.1";

    /// <summary>s3rver's file for an object's bytes: <c>&lt;dir&gt;/&lt;bucket&gt;/&lt;key&gt;._S3rver_object</c> (beside it <c>.md5</c> and <c>._S3rver_metadata.json</c>).</summary>
    private const string ObjectSuffix = "._S3rver_object";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RebindFor = TimeSpan.FromSeconds(8);
    private static readonly Lazy<string?> Unavailable = new(FindUnavailableReason);

    // Runs s3rver in-process (not its CLI) to print a parseable READY line, to tell a busy port apart (exit 3)
    // and to exit when stdin closes, so a crashed test host leaves no server behind. Not silent: the request log is kept.
    private const string Launcher = """
        const [pkg, dir, port] = process.argv.slice(1);
        process.on('uncaughtException', e => { console.error(String(e && e.stack || e)); process.exit(e && e.code === 'EADDRINUSE' ? 3 : 1); });
        process.stdin.on('end', () => process.exit(0));
        process.stdin.resume();
        const S3rver = require(pkg);
        new S3rver({ address: '127.0.0.1', port: Number(port), directory: dir, silent: false }).run()
          .then(a => console.log('READY port=' + a.port))
          .catch(e => { console.error(String(e && e.stack || e)); process.exit(e && e.code === 'EADDRINUSE' ? 3 : 1); });
        """;

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ServerProcess? _process;

    private S3TestServer(string directory, ServerProcess process)
    {
        Directory = directory;
        _process = process;
        Port = process.Port;
    }

    /// <summary>The npm prefix s3rver is installed into.</summary>
    public static string ToolDirectory => Path.Combine(SharedData.ProjectRoot, ".tools", "s3rver");

    public static string PackageDirectory => Path.Combine(ToolDirectory, "node_modules", "s3rver");

    /// <summary>Null when .tools/s3rver holds s3rver 3.7.1 and node runs it; otherwise why not (tests skip with it).</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>The TCP port on 127.0.0.1, the same for the server's life.</summary>
    public int Port { get; }

    /// <summary>Where s3rver keeps buckets and objects; deleted on dispose.</summary>
    public string Directory { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What s3rver wrote to stderr (this run).</summary>
    public string StandardError => _process?.StandardError ?? "";

    /// <summary>s3rver's log of the requests it answered, one line each (<c>PUT /bucket/key?partNumber=1&amp;uploadId=… 200</c>), this run.</summary>
    public IReadOnlyList<string> RequestLog => _process?.RequestLog ?? [];

    /// <summary>Store options for this server with its default keys.</summary>
    public S3StoreOptions Options(string bucket) => new("127.0.0.1", Port, false, bucket, Region, AccessKey, SecretKey);

    /// <summary>Starts s3rver on a free port with a fresh temp directory and waits until it listens.</summary>
    public static async Task<S3TestServer> StartAsync()
    {
        if (UnavailableReason is { } reason) throw new InvalidOperationException(reason);
        string directory = Path.Combine(Path.GetTempPath(), "vision-s3rver-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        try
        {
            var process = await ServerProcess.StartAsync(directory, port: 0);
            return new S3TestServer(directory, process);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>A loopback port nothing listens on (bound and released at once).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The keys of the objects s3rver holds for <paramref name="bucket"/>, read from its directory, sorted ordinally.
    /// (The Minio SDK's ListObjects comes back empty against s3rver: it answers with an XML namespace the SDK ignores.)
    /// </summary>
    public IReadOnlyList<string> ObjectKeys(string bucket)
    {
        string root = Path.Combine(Directory, bucket);
        if (!System.IO.Directory.Exists(root)) return [];
        return System.IO.Directory.EnumerateFiles(root, "*" + ObjectSuffix, SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(relative => relative.EndsWith(ObjectSuffix, StringComparison.Ordinal))
            .Select(relative => relative[..^ObjectSuffix.Length])
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Kills s3rver (connections drop) and waits for it to exit; the port and directory are kept. Idempotent.</summary>
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

    /// <summary>Stops s3rver if running and starts it again on the same port and directory, retrying the bind for a few seconds.</summary>
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
                    _process = await ServerProcess.StartAsync(Directory, Port);
                    return;
                }
                catch (ServerBindException) when (clock.Elapsed < RebindFor)
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // already gone
        }
        _lifecycle.Dispose();
    }

    private async Task StopCoreAsync()
    {
        var process = _process;
        _process = null;
        if (process is not null) await process.KillAsync();
    }

    private static string? FindUnavailableReason()
    {
        const string install = "run scripts/install-test-servers.sh";
        string package;
        try
        {
            package = PackageDirectory;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        if (!ChildProcess.OnPath("node")) return $"needs node (Debian's nodejs) to run s3rver: {install}";
        string cli = Path.Combine(package, "bin", "s3rver.js");
        if (!File.Exists(cli)) return $"needs s3rver {Version} in {ToolDirectory}: {install}";
        try
        {
            var run = ChildProcess.RunAsync("node", [cli, "--version"], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (!run.Succeeded) return $"node cannot run {cli} ({run.StdErr.Trim().Split('\n').LastOrDefault()?.Trim()}): {install}";
            if (run.StdOut.Trim() != Version) return $"{ToolDirectory} holds s3rver {run.StdOut.Trim()}, not {Version}: {install}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"cannot run node: {e.Message}";
        }
        return null;
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    /// <summary>s3rver exited 3: the port was taken (e.g. still held just after a stop).</summary>
    private sealed class ServerBindException(string message) : InvalidOperationException(message);

    /// <summary>One run of s3rver.</summary>
    private sealed class ServerProcess
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();
        private readonly List<string> _requestLog = [];

        private ServerProcess(Process process) => _process = process;

        public int Port { get; private set; }

        public bool HasExited => _process.HasExited;

        public string StandardError
        {
            get { lock (_stderr) return _stderr.ToString(); }
        }

        public IReadOnlyList<string> RequestLog
        {
            get { lock (_requestLog) return _requestLog.ToList(); }
        }

        public static async Task<ServerProcess> StartAsync(string directory, int port)
        {
            var psi = new ProcessStartInfo("node")
            {
                RedirectStandardInput = true, // never written: when the test host dies the pipe closes and s3rver exits
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-e");
            psi.ArgumentList.Add(Launcher);
            psi.ArgumentList.Add(PackageDirectory);
            psi.ArgumentList.Add(directory);
            psi.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));

            var process = new Process { StartInfo = psi };
            var server = new ServerProcess(process);
            var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not { } line) return;
                if (line.StartsWith("READY port=", StringComparison.Ordinal)
                    && int.TryParse(line.AsSpan("READY port=".Length), CultureInfo.InvariantCulture, out int p))
                    ready.TrySetResult(p);
                else
                    lock (server._requestLog) if (server._requestLog.Count < 100_000) server._requestLog.Add(AnsiEscape().Replace(line, ""));
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (server._stderr) if (server._stderr.Length < 64 * 1024) server._stderr.AppendLine(e.Data);
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(ReadyTimeout));
            if (first == ready.Task)
            {
                server.Port = ready.Task.Result;
                return server;
            }
            if (first == exited)
            {
                await exited; // output drained
                int code = process.ExitCode;
                string message = $"s3rver exited {code} before READY (port {port}): {server.StandardError.Trim()}";
                process.Dispose();
                if (code == 3) throw new ServerBindException(message);
                throw new InvalidOperationException(message);
            }
            await server.KillAsync();
            throw new InvalidOperationException($"s3rver printed no READY within {ReadyTimeout.TotalSeconds:F0} s (port {port}): {server.StandardError.Trim()}");
        }

        public async Task KillAsync()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException($"s3rver (pid {_process.Id}) did not exit 10 s after kill");
            }
            _process.Dispose();
        }
    }
}

/// <summary>A theory that needs s3rver (node and .tools/s3rver); skipped, saying why, without it.</summary>
public sealed class S3TheoryAttribute : TheoryAttribute
{
    public S3TheoryAttribute()
    {
        if (S3TestServer.UnavailableReason is { } reason) Skip = reason;
    }
}

/// <summary>A fact that needs s3rver (node and .tools/s3rver); skipped, saying why, without it.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        if (S3TestServer.UnavailableReason is { } reason) Skip = reason;
    }
}
