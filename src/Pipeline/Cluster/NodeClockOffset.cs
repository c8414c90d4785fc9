using Microsoft.Extensions.Logging;

namespace Vision.Pipeline.Cluster;

/// <summary>
/// This node's clock against the database's, measured at each cluster heartbeat. Camera leases use the database's
/// clock, so the cluster shares cameras whatever the nodes' clocks say; but frame and case times, and the outbox's
/// retry times, are this node's, so a clock that is off is warned about (at most every <see cref="WarnEvery"/>).
/// </summary>
internal sealed class NodeClockOffset(TimeProvider clock, ILogger log)
{
    /// <summary>Off by more than this, beyond what the round trip leaves uncertain, is warned about.</summary>
    public static readonly TimeSpan WarnAbove = TimeSpan.FromSeconds(2);

    /// <summary>While the clock stays off, the warning is repeated this often, not at every heartbeat.</summary>
    public static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(10);

    private long? _warnedAt;

    /// <summary>This node's clock minus the database's at the last heartbeat (positive: ahead); null before the first.</summary>
    public TimeSpan? Offset { get; private set; }

    /// <summary>Called with every measurement (for the metric).</summary>
    public Action<TimeSpan>? Measured { get; set; }

    /// <param name="sentAt">This node's clock when the heartbeat was sent.</param>
    /// <param name="roundTrip">How long the heartbeat took, by this node's elapsed time.</param>
    /// <param name="databaseAt">The database's clock, read somewhere within that round trip.</param>
    public void Observe(DateTimeOffset sentAt, TimeSpan roundTrip, DateTimeOffset databaseAt)
    {
        // The database read its clock somewhere in the round trip: take the middle, uncertain by half the trip.
        var offset = sentAt + roundTrip / 2 - databaseAt;
        var uncertain = roundTrip / 2;
        Offset = offset;
        Measured?.Invoke(offset);
        if (offset.Duration() - uncertain > WarnAbove)
        {
            if (_warnedAt is { } at && clock.GetElapsedTime(at) < WarnEvery) return;
            _warnedAt = clock.GetTimestamp();
            log.LogWarning("this node's clock is {Offset:0.0} s {Direction} the database's (measured at the cluster heartbeat, ± {Uncertain:0.0} s). Camera leases use the database's clock, so cameras are still shared fairly, but frame and case times (confirmation, photos, the dispatch record) come from this node's clock: fix its time synchronisation (NTP, chrony). Said again every {Every} min while it lasts",
                offset.Duration().TotalSeconds, offset > TimeSpan.Zero ? "ahead of" : "behind", uncertain.TotalSeconds, WarnEvery.TotalMinutes);
        }
        else if (_warnedAt is not null && offset.Duration() + uncertain <= WarnAbove)
        {
            _warnedAt = null;
            log.LogInformation("this node's clock agrees with the database's again (off by {Offset:0.0} s)", offset.TotalSeconds);
        }
    }
}
