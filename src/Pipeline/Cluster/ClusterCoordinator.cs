using Microsoft.Extensions.Logging;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cluster;

/// <summary>Which of the config's cameras this node analyses, and under which lease.</summary>
internal interface ICameraOwnership : IAnalysisGate, ICaseFences
{
    /// <summary>This node's id in the cluster; null for a node alone.</summary>
    string? NodeId { get; }

    bool Owns(string cameraId);
}

/// <summary>A node alone analyses every camera of its config.</summary>
internal sealed class AllCameras : ICameraOwnership
{
    public static readonly AllCameras Instance = new();

    public string? NodeId => null;

    public bool Owns(string cameraId) => true;

    public bool MayAnalyse(string cameraId) => true;

    public CaseFence? FenceOf(string cameraId) => null;
}

/// <summary>
/// One node of a cluster: heartbeats, works out from the live nodes which cameras are its own
/// (<see cref="CameraAssignment"/>), takes their leases when free or lapsed, renews them, and gives up the ones that
/// now belong elsewhere. A camera is started here only after its lease is taken and stopped before it is released,
/// so no camera is analysed by two nodes at once. A node whose renewals run late analyses no frame of a camera past
/// its lease by its own elapsed time (<see cref="MayAnalyse"/>); one that cannot renew (database unreachable, or
/// paused) stops its cameras when their lease would have lapsed, and its late writes are refused by the fencing token.
/// Heartbeats and leases are timed by the database's clock (<see cref="CameraLeases"/>), so nodes whose clocks
/// disagree still share the cameras; this node's clock is compared with it at each heartbeat (<see cref="ClockOffset"/>).
/// </summary>
internal sealed class ClusterCoordinator : ICameraOwnership
{
    private readonly CameraLeases _leases;
    private readonly ClusterConfig _cluster;
    private readonly int _capacity;
    private readonly RunningConfig _config;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Lazy<INodeCameras>? _cameras;
    private readonly DateTimeOffset _startedAt;
    private readonly Lock _gate = new();
    // The cameras this node holds: lease token, and the instant (a TimeProvider timestamp) from which the lease, as
    // last written, lasts at least `lease` by this node's elapsed time.
    private readonly Dictionary<string, (long Token, long ValidFrom)> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastToken = new(StringComparer.Ordinal);

    /// <param name="cameras">
    /// This node's cameras, started and stopped as leases move and described in each heartbeat; null: none (cameras
    /// are not started, heartbeats carry none). Taken at the first heartbeat, not at construction: the cameras need
    /// this coordinator (which of them to analyse).
    /// </param>
    public ClusterCoordinator(CameraLeases leases, ClusterConfig cluster, string nodeId, int capacity, RunningConfig config,
        TimeProvider clock, ILogger log, Lazy<INodeCameras>? cameras = null)
    {
        _leases = leases;
        _cluster = cluster;
        NodeId = nodeId;
        _capacity = capacity;
        _config = config;
        _clock = clock;
        _log = log;
        _cameras = cameras;
        _startedAt = clock.GetUtcNow();
        ClockOffset = new NodeClockOffset(clock, log);
    }

    /// <summary>This node's clock against the database's, as the last heartbeat measured it.</summary>
    public NodeClockOffset ClockOffset { get; }

    public string NodeId { get; }

    string? ICameraOwnership.NodeId => NodeId;

    /// <summary>
    /// How long a camera given up waits before its lease is released: evidence of cases confirmed just before is still
    /// being written under it (post-roll, the recording's last segment, full-resolution photos and the clip).
    /// </summary>
    public TimeSpan ReleaseGrace { get; init; } = TimeSpan.FromSeconds(20);

    public long Moves { get; private set; }

    /// <summary>The other live nodes as their last heartbeats left them (their cameras for this node's console).</summary>
    public IReadOnlyList<ClusterNode> Peers { get; private set; } = [];

    public bool Owns(string cameraId)
    {
        lock (_gate) return _held.ContainsKey(cameraId);
    }

    /// <summary>
    /// Held and, by this node's elapsed time since the lease was last renewed, it cannot have lapsed for the others yet.
    /// False for a moment when the renewals run late (a starved or paused node), before this coordinator learns that
    /// the camera is lost and stops it.
    /// </summary>
    public bool MayAnalyse(string cameraId)
    {
        long validFrom;
        lock (_gate)
        {
            if (!_held.TryGetValue(cameraId, out var lease)) return false;
            validFrom = lease.ValidFrom;
        }
        return _clock.GetElapsedTime(validFrom) < AnalysedFor;
    }

