using Vision.Pipeline.Retry;

namespace Vision.Pipeline.Tests.LiveUnits;

public sealed class ExponentialBackoffTests
{
    /// <summary>A random source that always draws the same fraction, so each delay is known exactly.</summary>
    private sealed class FixedRandom(double fraction) : Random
    {
        public override double NextDouble() => fraction;
    }

    private static List<TimeSpan> Delays(ExponentialBackoff backoff, int count)
    {
        var delays = new List<TimeSpan>(count);
        for (int i = 0; i < count; i++) delays.Add(backoff.Next());
        return delays;
    }

    [Fact]
    public void Lowest_draw_gives_half_of_each_step_doubling_from_initial_until_the_cap()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), new FixedRandom(0));

        var seconds = Delays(backoff, 6).ConvertAll(d => d.TotalSeconds);

        Assert.Equal([0.5, 1, 2, 4, 4, 4], seconds);
    }

    [Fact]
    public void Highest_draw_gives_the_full_step_and_never_more_than_the_cap()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), new FixedRandom(0.999999));

        var seconds = Delays(backoff, 6).ConvertAll(d => Math.Round(d.TotalSeconds, 3));

        Assert.Equal([1, 2, 4, 8, 8, 8], seconds);
    }

    [Fact]
    public void Every_delay_lies_between_half_and_all_of_its_capped_step()
    {
        var initial = TimeSpan.FromMilliseconds(500);
        var max = TimeSpan.FromSeconds(30);
        var backoff = new ExponentialBackoff(initial, max, new Random(1234));

        for (int attempt = 0; attempt < 12; attempt++)
        {
            double step = Math.Min(initial.TotalMilliseconds * Math.Pow(2, attempt), max.TotalMilliseconds);
            double delay = backoff.Next().TotalMilliseconds;
            Assert.InRange(delay, step / 2, step);
        }
    }

    [Fact]
    public void Cameras_that_fail_together_do_not_retry_in_lockstep()
    {
        var firstDelays = new HashSet<TimeSpan>();
        for (int camera = 0; camera < 50; camera++)
            firstDelays.Add(new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(camera)).Next());

        Assert.True(firstDelays.Count >= 45, $"only {firstDelays.Count} distinct first delays among 50 cameras");
    }

    [Fact]
    public void Reset_starts_again_from_the_initial_delay()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new FixedRandom(0));
        Delays(backoff, 5);

        backoff.Reset();

        Assert.Equal(TimeSpan.FromMilliseconds(500), backoff.Next());
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }

    [Fact]
    public void A_camera_down_for_thousands_of_attempts_still_waits_within_the_cap()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(7));

        var delays = Delays(backoff, 5000);

        foreach (var delay in delays[10..]) Assert.InRange(delay, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
    }
}
