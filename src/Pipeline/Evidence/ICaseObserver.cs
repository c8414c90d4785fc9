using Vision.Cases;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// What happens after the case flow: told when a violation turned out to be a case already raised, when a case's
/// evidence is stored, when a reviewer released cases (<see cref="ICaseReleaseObserver.Released"/>, from the console),
/// and when the dispatch core accepted a case. Registered in the container; <see cref="CaseObservers"/> calls each in
/// registration order. An observer implements only what it watches.
/// </summary>
internal interface ICaseObserver : ICaseReleaseObserver
{
    /// <summary>A confirmed violation the plate check found to be a case already raised.</summary>
    void NotRaised(ViolationCase violation) { }

    /// <summary>A case's evidence is all in the evidence store (and, by its rule's policy, it may now be in the outbox).</summary>
    void Stored(SpooledCase stored, DateTimeOffset at) { }

    /// <summary>The dispatch core accepted a case confirmed at <paramref name="confirmedAt"/>.</summary>
    void Delivered(string caseId, DateTimeOffset confirmedAt, DateTimeOffset at) { }
}
