namespace Vision.Pipeline.Evidence;

/// <summary>Told of each case the <see cref="EvidenceBacklog"/> gives up: the evidence stage forgets it and logs it whole.</summary>
internal interface IGivenUpCases
{
    /// <summary>
    /// A case given up: even its record could not be kept any longer, or it failed too often. Its files may be complete
    /// (<see cref="CaseProgress.Written"/>): spool recovery then writes it to the case store.
    /// </summary>
    void GaveUp(CaseProgress progress);
}
