using Microsoft.Extensions.Logging;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// The path of one case, for <c>run</c> and <c>replay</c> alike, its steps called in this order and nowhere else:
/// <code>
/// confirmed ─► photos (at once) ─► [post-roll wait, off the analysis path] ─► clip + signed manifest
///           ─► case store + upload queue (one transaction; live only: <see cref="ICaseSpool"/>) ─► cases.jsonl line ─► log
/// </code>
/// Each step records its result on the <see cref="CaseProgress"/>, so a case that failed half-way (a full disk)
/// resumes where it stopped and no step runs twice. What happens next (a case already raised, its evidence stored, its
/// delivery) is told to the <see cref="CaseObservers"/>.
/// </summary>
/// <param name="spool">Live: the case store and upload queue; null in replay.</param>
/// <param name="earlier">In a cluster: the check for a case the camera's earlier node already raised.</param>
internal sealed class CaseFlow(EvidenceWriter writer, CaseLog caseLog, CaseObservers observers, ILogger log, ICaseSpool? spool = null, IEarlierCaseCheck? earlier = null)
{
    /// <summary>A config edit's evidence settings (pre/post-roll, JPEG quality), for cases confirmed from now on.</summary>
    public void UseSettings(EvidenceConfig evidence) => writer.UseSettings(evidence.PreRoll, evidence.PostRoll, evidence.JpegQuality);

    /// <summary>Step 1, as soon as the violation is confirmed: the photos.</summary>
    public async Task StartAsync(CaseProgress progress, CancellationToken ct)
    {
        if (progress.Started is not null) return;
        if (spool is null)
        {
            progress.Started = await writer.WritePhotosAsync(progress.Violation, ct).ConfigureAwait(false);
            return;
        }
        progress.Fence ??= spool.FenceOf(progress.Violation.Camera.Id);
        // Before its folder exists: spool recovery leaves the folders of cases on this path alone.
        spool.Writing(EvidenceWriter.CaseIdOf(progress.Violation));
        var started = await writer.WritePhotosAsync(progress.Violation, ct).ConfigureAwait(false);
        // Before the manifest: a case complete in the spool is recovered after a crash under the lease it was raised under.
        if (progress.Fence is { } fence) spool.KeepLease(started.CaseDirectory, fence);
        // A node killed from here on leaves a case that recovery completes from its first photos.
        await writer.WriteProvisionalManifestAsync(started, ct).ConfigureAwait(false);
        progress.Started = started;
    }

    /// <summary>A case given up before it was written (the backlog overflowed, or it failed too often): the plate check forgets it.</summary>
    public void GaveUp(CaseProgress progress)
    {
        if (progress.Started is { } started) writer.Turnover?.Forget(started.CaseId);
        // A case whose files are complete is written by spool recovery instead.
        spool?.DoneWriting(EvidenceWriter.CaseIdOf(progress.Violation));
    }

    /// <summary>When step 2 may run: the post-roll is recorded.</summary>
    public DateTimeOffset ClipDue(CaseProgress progress) => writer.ClipDue(progress.Violation);

    /// <summary>
    /// Steps 2–4: clip and manifest, the case store, the case log. <paramref name="clipWait"/> ends the wait for a
    /// recording that is late (a stop): the case is then finished without its clip.
    /// </summary>
    /// <returns>The written case; null when the plate check found it to be a case already raised (it is logged and counted).</returns>
    public async Task<WrittenCase?> FinishAsync(CaseProgress progress, CancellationToken clipWait)
    {
        if (progress.NotRaised is not null) return null;
        // Replay's photos follow the replay's cancellation; live photos are written whatever stops.
        await StartAsync(progress, spool is null ? clipWait : CancellationToken.None).ConfigureAwait(false);
        try
        {
            progress.Written ??= await writer.FinishAsync(progress.Started!, clipWait).ConfigureAwait(false);
        }
        catch (CaseNotRaisedException e)
        {
            progress.NotRaised = e.Message;
            spool?.DoneWriting(progress.Started!.CaseId);
            observers.NotRaised(progress.Violation);
            log.LogInformation("camera {CameraId}: a {Violation} confirmed at {At:O} is not a new case: {Reason}",
                progress.Violation.Camera.Id, progress.Violation.Rule.Type.ToWire(), progress.Violation.ConfirmedAt, e.Message);
            return null;
        }
        var written = progress.Written;
        if (!progress.Recorded && spool is not null)
        {
            try
            {
                await RecordAsync(spool, progress, written).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CaseNotRaisedException or CaseFencedException)
            {
                progress.NotRaised = e.Message;
                writer.Turnover?.Forget(written.Record.CaseId);
                DeleteSpooled(progress.Started!.CaseDirectory);
                spool.DoneWriting(written.Record.CaseId);
                log.LogInformation("camera {CameraId}: case {CaseId} is not written: {Reason}", written.Record.CameraId, written.Record.CaseId, e.Message);
                return null;
            }
            spool.DoneWriting(written.Record.CaseId);
        }
        progress.Recorded = true;
        await caseLog.AppendAsync(written.Record, spool is null ? clipWait : CancellationToken.None).ConfigureAwait(false);
        var record = written.Record;
        log.LogInformation("case {CaseId}: {Violation} on camera {CameraId} ({Rule}){ClipError}", record.CaseId, record.Violation, record.CameraId, record.RuleId,
            record.Evidence.ClipError is null ? "" : "; no clip: " + record.Evidence.ClipError);
        return written;
    }

    /// <summary>
    /// The case store and upload queue, under the camera's lease. A case refused because the lease changed is this
    /// node's still when the node holds the camera again (a database outage made it lapse and be taken anew): it is
    /// written under the lease held now. While the lease is not back it waits; only a camera another node took is "moved".
    /// </summary>
    private async Task RecordAsync(ICaseSpool spool, CaseProgress progress, WrittenCase written)
    {
        while (true)
        {
            if (earlier is not null && await earlier.EarlierCaseAsync(written.Record, CancellationToken.None).ConfigureAwait(false) is { } duplicate)
                throw new CaseNotRaisedException(duplicate);
            try
            {
                await spool.SpoolAsync(written, progress.Fence, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (CaseFencedException) when (progress.Fence is { } raised && spool.RecoveryFences is { } fences)
            {
                var decision = await fences.DecideAsync(written.Record.CameraId, raised, CancellationToken.None).ConfigureAwait(false);
                if (decision.Moved is { } moved) throw new CaseFencedException(moved);
                if (decision.Wait is { } wait) throw new CaseWaitsForLeaseException(wait);
                if (decision.WriteUnder == raised) throw;
                log.LogInformation("camera {CameraId}: case {CaseId} was raised under lease token {Raised}; this node holds the camera again, so it is written under token {Now}",
                    written.Record.CameraId, written.Record.CaseId, raised.LeaseToken, decision.WriteUnder?.LeaseToken);
                progress.Fence = decision.WriteUnder;
            }
        }
    }

    // A case not written leaves no folder for spool recovery to take for a case at the next start.
    private void DeleteSpooled(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (IOException e) { log.LogWarning("could not delete {Directory} of a case not written: {Reason}", directory, e.Message); }
    }
}
