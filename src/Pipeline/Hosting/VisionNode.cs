using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Starts <c>vision run</c>'s services one after the other in the order given (<see cref="VisionServices.AddVision"/>
/// writes it down) and stops them in the reverse, so the order is stated once and does not follow the order of
/// registration. Like the host, it stops the node when one of them fails.
/// </summary>
internal sealed class VisionNode(IReadOnlyList<IHostedService> services, IHostApplicationLifetime lifetime, ILogger<VisionNode> log) : IHostedService
{
    private int _started;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var service in services)
        {
            await service.StartAsync(cancellationToken).ConfigureAwait(false);
            _started++;
            if (service is BackgroundService { ExecuteTask: { } running }) _ = StopNodeIfFailedAsync(service, running);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<Exception>? failures = null;
        for (int i = _started - 1; i >= 0; i--)
        {
            // One that fails to stop must not keep the ones it depends on (child processes last) running.
            try { await services[i].StopAsync(cancellationToken).ConfigureAwait(false); }
            catch (Exception e) { (failures ??= []).Add(e); }
        }
        if (failures is not null) throw new AggregateException("some of vision run's services failed to stop", failures);
    }

    private async Task StopNodeIfFailedAsync(IHostedService service, Task running)
    {
        try { await running.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            log.LogCritical(e, "{Service} failed; stopping the node", service.GetType().Name);
            lifetime.StopApplication();
        }
    }
}
