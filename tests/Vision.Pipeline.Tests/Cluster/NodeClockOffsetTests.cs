using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vision.Pipeline.Cluster;
using Vision.Pipeline.Tests.Support;

namespace Vision.Pipeline.Tests.Cluster;

/// <summary>The node's clock against the database's, as each heartbeat measures it, and what the operator is told.</summary>
public sealed class NodeClockOffsetTests
{
    private static readonly DateTimeOffset Database = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Trip = TimeSpan.FromMilliseconds(10);

    private readonly FakeTimeProvider _clock = new(Database);
    private readonly LogLines _log = new();

    /// <summary>A heartbeat that found this node's clock <paramref name="offset"/> from the database's, <paramref name="trip"/> there and back.</summary>
    private void Heartbeat(NodeClockOffset check, TimeSpan offset, TimeSpan? trip = null)
    {
        var roundTrip = trip ?? Trip;
        check.Observe(Database + offset - roundTrip / 2, roundTrip, Database);
    }

    [Fact]
    public void A_clock_off_by_more_than_two_seconds_is_warned_about_with_by_how_much_once_per_ten_minutes_and_the_offset_is_kept()
    {
        var check = new NodeClockOffset(_clock, _log);
        var measured = new List<TimeSpan>();
        check.Measured = measured.Add;

        Heartbeat(check, TimeSpan.FromSeconds(20));
        var warning = Assert.Single(_log.At(LogLevel.Warning, "clock"));
        Assert.Contains("20.0 s ahead of the database's", warning);
        Assert.Contains("Camera leases use the database's clock", warning);
        Assert.Contains("frame and case times", warning);
        Assert.Contains("NTP", warning);
        Assert.Equal(TimeSpan.FromSeconds(20), check.Offset);
        Assert.Equal([TimeSpan.FromSeconds(20)], measured);

        // Every heartbeat measures; the warning is not repeated at each.
        for (int i = 0; i < 100; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(3));
            Heartbeat(check, TimeSpan.FromSeconds(20));
        }
        Assert.Single(_log.At(LogLevel.Warning, "clock"));
        Assert.Equal(101, measured.Count);

        _clock.Advance(TimeSpan.FromMinutes(10));
        Heartbeat(check, TimeSpan.FromSeconds(-20));
        Assert.Equal(2, _log.At(LogLevel.Warning, "clock").Count);
        Assert.Contains("20.0 s behind the database's", _log.At(LogLevel.Warning, "clock")[1]);

        Heartbeat(check, TimeSpan.FromSeconds(0.3));
        Assert.Single(_log.At(LogLevel.Information, "agrees with the database's again"));
        Assert.Equal(TimeSpan.FromSeconds(0.3), check.Offset);
    }

    [Fact]
    public void A_small_offset_or_one_the_round_trip_may_explain_is_not_warned_about()
    {
        var check = new NodeClockOffset(_clock, _log);

        Heartbeat(check, TimeSpan.FromSeconds(1.5));
        Heartbeat(check, TimeSpan.FromSeconds(-1.9));
        // A 4 s round trip (a slow database) leaves ±2 s uncertain: 3 s off may be 1 s.
        Heartbeat(check, TimeSpan.FromSeconds(3), trip: TimeSpan.FromSeconds(4));

        Assert.Empty(_log.Lines);
        Assert.Equal(TimeSpan.FromSeconds(3), check.Offset);
    }
}
