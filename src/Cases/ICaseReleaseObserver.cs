namespace Vision.Cases;

/// <summary>
/// Told when a reviewer's decision released cases to the dispatch core (their messages are in the outbox). The console
/// reports here; the service's case observers (the dispatch publisher, which wakes) are told. An observer implements it
/// only when it watches releases.
/// </summary>
public interface ICaseReleaseObserver
{
    /// <summary>A reviewer's decision (on one case, or a bulk decision) released at least one case.</summary>
    void Released() { }
}
