namespace Vision.Pipeline.Retry;

/// <summary>
/// Exponential backoff with equal jitter between tries (camera reconnects, evidence uploads): initial, 2×, 4×…
/// up to the cap, each delay drawn uniformly from [step/2, step] so hundreds of cameras that dropped together
/// (a switch rebooted) do not reconnect in lockstep.
/// </summary>
internal sealed class ExponentialBackoff(TimeSpan initial, TimeSpan max, Random random)
{
    private int _attempt;

    public TimeSpan Next()
    {
        double step = initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30));
        double capped = Math.Min(step, max.TotalMilliseconds);
        _attempt++;
        return TimeSpan.FromMilliseconds(capped / 2 + random.NextDouble() * capped / 2);
    }

    public void Reset() => _attempt = 0;

    /// <summary>The delay before try number <paramref name="attempt"/> + 1 (1-based <paramref name="attempt"/>), for retries whose count is kept elsewhere (the outbox).</summary>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, Random random)
    {
        double step = initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        double capped = Math.Min(step, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + random.NextDouble() * capped / 2);
    }
}
