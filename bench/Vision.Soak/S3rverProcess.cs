using System.Diagnostics;

namespace Vision.Soak;

/// <summary>
/// The evidence store for the soak: s3rver (npm, in .tools/s3rver from scripts/install-test-servers.sh) under node, on a
/// fixed loopback port and folder, so it can be stopped and started again with its objects kept, like a store outage.
/// </summary>
public sealed class S3rverProcess(string root, string directory, int port) : IDisposable
{
    public const string AccessKey = "S3RVER";

    // s3rver in-process rather than its CLI: prints READY, and exits when its stdin closes (the soak driver died).
    private const string Launcher = """
        const [pkg, dir, port] = process.argv.slice(1);
        process.stdin.on('end', () => process.exit(0));
        process.stdin.resume();
        const S3rver = require(pkg);
        new S3rver({ address: '127.0.0.1', port: Number(port), directory: dir, silent: true }).run()
          .then(() => console.log('READY'))
          .catch(e => { console.error(String(e && e.stack || e)); process.exit(1); });
        """;

    private Process? _node;

    public string Package => Path.Combine(root, ".tools", "s3rver", "node_modules", "s3rver");

    public bool IsRunning => _node is { HasExited: false };

    public async Task StartAsync()
    {
        if (!Directory.Exists(Package)) throw new InvalidOperationException($"s3rver is not installed at {Package}: run scripts/install-test-servers.sh");
        Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-e", Launcher, Package, directory, port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) info.ArgumentList.Add(a);
        _node = Process.Start(info)!;
        var ready = _node.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(20))) == ready && ready.Result == "READY") return;
        // Killed first: a node that hangs keeps its stderr open, and reading it to the end would hang the soak with it.
        var stderr = _node.StandardError.ReadToEndAsync();
        Stop();
        string why = await Task.WhenAny(stderr, Task.Delay(TimeSpan.FromSeconds(5))) == stderr ? stderr.Result.Trim() : "(no output)";
        throw new InvalidOperationException("s3rver did not start within 20 s: " + why);
    }

    public void Stop()
    {
        if (_node is null) return;
        if (!_node.HasExited) _node.Kill();
        _node.WaitForExit(5000);
        _node.Dispose();
        _node = null;
    }

    public void Dispose() => Stop();
}
