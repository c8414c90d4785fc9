using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Dispatch;
using Vision.Rules.Config;
using Vision.Pipeline.Upload;
using Vision.Storage;
using Vision.Pipeline.Hosting;
using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>A case's evidence is all in the evidence store (and, by its rule's policy, it may now be in the outbox).</summary>
public sealed record EvidenceStored(SpooledCase Case, DateTimeOffset At) : INotification;

/// <summary>The dispatch core accepted a case.</summary>
public sealed record CaseDispatched(string CaseId, DateTimeOffset ConfirmedAt, DateTimeOffset At) : INotification;

/// <summary>
/// The path of one live case, its steps called in this order and nowhere else:
/// <code>
/// confirmed ─► photos (at once) ─► [post-roll wait, off the analysis path] ─► clip + signed manifest
///           ─► case store + upload queue (one transaction) ─► cases.jsonl line ─► log
/// </code>
/// Each step records its result on the <see cref="CaseProgress"/>, so a case that failed half-way (a full disk)
/// resumes where it stopped and no step runs twice. What happens after the upload is not on this path: the
/// uploader and the publisher announce <see cref="EvidenceStored"/> and <see cref="CaseDispatched"/> through MediatR
/// to whoever observes them (the publisher's wake-up, metrics), in no particular order.
/// </summary>
public sealed class CaseFlow(EvidenceWriter writer, EvidenceStorage storage, CaseLog caseLog, ILogger log)
{
    /// <summary>Called for each confirmed violation the plate check found to be a case already raised (a metric counts them).</summary>
    public Action<Evidence.ViolationCase>? NotRaised { get; set; }

    /// <summary>In a cluster: why a written case is one that the camera's earlier node already raised (null: it is new).</summary>
    public Func<CaseRecord, CancellationToken, Task<string?>>? EarlierCase { get; set; }

    /// <summary>A config edit's evidence settings (pre/post-roll, JPEG quality), for cases confirmed from now on.</summary>
    public void UseSettings(Rules.Config.EvidenceConfig evidence) => writer.UseSettings(evidence.PreRoll, evidence.PostRoll, evidence.JpegQuality);

    /// <summary>Step 1, as soon as the violation is confirmed: the photos.</summary>
    public async Task StartAsync(CaseProgress progress)
    {
        if (progress.Started is not null) return;
        progress.Fence ??= storage.FenceOf?.Invoke(progress.Violation.Camera.Id);
        // Before its folder exists: spool recovery leaves the folders of cases on this path alone.
        storage.InFlight.Add(EvidenceWriter.CaseIdOf(progress.Violation));
        var started = await writer.WritePhotosAsync(progress.Violation, CancellationToken.None).ConfigureAwait(false);
        // Before the manifest: a case complete in the spool is recovered after a crash under the lease it was raised under.
        if (progress.Fence is { } fence) SpooledLease.Write(started.CaseDirectory, fence);
        // A node killed from here on leaves a case that recovery completes from its first photos.
        await writer.WriteProvisionalManifestAsync(started, CancellationToken.None).ConfigureAwait(false);
        progress.Started = started;
    }

    /// <summary>A case given up before it was written (the backlog overflowed, or it failed too often): the plate check forgets it.</summary>
    public void GaveUp(CaseProgress progress)
    {
        if (progress.Started is { } started) writer.Turnover?.Forget(started.CaseId);
        // A case whose files are complete is written by spool recovery instead.
        storage.InFlight.Remove(EvidenceWriter.CaseIdOf(progress.Violation));
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
        await StartAsync(progress).ConfigureAwait(false);
        try
        {
            progress.Written ??= await writer.FinishAsync(progress.Started!, clipWait).ConfigureAwait(false);
        }
        catch (CaseNotRaisedException e)
        {
            progress.NotRaised = e.Message;
            storage.InFlight.Remove(progress.Started!.CaseId);
            NotRaised?.Invoke(progress.Violation);
            log.LogInformation("camera {CameraId}: a {Violation} confirmed at {At:O} is not a new case: {Reason}",
                progress.Violation.Camera.Id, progress.Violation.Rule.Type.ToWire(), progress.Violation.ConfirmedAt, e.Message);
            return null;
        }
        var written = progress.Written;
        if (!progress.Recorded)
        {
            try
            {
                await RecordAsync(progress, written).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CaseNotRaisedException or CaseFencedException)
            {
                progress.NotRaised = e.Message;
                writer.Turnover?.Forget(written.Record.CaseId);
                DeleteSpooled(progress.Started!.CaseDirectory);
                storage.InFlight.Remove(written.Record.CaseId);
                log.LogInformation("camera {CameraId}: case {CaseId} is not written: {Reason}", written.Record.CameraId, written.Record.CaseId, e.Message);
                return null;
            }
            progress.Recorded = true;
            storage.InFlight.Remove(written.Record.CaseId);
            storage.Database.Answered();
        }
        await caseLog.AppendAsync(written.Record, CancellationToken.None).ConfigureAwait(false);
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
    private async Task RecordAsync(CaseProgress progress, WrittenCase written)
    {
        while (true)
        {
            if (EarlierCase is { } earlier && await earlier(written.Record, CancellationToken.None).ConfigureAwait(false) is { } duplicate)
                throw new CaseNotRaisedException(duplicate);
            try
            {
                await storage.SpoolAsync(written, progress.Fence, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (CaseFencedException) when (progress.Fence is { } raised && storage.RecoveryFences is { } fences)
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

/// <summary>
/// The observers of what happens to a case after the flow: MediatR 5.1.0 (the version this registry serves), wired by
/// hand: its <see cref="ServiceFactory"/> is the container's GetService, handlers are singletons.
/// </summary>
public static class CaseObservers
{
    public static IServiceCollection AddCaseObservers(this IServiceCollection services)
    {
        services.AddSingleton<ServiceFactory>(sp => sp.GetService!);
        services.AddSingleton<IMediator, Mediator>();
        services.AddSingleton<INotificationHandler<EvidenceStored>, WakePublisher>();
        services.AddSingleton<INotificationHandler<EvidenceStored>, ObserveStored>();
        services.AddSingleton<INotificationHandler<CaseDispatched>, ObserveDispatched>();
        return services;
    }

    /// <summary>Publishes from a synchronous event; a failing handler is logged, never thrown into the uploader or publisher.</summary>
    public static void Announce(IMediator mediator, INotification notification, ILogger log) =>
        _ = mediator.Publish(notification, CancellationToken.None).ContinueWith(
            t => log.LogError(t.Exception, "a handler of {Notification} failed", notification.GetType().Name),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private sealed class WakePublisher(IServiceProvider services) : INotificationHandler<EvidenceStored>
    {
        public Task Handle(EvidenceStored n, CancellationToken ct)
        {
            services.GetService<DispatchPublisher>()?.Wake();
            return Task.CompletedTask;
        }
    }

    private sealed class ObserveStored(VisionMetrics metrics) : INotificationHandler<EvidenceStored>
    {
        public Task Handle(EvidenceStored n, CancellationToken ct)
        {
            metrics.ObserveStored(n.At - n.Case.ConfirmedAt);
            return Task.CompletedTask;
        }
    }

    private sealed class ObserveDispatched(VisionMetrics metrics) : INotificationHandler<CaseDispatched>
    {
        public Task Handle(CaseDispatched n, CancellationToken ct)
        {
            metrics.ObserveDispatched(n.At - n.ConfirmedAt);
            return Task.CompletedTask;
        }
    }
}
