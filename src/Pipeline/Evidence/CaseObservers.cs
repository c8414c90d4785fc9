using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vision.Cases;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// The one way the case path says "next": every <see cref="ICaseObserver"/>, in registration order. A failing observer
/// is logged and never thrown into the stage that reports (the flow, the uploader, the publisher, the console).
/// </summary>
internal sealed class CaseObservers : ICaseReleaseObserver
{
    private readonly Lazy<IReadOnlyList<ICaseObserver>> _observers;
    private readonly ILogger _log;

    /// <param name="observers">
    /// Taken at the first report, not at construction: the observers (the publisher it wakes, the metrics) need the
    /// services that report to them.
    /// </param>
    public CaseObservers(Lazy<IReadOnlyList<ICaseObserver>> observers, ILogger log)
    {
        _observers = observers;
        _log = log;
    }

    public CaseObservers(params ICaseObserver[] observers)
        : this(new Lazy<IReadOnlyList<ICaseObserver>>(() => observers), NullLogger.Instance)
    {
    }

    /// <summary>No observers (replay, tools, tests that do not watch).</summary>
    public static CaseObservers None { get; } = new();

    public void NotRaised(ViolationCase violation) => Each(o => o.NotRaised(violation));

    public void Stored(SpooledCase stored, DateTimeOffset at) => Each(o => o.Stored(stored, at));

    public void Released() => Each(o => o.Released());

    public void Delivered(string caseId, DateTimeOffset confirmedAt, DateTimeOffset at) => Each(o => o.Delivered(caseId, confirmedAt, at));

    private void Each(Action<ICaseObserver> report)
    {
        foreach (var observer in _observers.Value)
        {
            try { report(observer); }
            catch (Exception e) { _log.LogError(e, "case observer {Observer} failed", observer.GetType().Name); }
        }
    }
}
