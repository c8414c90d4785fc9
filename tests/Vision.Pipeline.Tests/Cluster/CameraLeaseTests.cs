using Vision.Pipeline.Cluster;
using Vision.Pipeline.Upload;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Tests.Storage;
using Vision.Pipeline.Tests.Support;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Cluster;

/// <summary>Camera leases and fencing tokens in a real PostgreSQL 15, and the camera assignment the nodes compute.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CameraLeaseTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private readonly List<PostgresCaseDatabase> _opened = [];
    private readonly string _spool = Directory.CreateTempSubdirectory("vision-leases-").FullName;

    private async Task<PostgresCaseDatabase> NewDatabaseAsync()
    {
        var db = new PostgresCaseDatabase(await postgres.Server.CreateDatabaseAsync("leases_" + Guid.NewGuid().ToString("N")[..12])).Migrate();
        _opened.Add(db);
        return db;
    }

    [PostgresFact]
    public async Task A_lease_is_taken_only_when_free_or_lapsed_renewed_only_by_its_holder_and_every_new_holder_gets_a_higher_token()
    {
        var leases = new CameraLeases(await NewDatabaseAsync());
        var a = await leases.TryAcquireAsync("cam-1", "node-a", T0, Lease, CancellationToken.None);
        Assert.Equal(("node-a", 1L), (a!.NodeId, a.Token));
        Assert.Null(await leases.TryAcquireAsync("cam-1", "node-b", T0.AddSeconds(5), Lease, CancellationToken.None));

        var renewed = await leases.RenewAsync("node-a", new Dictionary<string, long> { ["cam-1"] = 1 }, T0.AddSeconds(10), Lease, CancellationToken.None);
        Assert.Equal(T0.AddSeconds(25), Assert.Single(renewed).ExpiresAt);
        Assert.Null(await leases.TryAcquireAsync("cam-1", "node-b", T0.AddSeconds(20), Lease, CancellationToken.None));

        // Node A is paused past its lease: B takes the camera with a higher token, and A's late renewal gets nothing.
        var b = await leases.TryAcquireAsync("cam-1", "node-b", T0.AddSeconds(26), Lease, CancellationToken.None);
        Assert.Equal(("node-b", 2L), (b!.NodeId, b.Token));
        Assert.Empty(await leases.RenewAsync("node-a", new Dictionary<string, long> { ["cam-1"] = 1 }, T0.AddSeconds(27), Lease, CancellationToken.None));

        // A release keeps the token: the next holder's is higher still.
        await leases.ReleaseAsync("cam-1", "node-b", 2, CancellationToken.None);
        var c = await leases.TryAcquireAsync("cam-1", "node-c", T0.AddSeconds(28), Lease, CancellationToken.None);
        Assert.Equal(3L, c!.Token);
    }

    [PostgresFact]
    public async Task A_lease_the_node_no_longer_counts_as_its_own_lapses_and_a_restarted_node_takes_its_old_leases_with_a_new_token()
    {
        var leases = new CameraLeases(await NewDatabaseAsync());
        await leases.TryAcquireAsync("cam-1", "node-a", T0, Lease, CancellationToken.None);
        await leases.TryAcquireAsync("cam-2", "node-a", T0, Lease, CancellationToken.None);
        // cam-2's release failed (a database blip): renewing what the node holds now leaves cam-2 to lapse.
        var renewed = await leases.RenewAsync("node-a", new Dictionary<string, long> { ["cam-1"] = 1 }, T0.AddSeconds(10), Lease, CancellationToken.None);
        Assert.Equal(["cam-1"], renewed.Select(l => l.CameraId));
        Assert.NotNull(await leases.TryAcquireAsync("cam-2", "node-b", T0.AddSeconds(16), Lease, CancellationToken.None));

        // node-a restarts under the same id before cam-1's lease lapses: it takes its own lease at once, with a new token.
        var again = await leases.TryAcquireAsync("cam-1", "node-a", T0.AddSeconds(12), Lease, CancellationToken.None);
        Assert.Equal(("node-a", 2L), (again!.NodeId, again.Token));
    }

    [PostgresFact]
    public async Task A_case_is_written_only_under_its_cameras_current_token_and_a_stale_holders_case_is_refused_with_the_reason()
    {
        var db = await NewDatabaseAsync();
        var leases = new CameraLeases(db);
        var cases = new CaseStore(db);
        var a = await leases.TryAcquireAsync("cam-1", "node-a", T0, Lease, CancellationToken.None);
        var first = SyntheticCases.Write(_spool, "cam-1", 1, T0);
        await cases.AddAsync(NewCase.Of(first.Record) with { Fence = new CaseFence("node-a", a!.Token) }, first.Spooled, T0, CancellationToken.None);
        Assert.NotNull(await cases.FindAsync(first.Spooled.CaseId, CancellationToken.None));

        await leases.TryAcquireAsync("cam-1", "node-b", T0.AddSeconds(16), Lease, CancellationToken.None);
        var late = SyntheticCases.Write(_spool, "cam-1", 2, T0.AddSeconds(17));
        var refused = await Assert.ThrowsAsync<CaseFencedException>(() =>
            cases.AddAsync(NewCase.Of(late.Record) with { Fence = new CaseFence("node-a", a.Token) }, late.Spooled, T0.AddSeconds(17), CancellationToken.None));
        Assert.Contains("cam-1 moved to another node", refused.Message);
        Assert.Null(await cases.FindAsync(late.Spooled.CaseId, CancellationToken.None));
        Assert.Null(await new EvidenceCatalog(db).FindAsync(late.Spooled.CaseId, CancellationToken.None));
    }

    [PostgresFact]
    public async Task After_a_kill_a_case_complete_in_the_spool_is_recovered_only_under_the_lease_it_was_raised_under()
    {
        var db = await NewDatabaseAsync();
        var leases = new CameraLeases(db);
        var cases = new CaseStore(db);
        var cam1 = await leases.TryAcquireAsync("cam-1", "node-a", T0, Lease, CancellationToken.None);
        var cam2 = await leases.TryAcquireAsync("cam-2", "node-a", T0, Lease, CancellationToken.None);
        // node-a was killed after both cases' manifests were written and before either reached the case store.
        var kept = SyntheticCases.Write(_spool, "cam-1", 1, T0);
        SpooledLease.Write(Path.Combine(_spool, kept.Spooled.CaseId), new CaseFence("node-a", cam1!.Token));
        var moved = SyntheticCases.Write(_spool, "cam-2", 2, T0);
        SpooledLease.Write(Path.Combine(_spool, moved.Spooled.CaseId), new CaseFence("node-a", cam2!.Token));
        // cam-2 went to node-b while node-a was down.
        await leases.TryAcquireAsync("cam-2", "node-b", T0.AddSeconds(16), Lease, CancellationToken.None);

        int recovered = await new SpoolRecovery(_spool, null, cases, new EvidenceCatalog(db), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).RecoverAsync(CancellationToken.None);

        Assert.Equal(1, recovered);
        Assert.NotNull(await cases.FindAsync(kept.Spooled.CaseId, CancellationToken.None));
        await using (var connection = db.Open())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT node_id || ' ' || lease_token FROM cases WHERE case_id = '{kept.Spooled.CaseId}'";
            Assert.Equal($"node-a {cam1.Token}", await command.ExecuteScalarAsync());
        }
        Assert.Null(await cases.FindAsync(moved.Spooled.CaseId, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_spool, moved.Spooled.CaseId)));
    }

    /// <summary>This node as the recovery sees it: the cameras it holds now, under which tokens.</summary>
    private sealed class HeldCameras(string nodeId, Dictionary<string, long> held) : ICameraOwnership
    {
        public string? NodeId => nodeId;
        public bool Owns(string cameraId) => held.ContainsKey(cameraId);
        public bool MayAnalyse(string cameraId) => Owns(cameraId);
        public CaseFence? FenceOf(string cameraId) => held.TryGetValue(cameraId, out long token) ? new CaseFence(nodeId, token) : null;
    }

    private static RunningConfig CamerasInConfig(params string[] ids) => new(Vision.Rules.Config.VisionConfigLoader.Parse(
        "detector: { model: yolox_nano }\ncameras:\n" + string.Join("", ids.Select(id => $"  - {{ id: {id}, source: /dev/null, zones: [{{ id: z, polygon: [[0,0],[1,0],[1,1]] }}], rules: [{{ id: r-{id}, type: litter, zones: [z], classes: [bottle] }}] }}\n")),
        "vision.yaml"));

    [PostgresFact]
    public async Task A_case_kept_in_the_spool_through_an_outage_is_written_under_the_lease_its_node_holds_again_and_waits_while_the_lease_is_not_back()
    {
        var db = await NewDatabaseAsync();
        var leases = new CameraLeases(db);
        var cases = new CaseStore(db);
        var first = await leases.TryAcquireAsync("cam-1", "node-a", T0, Lease, CancellationToken.None);
        await leases.TryAcquireAsync("cam-2", "node-a", T0, Lease, CancellationToken.None);
        // The database went away: both cases were confirmed under token 1 and kept in the spool; the leases lapsed meanwhile.
        var kept = SyntheticCases.Write(_spool, "cam-1", 1, T0);
        SpooledLease.Write(Path.Combine(_spool, kept.Spooled.CaseId), new CaseFence("node-a", first!.Token));
        var waiting = SyntheticCases.Write(_spool, "cam-2", 2, T0);
        SpooledLease.Write(Path.Combine(_spool, waiting.Spooled.CaseId), new CaseFence("node-a", first.Token));
        // It answers again: node-a takes cam-1 back under a new token; cam-2's lease is not back yet.
        var again = await leases.TryAcquireAsync("cam-1", "node-a", T0.AddSeconds(60), Lease, CancellationToken.None);
        Assert.True(again!.Token > first.Token);
        var node = new HeldCameras("node-a", new() { ["cam-1"] = again.Token });
        var recovery = new SpoolRecovery(_spool, null, cases, new EvidenceCatalog(db), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
        {
            Fences = new ClusterRecoveryFences(node, leases, CamerasInConfig("cam-1", "cam-2")),
        };

        Assert.Equal(1, await recovery.RecoverAsync(CancellationToken.None));

        Assert.Equal($"node-a {again.Token}", await ScalarAsync(db, $"SELECT node_id || ' ' || lease_token FROM cases WHERE case_id = '{kept.Spooled.CaseId}'"));
        Assert.Null(await cases.FindAsync(waiting.Spooled.CaseId, CancellationToken.None));
        Assert.True(Directory.Exists(Path.Combine(_spool, waiting.Spooled.CaseId)));
        Assert.Equal(1, recovery.Waiting);
        Assert.Equal(0, recovery.Lost);

        // Another node took cam-2 meanwhile: that node analyses what is still there, and the case is dropped.
        await leases.TryAcquireAsync("cam-2", "node-b", T0.AddSeconds(61), Lease, CancellationToken.None);
        Assert.Equal(0, await recovery.RecoverAsync(CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_spool, waiting.Spooled.CaseId)));
        Assert.Equal(0, recovery.Waiting);
    }

    private static async Task<object?> ScalarAsync(CaseDatabase db, string sql)
    {
        await using var connection = db.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    [PostgresFact]
    public async Task Nodes_heartbeat_on_the_databases_clock_and_only_those_heard_from_within_the_lease_count()
    {
        var leases = new CameraLeases(await NewDatabaseAsync());
        var before = DateTimeOffset.UtcNow;
        var a = await leases.HeartbeatAsync("node-a", 25, T0, null, "[]", CancellationToken.None);
        await Task.Delay(50); // on purpose: the two heartbeats' stamps are at least this far apart
        var b = await leases.HeartbeatAsync("node-b", 50, T0, null, null, CancellationToken.None);
        // The server stamps heartbeats (it runs on this machine, so its clock is this one's).
        Assert.InRange(a, before.AddSeconds(-1), b.AddMilliseconds(-40));
        Assert.InRange(b, a, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(["node-a", "node-b"], (await leases.NodesAsync(a, CancellationToken.None)).Select(n => n.NodeId));
        Assert.Equal(b, (await leases.NodesAsync(a, CancellationToken.None))[1].HeartbeatAt);
        Assert.Equal(["node-b"], (await leases.NodesAsync(a.AddMilliseconds(1), CancellationToken.None)).Select(n => n.NodeId));
        await leases.LeaveAsync("node-b", CancellationToken.None);
        Assert.Empty(await leases.NodesAsync(a.AddMilliseconds(1), CancellationToken.None));
    }

    private static readonly ClusterConfig FastCluster = new() { Capacity = 10, Lease = TimeSpan.FromSeconds(3), Heartbeat = TimeSpan.FromMilliseconds(500) };

    private static readonly VisionConfig EightCameras = VisionConfigLoader.Parse("""
        detector: { model: yolox_nano }
        cameras:

        """ + string.Concat(Enumerable.Range(1, 8).Select(i => $$"""
          - id: cam-{{i}}
            zones: [{ id: kerb, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]
            rules: [{ id: parking-{{i}}, type: illegal_parking, zones: [kerb] }]

        """)), "skew-test.yaml");

    /// <summary>The system's clock, <paramref name="offset"/> off (a VM without NTP); elapsed time and timers are the system's.</summary>
    private sealed class OffsetClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }

    /// <summary>A node of a cluster with 3 s leases and 0.5 s heartbeats, running until <see cref="StopAsync"/>.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public Node(CaseDatabase db, string id, TimeProvider clock, Microsoft.Extensions.Logging.ILogger log)
        {
            Coordinator = new ClusterCoordinator(new CameraLeases(db), FastCluster, id, 10, new RunningConfig(EightCameras), clock, log)
            {
                ReleaseGrace = TimeSpan.FromMilliseconds(200),
            };
            _run = Task.Run(() => Coordinator.RunAsync(_stop.Token));
        }

        public ClusterCoordinator Coordinator { get; }

        public int Held => Coordinator.Held().Count;

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _run;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested) await StopAsync();
            _stop.Dispose();
        }
    }

    private static async Task<bool> Within(TimeSpan limit, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(50);
        }
        return true;
    }

    [PostgresTheory]
    [InlineData(20)]
    [InlineData(-20)]
    public async Task Two_nodes_whose_clocks_are_twenty_seconds_apart_share_the_cameras_and_the_skewed_one_says_so(int skewSeconds)
    {
        var db = await NewDatabaseAsync();
        var skewedLog = new LogLines();
        await using var synced = new Node(db, "node-ntp", TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using var skewed = new Node(db, "node-skewed", new OffsetClock(TimeSpan.FromSeconds(skewSeconds)), skewedLog);

        // Settled: all 8 held, by both nodes, each camera by one (a 3 s lease lapses several times over meanwhile).
        // With these ids the cameras' owners are 4 and 4.
        bool shared = await Within(TimeSpan.FromSeconds(12), () => synced.Held + skewed.Held == 8 && synced.Held > 0 && skewed.Held > 0);
        await Task.Delay(TimeSpan.FromSeconds(4)); // on purpose: the sharing holds for longer than a 3 s lease, not just once
        var (r, k) = (synced.Coordinator.Held().Keys.ToHashSet(), skewed.Coordinator.Held().Keys.ToHashSet());
        Assert.True(shared && r.Count == 4 && k.Count == 4 && !r.Overlaps(k),
            $"node-ntp holds [{string.Join(", ", r)}], node-skewed ({skewSeconds:+0;-0} s) holds [{string.Join(", ", k)}]\n" + string.Join("\n", skewedLog.Lines.Select(l => l.Text)));

        Assert.InRange(skewed.Coordinator.ClockOffset.Offset!.Value.TotalSeconds, skewSeconds - 1, skewSeconds + 1);
        var warning = Assert.Single(skewedLog.At(Microsoft.Extensions.Logging.LogLevel.Warning, "this node's clock is"));
        Assert.Contains(skewSeconds > 0 ? "ahead of the database's" : "behind the database's", warning);
        Assert.InRange(synced.Coordinator.ClockOffset.Offset!.Value.TotalSeconds, -1, 1);
    }

    [PostgresTheory]
    [InlineData(20)]
    [InlineData(-20)]
    public async Task A_skewed_node_that_stops_has_its_cameras_taken_over_within_the_lease_and_a_heartbeat(int skewSeconds)
    {
        var db = await NewDatabaseAsync();
        var none = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        await using var synced = new Node(db, "node-ntp", TimeProvider.System, none);
        await using var skewed = new Node(db, "node-skewed", new OffsetClock(TimeSpan.FromSeconds(skewSeconds)), none);
        Assert.True(await Within(TimeSpan.FromSeconds(12), () => skewed.Held > 0 && synced.Held + skewed.Held == 8), $"the skewed node holds {skewed.Held}, the other {synced.Held}");

        await skewed.StopAsync();
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        // lease + heartbeat, and a heartbeat and a second for this 2-core machine's scheduling.
        var limit = FastCluster.Lease + FastCluster.Heartbeat * 2 + TimeSpan.FromSeconds(1);
        Assert.True(await Within(limit, () => synced.Held == 8), $"after {stopped.Elapsed.TotalSeconds:0.0} s the other node holds {synced.Held} of 8 cameras");
    }

    public void Dispose()
    {
        foreach (var db in _opened) db.Dispose();
        try { Directory.Delete(_spool, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Weighted rendezvous hashing: shares follow capacity, and a node joining or leaving moves only its share.</summary>
public sealed class CameraAssignmentTests
{
    private static readonly string[] Cameras = Enumerable.Range(1, 3000).Select(i => $"cam-{i:0000}").ToArray();

    private static Dictionary<string, string> Assign(params NodeWeight[] nodes) => Cameras.ToDictionary(c => c, c => CameraAssignment.OwnerOf(c, nodes));

    [Fact]
    public void Cameras_are_shared_in_proportion_to_capacity()
    {
        var owners = Assign(new("node-a", 25), new("node-b", 25), new("node-c", 50));
        var share = owners.Values.GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count() / (double)Cameras.Length);
        Assert.InRange(share["node-a"], 0.22, 0.28);
        Assert.InRange(share["node-b"], 0.22, 0.28);
        Assert.InRange(share["node-c"], 0.46, 0.54);
    }

    [Fact]
    public void A_node_joining_takes_about_its_share_from_the_others_and_a_node_leaving_gives_away_only_its_own()
    {
        var three = Assign(new("node-a", 25), new("node-b", 25), new("node-c", 25));
        var four = Assign(new("node-a", 25), new("node-b", 25), new("node-c", 25), new("node-d", 25));
        var moved = Cameras.Where(c => three[c] != four[c]).ToList();
        Assert.All(moved, c => Assert.Equal("node-d", four[c]));
        Assert.InRange(moved.Count / (double)Cameras.Length, 0.21, 0.29);

        var two = Assign(new("node-a", 25), new("node-b", 25));
        Assert.All(Cameras.Where(c => three[c] != two[c]), c => Assert.Equal("node-c", three[c]));
    }

    [Fact]
    public void Every_node_computes_the_same_owner_whatever_the_order_of_the_node_list()
    {
        NodeWeight[] nodes = [new("node-a", 10), new("node-b", 20), new("node-c", 30)];
        foreach (var camera in Cameras.Take(200))
            Assert.Equal(CameraAssignment.OwnerOf(camera, nodes), CameraAssignment.OwnerOf(camera, nodes.Reverse().ToArray()));
    }
}
