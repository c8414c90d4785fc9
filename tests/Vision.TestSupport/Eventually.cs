using System.Diagnostics;

namespace Vision.TestSupport;

/// <summary>
/// Waits for a condition instead of a fixed time: polls until it holds or the timeout passes, then fails with what was
/// awaited and the last value observed.
/// </summary>
public static class Eventually
{
    /// <summary>How often a condition is polled unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="observe"/> until <paramref name="holds"/> is true of its value; returns that value.</summary>
    /// <param name="what">What is awaited, as the failure message should say it ("3 cases stored").</param>
    /// <param name="context">More for the failure message (a process's output), read only when the wait fails.</param>
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> observe, Func<T, bool> holds, TimeSpan timeout, string what,
        TimeSpan? poll = null, Func<string>? context = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T value = await observe();
            if (holds(value)) return value;
            if (clock.Elapsed >= timeout)
                throw new Xunit.Sdk.XunitException(
                    $"waited {timeout.TotalSeconds:0.#} s for {what}; last observed: {Describe(value)}" + (context is null ? "" : "\n" + context()));
            await Task.Delay(poll ?? DefaultPoll, cancellationToken);
        }
    }

    /// <summary>Polls a synchronous observation until <paramref name="holds"/> is true of it; returns that value.</summary>
    public static Task<T> HoldsAsync<T>(Func<T> observe, Func<T, bool> holds, TimeSpan timeout, string what,
        TimeSpan? poll = null, Func<string>? context = null, CancellationToken cancellationToken = default) =>
        HoldsAsync(() => Task.FromResult(observe()), holds, timeout, what, poll, context, cancellationToken);

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what,
        TimeSpan? poll = null, Func<string>? context = null, CancellationToken cancellationToken = default) =>
        HoldsAsync(condition, held => held, timeout, what, poll, context, cancellationToken);

    /// <summary>Polls a synchronous <paramref name="condition"/> until it is true.</summary>
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what,
        TimeSpan? poll = null, Func<string>? context = null, CancellationToken cancellationToken = default) =>
        HoldsAsync(() => Task.FromResult(condition()), held => held, timeout, what, poll, context, cancellationToken);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        System.Collections.ICollection c => $"{c.Count} item(s)",
        _ => value.ToString() ?? "",
    };
}
