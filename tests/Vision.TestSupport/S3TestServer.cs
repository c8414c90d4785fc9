using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Vision.Storage;

namespace Vision.TestSupport;

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
    private static readonly Lazy<string?> Unavailable = new(FindUnavailableReason);

    // Runs s3rver in-process (not its CLI) to print the READY line ReadyLineServer waits for, to tell a busy port apart (exit 3)
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

    private readonly ReadyLineServer _server;

    private S3TestServer(string directory, ReadyLineServer server)
    {
        Directory = directory;
        _server = server;
    }

    /// <summary>The npm prefix s3rver is installed into.</summary>
    public static string ToolDirectory => Path.Combine(SharedData.ProjectRoot, ".tools", "s3rver");

    public static string PackageDirectory => Path.Combine(ToolDirectory, "node_modules", "s3rver");

    /// <summary>Null when .tools/s3rver holds s3rver 3.7.1 and node runs it; otherwise why not (tests skip with it).</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>The TCP port on 127.0.0.1, the same for the server's life.</summary>
    public int Port => _server.Port;

    /// <summary>Where s3rver keeps buckets and objects; deleted on dispose.</summary>
    public string Directory { get; }

    public bool IsRunning => _server.IsRunning;

    /// <summary>What s3rver wrote to stderr (this run).</summary>
    public string StandardError => _server.StandardError;

    /// <summary>s3rver's log of the requests it answered, one line each (<c>PUT /bucket/key?partNumber=1&amp;uploadId=… 200</c>), this run.</summary>
    public IReadOnlyList<string> RequestLog => _server.OutputLines.Select(line => AnsiEscape().Replace(line, "")).ToList();

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
            var server = await ReadyLineServer.StartAsync("s3rver", port => StartInfo(directory, port), port: 0, ReadyTimeout);
            return new S3TestServer(directory, server);
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
    public Task StopAsync() => _server.StopAsync();

    /// <summary>Stops s3rver if running and starts it again on the same port and directory, retrying the bind for a few seconds.</summary>
    public Task RestartAsync() => _server.RestartAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // already gone
        }
    }

    /// <summary>node running <see cref="Launcher"/>: s3rver on <paramref name="port"/> (0: any), storing under <paramref name="directory"/>.</summary>
    private static ProcessStartInfo StartInfo(string directory, int port)
    {
        var startInfo = new ProcessStartInfo("node");
        startInfo.ArgumentList.Add("-e");
        startInfo.ArgumentList.Add(Launcher);
        startInfo.ArgumentList.Add(PackageDirectory);
        startInfo.ArgumentList.Add(directory);
        startInfo.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        return startInfo;
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
