using Microsoft.Extensions.Logging;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// The live-queue streams (<c>GET /api/events</c>) one node serves, by user and session: at most
/// <see cref="MaxPerUser"/> streams per user, so that one user's many tabs (or a script's connections) cannot take the
/// node's <see cref="CaseChangeFeed.MaxListeners"/> from everybody else; and every <see cref="CheckInterval"/> one query
/// for all their sessions, so that a stream whose session ended — signed out, ended by an admin, its account disabled
/// or deleted, idle or old too long, on this node or another — ends within about a second.
/// </summary>
public sealed class LiveQueueSessions(ISessionStore sessions, ConsoleConfig config, TimeProvider clock, ILogger log)
{
    public const int MaxPerUser = 5;
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly HashSet<LiveQueueSlot> _open = [];
    private readonly Dictionary<string, int> _perUser = new(StringComparer.OrdinalIgnoreCase);
    private bool _failing;

    /// <summary>A slot for one stream of <paramref name="username"/>; null when the user already has <see cref="MaxPerUser"/>. Dispose it when the stream ends.</summary>
    public LiveQueueSlot? TryOpen(string username, string sessionId)
    {
        lock (_gate)
        {
            int held = _perUser.GetValueOrDefault(username);
            if (held >= MaxPerUser) return null;
            _perUser[username] = held + 1;
            var slot = new LiveQueueSlot(this, username, sessionId);
            _open.Add(slot);
            return slot;
        }
    }

    internal void Release(LiveQueueSlot slot)
    {
        lock (_gate)
        {
            if (!_open.Remove(slot)) return;
            if (--_perUser[slot.Username] == 0) _perUser.Remove(slot.Username);
        }
    }

    /// <summary>Checks the open streams' sessions until <paramref name="ct"/> ends (the host stopping).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(CheckInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) await CheckAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        LiveQueueSlot[] open;
        lock (_gate) open = [.. _open];
        if (open.Length == 0) return;
        try
        {
            var now = clock.GetUtcNow();
            var active = await sessions.ActiveAmongAsync(open.Select(s => s.SessionId).ToHashSet(StringComparer.Ordinal), now - config.SessionIdle,
                now - config.SessionLifetime, ct).ConfigureAwait(false);
            foreach (var slot in open)
                if (!active.Contains(slot.SessionId)) slot.End();
            if (_failing) log.LogInformation("live queues: reading sessions from the case database again");
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Streams stay open meanwhile; every other request of theirs is refused while the database does not answer.
            if (!_failing) log.LogWarning("live queues: cannot check their sessions in the case database ({Error})", e.Message);
            _failing = true;
        }
    }
}

/// <summary>One live-queue stream's place in <see cref="LiveQueueSessions"/>; <see cref="Ended"/> completes when its session no longer counts.</summary>
public sealed class LiveQueueSlot : IDisposable
{
    private readonly LiveQueueSessions _owner;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal LiveQueueSlot(LiveQueueSessions owner, string username, string sessionId)
    {
        _owner = owner;
        Username = username;
        SessionId = sessionId;
    }

    public string Username { get; }
    public string SessionId { get; }
    public Task Ended => _ended.Task;

    internal void End() => _ended.TrySetResult();

    /// <summary>Frees the slot at once (the stream closed).</summary>
    public void Dispose() => _owner.Release(this);
}
