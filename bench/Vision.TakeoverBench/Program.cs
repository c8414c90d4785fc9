using System.Diagnostics;
using System.Globalization;
using Vision.TestSupport;
using Vision.Rules.Config;
using Vision.TakeoverBench;

// Takeover after a node dies (bench/README.md, "Takeover"): PostgreSQL and 3 real `vision run` nodes sharing N file
// cameras; each round SIGKILLs one node (round robin), times until every camera is online again on the two live nodes,
// then starts the killed node again with the same id and work folder and waits until all 3 hold cameras again.
// Progress goes to stderr; the table (Markdown) to stdout.
TakeoverOptions options;
try
{
    options = TakeoverOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (PostgresServer.UnavailableReason is { } missing)
{
    Console.Error.WriteLine($"takeover bench: {missing}");
    return 2;
}

var inv = CultureInfo.InvariantCulture;
var ct = CancellationToken.None;
var total = Stopwatch.StartNew();
void Progress(string line) => Console.Error.WriteLine(string.Create(inv, $"[{total.Elapsed.TotalSeconds,6:0.0} s] {line}"));

string root;
try
{
    root = ProjectRoot();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"takeover bench: {e.Message}");
    return 2;
}
string shared = Environment.GetEnvironmentVariable("VISION_SHARED") ?? Path.Combine(root, "..", "shared");
string visionDll = Path.Combine(AppContext.BaseDirectory, "vision.dll");
string source = Path.Combine(shared, "footage", "bottle-detection.mp4");
if (!File.Exists(Path.Combine(shared, "models", "yolox_nano.onnx")) || !File.Exists(source))
{
    Console.Error.WriteLine($"takeover bench: needs the model and footage of ../shared (models/yolox_nano.onnx, footage/bottle-detection.mp4) at {Path.GetFullPath(shared)}, or VISION_SHARED set to that folder");
    return 2;
}

TimeSpan pollEvery = TimeSpan.FromMilliseconds(250);
// Generous bounds: past them the run stops with the nodes' logs rather than waiting for ever.
TimeSpan startTimeout = TimeSpan.FromSeconds(120);
TimeSpan takeoverTimeout = options.Lease + options.Heartbeat * 2 + TimeSpan.FromSeconds(60);
// A node that returns gets its cameras once their holders' release grace (20 s) has passed.
TimeSpan returnTimeout = options.Lease + TimeSpan.FromSeconds(120);

