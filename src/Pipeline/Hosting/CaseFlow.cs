using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Spool;
using Vision.Storage;

namespace Vision.Pipeline.Hosting;

/// <summary>A case's evidence files are complete in the spool.</summary>
public sealed record CaseWritten(WrittenCase Case) : INotification;

/// <summary>A case's evidence is all in the evidence store (and, by its rule's policy, it may now be in the outbox).</summary>
public sealed record EvidenceStored(SpooledCase Case, DateTimeOffset At) : INotification;

/// <summary>The dispatch core accepted a case.</summary>
public sealed record CaseDispatched(string CaseId, DateTimeOffset ConfirmedAt, DateTimeOffset At) : INotification;

/// <summary>
/// Who reacts to a case, in one place. Handlers of one notification run in the order listed.
/// <code>
/// detection ─► evidence writer ─► CaseWritten    ─► RecordCase       case store + upload queue (one transaction)
///                                                ─► AppendCaseLog    cases.jsonl line
///           uploader ─────────► EvidenceStored   ─► WakePublisher    (the outbox row was written with the stored state)
///                                                ─► ObserveStored    metrics: confirmation → stored
///           publisher ────────► CaseDispatched   ─► ObserveDispatched metrics: confirmation → accepted by the dispatch core
/// </code>
/// MediatR 5.1.0 (the version this registry serves) is wired by hand: its <see cref="ServiceFactory"/> is the
/// container's GetService, handlers are registered here as singletons.
/// </summary>
public static class CaseFlow
{
    public static IServiceCollection AddCaseFlow(this IServiceCollection services)
    {
        services.AddSingleton<ServiceFactory>(sp => sp.GetService!);
        services.AddSingleton<IMediator, Mediator>();
        services.AddSingleton<INotificationHandler<CaseWritten>, RecordCase>();
        services.AddSingleton<INotificationHandler<CaseWritten>, AppendCaseLog>();
        services.AddSingleton<INotificationHandler<EvidenceStored>, WakePublisher>();
        services.AddSingleton<INotificationHandler<EvidenceStored>, ObserveStored>();
        services.AddSingleton<INotificationHandler<CaseDispatched>, ObserveDispatched>();
        return services;
    }

    private sealed class RecordCase(EvidenceStorage storage) : INotificationHandler<CaseWritten>
    {
        public Task Handle(CaseWritten n, CancellationToken ct) => storage.SpoolAsync(n.Case, ct);
    }

    private sealed class AppendCaseLog(CaseLog log, ILoggerFactory logs) : INotificationHandler<CaseWritten>
    {
        private readonly ILogger _log = logs.CreateLogger("Vision.Service");

        public async Task Handle(CaseWritten n, CancellationToken ct)
        {
            var record = n.Case.Record;
            await log.AppendAsync(record, ct).ConfigureAwait(false);
            _log.LogInformation("case {CaseId}: {Violation} on camera {CameraId} ({Rule}){ClipError}", record.CaseId, record.Violation, record.CameraId, record.RuleId,
                record.Evidence.ClipError is null ? "" : "; no clip: " + record.Evidence.ClipError);
        }
    }

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
