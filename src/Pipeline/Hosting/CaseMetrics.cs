using Vision.Pipeline.Evidence;
using Vision.Storage;

namespace Vision.Pipeline.Hosting;

/// <summary>Counts the case path for /metrics: plates seen again, time from confirmation to stored evidence and to dispatch.</summary>
internal sealed class CaseMetrics(VisionMetrics metrics) : ICaseObserver
{
    public void NotRaised(ViolationCase violation) => metrics.SameVehicle(violation.Camera.Id);

    public void Stored(SpooledCase stored, DateTimeOffset at) => metrics.ObserveStored(at - stored.ConfirmedAt);

    public void Delivered(string caseId, DateTimeOffset confirmedAt, DateTimeOffset at) => metrics.ObserveDispatched(at - confirmedAt);
}