    /// <summary>How long after a lease's renewal its camera is analysed: the lease less a heartbeat, so the others find it lapsed only after that.</summary>
    private TimeSpan AnalysedFor => _cluster.Lease - _cluster.Heartbeat;

    public CaseFence? FenceOf(string cameraId)
    {
        lock (_gate) return _lastToken.TryGetValue(cameraId, out long token) ? new CaseFence(NodeId, token) : null;
    }

    public IReadOnlyDictionary<string, long> Held()
    {
        lock (_gate) return _held.ToDictionary(p => p.Key, p => p.Value.Token, StringComparer.Ordinal);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        // Nodes started together first hear of each other, so none takes every camera for a moment.
        await SafeHeartbeatAsync(ct).ConfigureAwait(false);
        try { await Task.Delay(_cluster.Heartbeat, _clock, ct).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
        var releasing = new List<Task>();
        while (!ct.IsCancellationRequested)
        {
            // A step that hangs (the database unreachable without an error) must not keep cameras past their lease.
            using (var step = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                // By then the leases renewed a heartbeat ago are about to lapse for the others: stop rather than wait.
                var longest = _cluster.Lease - _cluster.Heartbeat * 2;
                step.CancelAfter(longest > _cluster.Heartbeat ? longest : _cluster.Heartbeat);
                try
                {
                    if (_applyPending) await ApplyAsync(ct).ConfigureAwait(false);
                    await StepAsync(releasing, step.Token, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    _log.LogWarning("cluster: cannot heartbeat and renew camera leases ({Reason}); cameras whose lease lapses stop here", e is OperationCanceledException ? "the database did not answer in time" : e.Message);
                    try { await DropLapsedAsync(ct).ConfigureAwait(false); }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
                    catch (Exception stop) { _applyPending = true; _log.LogError(stop, "cluster: stopping cameras whose lease lapsed failed; retried next heartbeat"); }
                }
            }
            releasing.RemoveAll(t => t.IsCompleted);
            try { await Task.Delay(_cluster.Heartbeat, _clock, ct).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
        }
        await LeaveAsync().ConfigureAwait(false);
    }

    // Set when starting or stopping cameras failed: the next heartbeat applies the ownership again.
    private volatile bool _applyPending;

    /// <param name="database">Ends the step's database calls when they take too long.</param>
    /// <param name="ct">The service's stop: starting and stopping cameras is not cut short by a slow database.</param>
    private async Task StepAsync(List<Task> releasing, CancellationToken database, CancellationToken ct)
    {
        var sentAt = _clock.GetUtcNow();
        long sent = _clock.GetTimestamp();
        var read = await _leases.HeartbeatAsync(NodeId, _capacity, _startedAt, null, CameraStates(), database).ConfigureAwait(false);
        var databaseClock = new DatabaseClock(read, sent, _clock.GetTimestamp(), _clock);
        ClockOffset.Observe(sentAt, databaseClock.RoundTrip, read);
        var live = await _leases.NodesAsync(databaseClock.Now().Instant - _cluster.Lease, database).ConfigureAwait(false);
        Peers = live.Where(n => n.NodeId != NodeId).ToList();
        var nodes = live.Select(n => new NodeWeight(n.NodeId, n.Capacity)).ToList();
        if (!nodes.Any(n => n.NodeId == NodeId)) nodes.Add(new NodeWeight(NodeId, _capacity));

        var held = Held();
        var lateFor = LapsedLocally();
        if (lateFor.Count > 0)
            _log.LogWarning("cluster: lease renewals ran late (the node was starved or paused): camera(s) {Cameras} were not analysed meanwhile, since another node may have taken them",
                string.Join(", ", lateFor));
        var renewal = databaseClock.Now();
        var renewed = await _leases.RenewAsync(NodeId, held, renewal.Instant, _cluster.Lease, database).ConfigureAwait(false);
        bool changed = false;
        lock (_gate)
        {
            foreach (var lease in renewed) _held[lease.CameraId] = (lease.Token, renewal.ValidFrom);
            foreach (var camera in held.Keys.Except(renewed.Select(l => l.CameraId)).ToList())
            {
                _held.Remove(camera);
                changed = true;
                _applyPending = true;
                _log.LogWarning("cluster: lost the lease of camera {CameraId} (another node holds it now); stopped here", camera);
            }
        }

        var cameras = _config.Current.Cameras.Select(c => c.Id).ToList();
        var mine = cameras.Where(c => CameraAssignment.OwnerOf(c, nodes) == NodeId).ToHashSet(StringComparer.Ordinal);
        var toGive = Held().Keys.Where(c => !mine.Contains(c)).ToList();
        foreach (var camera in toGive)
        {
            long token;
            lock (_gate)
            {
                token = _held[camera].Token;
                _held.Remove(camera);
            }
            changed = true;
            _applyPending = true;
            Moves++;
            releasing.Add(ReleaseLaterAsync(camera, token, ct));
        }
        if (changed) await ApplyAsync(ct).ConfigureAwait(false);

        bool acquired = false;
        foreach (var camera in mine)
        {
            if (Owns(camera)) continue;
            var taking = databaseClock.Now();
            var lease = await _leases.TryAcquireAsync(camera, NodeId, taking.Instant, _cluster.Lease, database).ConfigureAwait(false);
            if (lease is null) continue;
            lock (_gate)
            {
                _held[camera] = (lease.Token, taking.ValidFrom);
                _lastToken[camera] = lease.Token;
            }
            acquired = true;
            _applyPending = true;
            _log.LogInformation("cluster: camera {CameraId} is analysed on node {NodeId} (lease token {Token})", camera, NodeId, lease.Token);
        }
        if (acquired) await ApplyAsync(ct).ConfigureAwait(false);
    }

    private List<string> LapsedLocally()
    {
        lock (_gate) return _held.Where(h => _clock.GetElapsedTime(h.Value.ValidFrom) >= AnalysedFor).Select(h => h.Key).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The database's clock as a heartbeat read it, carried on by this node's elapsed time (a duration: how far this
    /// node's clock is off does not matter). The database read it somewhere between sending and the answer, so
    /// <see cref="Now"/> is never ahead of the database's clock and at most <see cref="RoundTrip"/> behind: a lapse it
    /// sees has happened, and a lease written with it lasts at least the lease from a round trip before, by this
    /// node's elapsed time (ValidFrom).
    /// </summary>
    private sealed class DatabaseClock(DateTimeOffset read, long sent, long received, TimeProvider local)
    {
        public TimeSpan RoundTrip => local.GetElapsedTime(sent, received);

        public (DateTimeOffset Instant, long ValidFrom) Now()
        {
            long now = local.GetTimestamp();
            return (read + local.GetElapsedTime(received, now), now - (received - sent));
        }
    }

    private async Task ReleaseLaterAsync(string camera, long token, CancellationToken ct)
    {
        _log.LogInformation("cluster: camera {CameraId} now belongs to another node; stopped here, its lease is released in {Grace}s", camera, ReleaseGrace.TotalSeconds);
        try { await Task.Delay(ReleaseGrace, _clock, ct).ConfigureAwait(false); } catch (OperationCanceledException) { }
        try { await _leases.ReleaseAsync(camera, NodeId, token, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) { _log.LogWarning("cluster: could not release camera {CameraId} ({Reason}); its lease lapses by itself", camera, e.Message); }
    }

    private async Task DropLapsedAsync(CancellationToken ct)
    {
        var lapsed = LapsedLocally();
        lock (_gate) foreach (var camera in lapsed) _held.Remove(camera);
        if (lapsed.Count > 0)
        {
            _log.LogWarning("cluster: camera leases lapsed without a renewal; their cameras stopped here so that another node may take them");
            await ApplyAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task ApplyAsync(CancellationToken ct)
    {
        if (_cameras is null) return;
        _applyPending = true;
        await _cameras.Value.ApplyOwnershipAsync(ct).ConfigureAwait(false);
        _applyPending = false;
    }

    private string? CameraStates() => _cameras?.Value.States();

    private async Task SafeHeartbeatAsync(CancellationToken ct)
    {
        try { await _leases.HeartbeatAsync(NodeId, _capacity, _startedAt, null, CameraStates(), ct).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException) { _log.LogWarning("cluster: first heartbeat failed ({Reason}); retrying", e.Message); }
    }

    /// <summary>
    /// A node stopping on purpose stops its cameras and leaves: the others stop counting it at once and take its
    /// cameras as their leases lapse (within the lease). The leases are not released here, because the evidence of
    /// cases confirmed just before the stop is still being written under them.
    /// </summary>
    private async Task LeaveAsync()
    {
        var held = Held();
        lock (_gate) _held.Clear();
        try
        {
            await ApplyAsync(CancellationToken.None).ConfigureAwait(false);
            await _leases.LeaveAsync(NodeId, CancellationToken.None).ConfigureAwait(false);
            _log.LogInformation("cluster: node {NodeId} left; its {Count} camera(s) move to the others when their leases lapse", NodeId, held.Count);
        }
        catch (Exception e)
        {
            _log.LogWarning("cluster: could not say that this node leaves ({Reason}); its cameras move when their leases lapse", e.Message);
        }
    }
}
