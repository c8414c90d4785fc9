using Vision.Pipeline.Dispatch;

namespace Vision.Pipeline.Tests.Dispatch;

/// <summary>The publisher's idle wait runs once per loop pass for months: it must leave nothing registered behind.</summary>
public sealed class DispatchIdleWaitTests
{
    [Fact]
    public async Task Idle_passes_hold_no_memory_on_the_service_token()
    {
        using var service = new CancellationTokenSource();
        var arrived = Task.CompletedTask;
        var running = new List<Task>();
        for (int i = 0; i < 1_000; i++) await DispatchPublisher.WaitForWorkAsync(arrived, running, TimeSpan.FromHours(1), TimeProvider.System, service.Token);

        long before = GC.GetTotalMemory(forceFullCollection: true);
        const int passes = 100_000;
        for (int i = 0; i < passes; i++) await DispatchPublisher.WaitForWorkAsync(arrived, running, TimeSpan.FromHours(1), TimeProvider.System, service.Token);
        long held = GC.GetTotalMemory(forceFullCollection: true) - before;

        // The old wait kept a never-ending delay registered on the token per pass: about 380 B each, 38 MB here.
        Assert.True(held < 4 * 1024 * 1024, $"{passes} idle passes still hold {held / 1024} KiB");
    }

    [Fact]
    public async Task Idle_wait_returns_when_a_delivery_finishes()
    {
        var delivery = new TaskCompletionSource();
        var wait = DispatchPublisher.WaitForWorkAsync(new TaskCompletionSource().Task, [delivery.Task], TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        delivery.SetResult();
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Idle_wait_ends_with_cancellation_on_stop()
    {
        using var service = new CancellationTokenSource();
        var wait = DispatchPublisher.WaitForWorkAsync(new TaskCompletionSource().Task, [], TimeSpan.FromHours(1), TimeProvider.System, service.Token);
        await service.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
