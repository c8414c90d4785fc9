using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// The changes the console's open queues hear about (<c>GET /api/events</c>). One loop per process polls the shared
/// database's newest history id every <see cref="Interval"/> — one cheap query however many consoles listen — and reads
/// the new entries only when it moved, so a case added or decided on any node reaches the consoles of every node.
/// Each listener has a small bounded queue; one that falls behind loses its oldest entries (its page reloads anyway).
/// </summary>
public sealed class CaseChangeFeed(CaseReports reports, TimeProvider clock, ILogger log)
{
    /// <summary>Listeners one process serves at once; more are refused (503) rather than slowing the others.</summary>
    public const int MaxListeners = 100;

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private const int BatchLimit = 500;

    private readonly Lock _gate = new();
    private readonly HashSet<Channel<CaseChange>> _listeners = [];
    private long _latest = -1;
    private bool _failing;

    /// <summary>The newest history id seen; -1 before the first poll.</summary>
    public long Latest => Interlocked.Read(ref _latest);

    public int Listeners { get { lock (_gate) return _listeners.Count; } }

    /// <summary>A queue of changes from now on; null when <see cref="MaxListeners"/> are already listening.</summary>
    public ChannelReader<CaseChange>? Listen(out Action stop)
    {
        var channel = Channel.CreateBounded<CaseChange>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            if (_listeners.Count >= MaxListeners)
            {
                stop = () => { };
                return null;
            }
            _listeners.Add(channel);
        }
        stop = () =>
        {
            lock (_gate) _listeners.Remove(channel);
            channel.Writer.TryComplete();
        };
        return channel.Reader;
    }

    /// <summary>Polls until <paramref name="ct"/> ends (the host stopping).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            do await PollAsync(ct).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        try
        {
            long latest = await reports.LatestChangeAsync(ct).ConfigureAwait(false);
            long seen = Latest;
            while (seen >= 0 && latest > seen)
            {
                var changes = await reports.ChangesSinceAsync(seen, BatchLimit, ct).ConfigureAwait(false);
                if (changes.Count == 0) break;
                Publish(changes);
                seen = changes[^1].Id;
            }
            Interlocked.Exchange(ref _latest, Math.Max(latest, seen));
            if (_failing) log.LogInformation("case change feed: reading the case database again");
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!_failing) log.LogWarning("case change feed: cannot read the case database ({Error}); open queues stop updating until it answers", e.Message);
            _failing = true;
        }
    }

    private void Publish(IReadOnlyList<CaseChange> changes)
    {
        Channel<CaseChange>[] listeners;
        lock (_gate) listeners = [.. _listeners];
        foreach (var listener in listeners)
            foreach (var change in changes)
                listener.Writer.TryWrite(change);
    }
}
