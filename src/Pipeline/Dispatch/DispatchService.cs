using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Upload;
using Vision.Storage;

namespace Vision.Pipeline.Dispatch;

/// <summary>Delivers the outbox to the dispatch core, and keeps the outbox figures for /metrics and /api/status fresh.</summary>
internal sealed class DispatchService(DispatchPublisher publisher, EvidenceStorage storage, TimeProvider clock, ILogger<DispatchService> log) : BackgroundService
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(2);

    /// <summary>The outbox and delivery figures, refreshed every few seconds; null until the first refresh.</summary>
    public DispatchStatus? Status { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delivering = publisher.RunAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await RefreshStatusAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(StatusInterval, clock, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await delivering.ConfigureAwait(false);
    }

    /// <summary>
    /// The outbox figures; while the database is away the last ones stay (their age is in the status) and the node
    /// goes on: this loop never ends on a database error, nor stops the host.
    /// </summary>
    private async Task RefreshStatusAsync(CancellationToken ct)
    {
        try
        {
            var (pending, dead, oldest) = await storage.Outbox.StatsAsync(ct).ConfigureAwait(false);
            Status = new DispatchStatus(pending, dead, oldest, publisher.DeliveredCount, publisher.Retries, publisher.DeadLetters, publisher.RejectedByReceiver);
            storage.Database.Answered();
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (DatabaseFailure.IsUnavailable(e)) storage.Database.Failed("dispatch figures", e, $"the outbox figures in /api/status and /metrics keep their last values until it answers (tried every {StatusInterval.TotalSeconds:0} s)");
            else log.LogError(e, "dispatch: reading the outbox figures failed; tried again in {Seconds} s", StatusInterval.TotalSeconds);
        }
    }
}