string folder = Directory.CreateTempSubdirectory("vision-takeover-").FullName;
var nodes = new List<VisionNode>();
PostgresServer? server = null;
bool succeeded = false;
try
{
    Progress("re-encoding the bottle clip with a keyframe a second (once; kept in the temp folder)");
    string clip = await CameraClip.PrepareAsync(source, ct);
    Progress("starting PostgreSQL");
    server = await PostgresServer.StartAsync(Path.Combine(root, "scripts", "postgres.sh"), cancellationToken: ct);
    string database = await server.CreateDatabaseAsync("takeover", ct);
    var environment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["VISION_MODELS"] = Path.Combine(shared, "models"),
        ["VISION_OPS_TOKEN"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)),
        ["VISION_DATABASE_URL"] = database,
    };
    string store = Directory.CreateDirectory(Path.Combine(folder, "store")).FullName;
    foreach (string id in new[] { "node-a", "node-b", "node-c" })
    {
        string work = Directory.CreateDirectory(Path.Combine(folder, id)).FullName;
        string config = Path.Combine(work, "vision.yaml");
        await File.WriteAllTextAsync(config, NodeConfig.Yaml(options, clip, work, store), ct);
        nodes.Add(new VisionNode(id, visionDll, config, work, environment));
    }

    Progress($"starting 3 nodes over {options.Cameras} cameras (lease {ConfigDuration.Format(options.Lease)}, heartbeat {ConfigDuration.Format(options.Heartbeat)})");
    await Task.WhenAll(nodes.Select(n => n.StartAsync(ct)));
    var overlaps = new SortedSet<string>(StringComparer.Ordinal);
    var steady = await WaitForAsync(o => o.Online.Count == options.Cameras && o.NodesHolding == nodes.Count, startTimeout,
        "every camera online, each on one node, all 3 nodes holding cameras");
    Progress($"all online after {total.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", nodes.Select(n => $"{n.Id} {steady.On(n.Id).Count}"))}");

    var rounds = new List<Round>();
    for (int kill = 1; kill <= options.Kills; kill++)
    {
        var victim = nodes[(kill - 1) % nodes.Count];
        var before = await CameraOwners.ReadAsync(nodes, ct);
        int orphaned = before.On(victim.Id).Count;
        Progress($"kill {kill}: SIGKILL {victim.Id} ({orphaned} camera(s))");
        var clock = Stopwatch.StartNew();
        await victim.KillAsync();
        var takenOver = await WaitForAsync(o => o.Online.Count == options.Cameras, takeoverTimeout, $"every camera online again on the live nodes after {victim.Id} was killed");
        var takeover = clock.Elapsed;
        Progress(string.Create(inv, $"kill {kill}: {orphaned} camera(s) online elsewhere after {takeover.TotalSeconds:0.00} s; starting {victim.Id} again"));

        clock.Restart();
        await victim.StartAsync(ct);
        // The cameras that move back stop on their holders at once and start on the returned node only after the holders' release grace.
        var gaps = new OfflineGaps();
        var back = await WaitForAsync(o => o.Online.Count == options.Cameras && o.NodesHolding == nodes.Count, returnTimeout,
            $"all 3 nodes holding cameras again after {victim.Id} came back", o => gaps.Observe(NodeConfig.CameraIds(options.Cameras), o, clock.Elapsed));
        var returned = clock.Elapsed;
        int movedBack = back.MovedSince(takenOver);
        Progress(string.Create(inv, $"kill {kill}: {victim.Id} back, {movedBack} camera(s) moved to it, all online after {returned.TotalSeconds:0.0} s; longest without analysis {gaps.Longest.TotalSeconds:0.0} s ({gaps.LongestCamera})"));
        rounds.Add(new Round(kill, victim.Id, orphaned, takeover, movedBack, returned, gaps.Longest));
    }

    var takeovers = rounds.Select(r => r.Takeover.TotalSeconds).ToList();
    Console.WriteLine(string.Create(inv, $"""
        ## Takeover: 3 nodes, {options.Cameras} file cameras, SIGKILL one node at a time

        Machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end; .NET {Environment.Version}.
        Cluster: lease {ConfigDuration.Format(options.Lease)}, heartbeat {ConfigDuration.Format(options.Heartbeat)} (a dead node's cameras move within lease + heartbeat = {(options.Lease + options.Heartbeat).TotalSeconds:0.#} s, plus the camera's connect); camera states polled every {pollEvery.TotalMilliseconds:0} ms.
        Cameras: the bottle clip re-encoded with a keyframe a second, analysis 1 fps, 640 px, keyframes only.

        | kill | node killed | cameras moved | takeover s (SIGKILL → all online on the live nodes) | cameras moved back when it returned | return s (start → all 3 nodes holding) | longest a moved-back camera was online nowhere, s |
        | ---: | --- | ---: | ---: | ---: | ---: | ---: |
        """));
    foreach (var r in rounds)
        Console.WriteLine(string.Create(inv, $"| {r.Kill} | {r.Node} | {r.Moved} | {r.Takeover.TotalSeconds:0.00} | {r.MovedBack} | {r.Returned.TotalSeconds:0.0} | {r.LongestOffline.TotalSeconds:0.0} |"));
    Console.WriteLine();
    Console.WriteLine(string.Create(inv, $"takeover over {rounds.Count} kill(s): median {Median(takeovers):0.00} s, max {takeovers.Max():0.00} s (min {takeovers.Min():0.00} s); cameras moved per kill {string.Join(", ", rounds.Select(r => r.Moved))}"));
    Console.WriteLine(string.Create(inv, $"cameras moved back to the returned node: {string.Join(", ", rounds.Select(r => r.MovedBack))}; return to all 3 holding: median {Median(rounds.Select(r => r.Returned.TotalSeconds).ToList()):0.0} s; a moved-back camera online nowhere for up to {rounds.Max(r => r.LongestOffline.TotalSeconds):0.0} s"));
    Console.WriteLine(overlaps.Count == 0
        ? "no camera was started on two nodes at once in any poll"
        : $"started on two nodes at once ({overlaps.Count}): {string.Join("; ", overlaps)}");
    succeeded = true;
    return overlaps.Count == 0 ? 0 : 1;

    // Polls every running node until the cameras' owners satisfy the condition; collects every camera seen on two nodes.
    async Task<CameraOwners> WaitForAsync(Func<CameraOwners, bool> condition, TimeSpan timeout, string what, Action<CameraOwners>? observe = null)
    {
        var deadline = Stopwatch.StartNew();
        CameraOwners owners;
        do
        {
            if (nodes.FirstOrDefault(n => n.HasCrashed) is { } crashed)
                throw new InvalidOperationException($"{what}: node {crashed.Id} exited by itself; its log, {crashed.LogPath}:\n{crashed.LogTail()}");
            owners = await CameraOwners.ReadAsync(nodes, ct);
            foreach (var overlap in owners.OnTwoNodes) overlaps.Add(overlap);
            observe?.Invoke(owners);
            if (condition(owners)) return owners;
            await Task.Delay(pollEvery, ct);
        }
        while (deadline.Elapsed < timeout);
        string holding = string.Join(", ", nodes.Select(n => $"{n.Id} {(n.IsRunning ? owners.On(n.Id).Count.ToString(inv) : "down")}"));
        string logs = string.Join("\n", nodes.Select(n => $"--- {n.Id} ({n.LogPath}) ---\n{n.LogTail()}"));
        throw new TimeoutException(string.Create(inv, $"{what}: not within {timeout.TotalSeconds:0} s ({owners.Online.Count} of {options.Cameras} cameras online: {holding})\n{logs}"));
    }
}
catch (Exception e) when (e is TimeoutException or InvalidOperationException)
{
    Console.Error.WriteLine($"takeover bench failed: {e.Message}");
    return 1;
}
finally
{
    // Nodes first: stopping, they hand their cameras back in the database.
    foreach (var node in nodes) await node.DisposeAsync();
    if (server is not null) await server.DisposeAsync();
    if (succeeded && !options.Keep) Directory.Delete(folder, recursive: true);
    else Console.Error.WriteLine($"work folder kept: {folder} (configs, node logs)");
}

static double Median(IReadOnlyList<double> values)
{
    var sorted = values.Order().ToList();
    int middle = sorted.Count / 2;
    return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

static string ProjectRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vision.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException($"cannot find Vision.sln above {AppContext.BaseDirectory}: run the bench from its build folder in the checkout");
}

/// <summary>One kill and return: cameras that moved each way, how long each took, and the longest a camera went unanalysed on the return.</summary>
internal sealed record Round(int Kill, string Node, int Moved, TimeSpan Takeover, int MovedBack, TimeSpan Returned, TimeSpan LongestOffline);
