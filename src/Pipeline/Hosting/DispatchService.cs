using MediatR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Spool;

namespace Vision.Pipeline.Hosting;

/// <summary>Delivers the outbox to the dispatch core, and keeps the outbox figures for /metrics and /api/status fresh.</summary>
public sealed class DispatchService(DispatchPublisher publisher, EvidenceStorage storage, IMediator mediator, TimeProvider clock, ILogger<DispatchService> log) : BackgroundService
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(2);

    /// <summary>The outbox and delivery figures, refreshed every few seconds; null until the first refresh.</summary>
    public DispatchStatus? Status { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        publisher.Delivered += (id, confirmedAt, at) => CaseObservers.Announce(mediator, new CaseDispatched(id, confirmedAt, at), log);
        var delivering = publisher.RunAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (pending, dead, oldest) = await storage.Outbox.StatsAsync(stoppingToken).ConfigureAwait(false);
                Status = new DispatchStatus(pending, dead, oldest, publisher.DeliveredCount, publisher.Retries, publisher.DeadLetters, publisher.RejectedByReceiver);
                await Task.Delay(StatusInterval, clock, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await delivering.ConfigureAwait(false);
    }
}
