using Microsoft.Extensions.Hosting;

namespace Vision.Pipeline.Upload;

/// <summary>
/// Uploads spooled evidence to the evidence store until stopped. Its start reconciles the spool with the catalog
/// (after a crash) before any other service runs; a database away at that moment does not stop the node: the
/// reconciliation is tried again every half minute, and runs on so that cases kept in the spool are written.
/// </summary>
internal sealed class UploadService(EvidenceStorage storage) : BackgroundService
{
    private bool _recoveredAtStart;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _recoveredAtStart = await storage.TryRecoverAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Whatever is still spooled at a stop uploads at the next start.
        var recovering = storage.RecoverUntilStoppedAsync(_recoveredAtStart, stoppingToken);
        try { await storage.Uploader.RunAsync(stoppingToken).ConfigureAwait(false); }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await recovering.ConfigureAwait(false);
    }
}

/// <summary>Deletes evidence past its retention, until stopped.</summary>
internal sealed class RetentionService(EvidenceStorage storage) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try { await storage.Sweeper.RunAsync(stoppingToken).ConfigureAwait(false); }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
