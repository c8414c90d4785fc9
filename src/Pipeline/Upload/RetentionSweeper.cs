using Microsoft.Extensions.Logging;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Upload;

/// <summary>What one sweep did (or, in a dry run, would do).</summary>
internal sealed record SweepResult(int CasesExpired, int ObjectsDeleted, IReadOnlyList<string> CaseIds);

/// <summary>
/// Deletes evidence older than its violation type's retention from the store, except held cases (under review,
/// disputed). A sweeper rather than an S3 lifecycle rule because a lifecycle rule cannot spare a held case on a
/// plain bucket, and it works the same on the local folder and on any S3 store. Objects go first and the manifest
/// last, so a sweep cut off halfway leaves a case that is still listed and is finished by the next sweep.
/// </summary>
internal sealed class RetentionSweeper(IEvidenceStore store, EvidenceCatalog catalog, RetentionConfig retention, TimeProvider clock, ILogger log)
{
    private const int Batch = 200;

    public async Task<SweepResult> SweepAsync(bool dryRun, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var byViolation = retention.ByType.ToDictionary(p => p.Key.ToWire(), p => p.Value, StringComparer.Ordinal);
        var expired = new List<string>();
        int objects = 0;
        while (true)
        {
            var due = await catalog.ExpiredAsync(byViolation, retention.DefaultKeep, now, dryRun ? int.MaxValue : Batch, ct).ConfigureAwait(false);
            if (dryRun)
            {
                expired.AddRange(due.Select(e => e.Case.CaseId));
                return new SweepResult(expired.Count, due.Sum(e => e.Case.Objects.Count), expired);
            }
            if (due.Count == 0) break;
            foreach (var entry in due)
            {
                // A hold set since the query wins.
                if ((await catalog.FindAsync(entry.Case.CaseId, ct).ConfigureAwait(false))?.Hold != false) continue;
                foreach (var item in entry.Case.Objects)
                {
                    await store.DeleteAsync(item.Key, ct).ConfigureAwait(false);
                    objects++;
                }
                await catalog.MarkExpiredAsync(entry.Case.CaseId, now, ct).ConfigureAwait(false);
                expired.Add(entry.Case.CaseId);
            }
            if (due.Count < Batch) break;
        }
        if (expired.Count > 0) log.LogInformation("retention: deleted the evidence of {Cases} expired case(s) ({Objects} objects)", expired.Count, objects);
        return new SweepResult(expired.Count, objects, expired);
    }

    /// <summary>Sweeps every <see cref="RetentionConfig.SweepInterval"/> until stopped; a failed sweep is logged and retried next time.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(dryRun: false, ct).ConfigureAwait(false);
            }
            catch (EvidenceStoreException e)
            {
                log.LogWarning("retention sweep stopped: {Reason}; it runs again in {Interval}", e.Message, ConfigDuration.Format(retention.SweepInterval));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The case database away (or anything else): this loop must not end, nor stop the node.
                log.LogWarning("retention sweep stopped: {Reason}; it runs again in {Interval}", Storage.DatabaseFailure.Describe(e), ConfigDuration.Format(retention.SweepInterval));
            }
            try { await Task.Delay(retention.SweepInterval, clock, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }
}
