namespace Vision.Pipeline.Evidence;

/// <summary>What the plate check decided for a confirmed parking violation.</summary>
/// <param name="Raise">Whether it becomes a case.</param>
/// <param name="Reason">Why not (the log line and metric label); null when raised.</param>
/// <param name="SameAs">The earlier case of the same vehicle, when that is why.</param>
internal sealed record TurnoverDecision(bool Raise, string? Reason = null, string? SameAs = null);

/// <summary>
/// Decides by plate whether a parking violation is a new case: the same plate on the same camera and rule within the
/// cooldown is the case already raised (the vehicle was lost and found again, or moved a little); a different plate
/// in a spot already reported is a new case (turnover). A violation in a reported spot whose plate cannot be read
/// raises nothing, as without plates: it may be the vehicle already reported. Remembers the plates it raised, per
/// camera and rule, for the longest cooldown plus the spot's occupation — bounded in count.
/// </summary>
internal sealed class PlateTurnover
{
    /// <summary>Plates remembered per camera and rule; the oldest go first beyond this.</summary>
    public const int MaxPlatesPerRule = 512;

    private readonly Dictionary<(string Camera, string Rule), List<(string Plate, string CaseId, DateTimeOffset At)>> _raised = new();
    private readonly Lock _lock = new();

    /// <param name="sameSpotReportedAt">When the case of the reported spot this violation is in was confirmed; null when the spot was free.</param>
    /// <param name="caseId">The case this violation becomes if raised: its plate is remembered at once, so two workers finishing the same vehicle's cases cannot both raise it.</param>
    public TurnoverDecision Decide(string cameraId, string ruleId, string? plate, DateTimeOffset confirmedAt, TimeSpan cooldown, DateTimeOffset? sameSpotReportedAt, string? caseId = null)
    {
        lock (_lock)
        {
            var decision = DecideLocked(cameraId, ruleId, plate, confirmedAt, cooldown, sameSpotReportedAt, caseId);
            if (decision.Raise && plate is not null && caseId is not null) Raised(cameraId, ruleId, plate, caseId, confirmedAt);
            return decision;
        }
    }

    private TurnoverDecision DecideLocked(string cameraId, string ruleId, string? plate, DateTimeOffset confirmedAt, TimeSpan cooldown, DateTimeOffset? sameSpotReportedAt, string? caseId)
    {
        {
            if (plate is null)
                return sameSpotReportedAt is null
                    ? new TurnoverDecision(true)
                    : new TurnoverDecision(false, "plate not legible in a spot already reported: taken for the vehicle reported there");

            // The same vehicle's earlier case counts from the spot's case (it may have stood there for hours since) or within the cooldown.
            var since = Min(sameSpotReportedAt ?? confirmedAt, confirmedAt - cooldown);
            if (_raised.TryGetValue((cameraId, ruleId), out var list))
                for (int i = list.Count - 1; i >= 0; i--)
                    // Its own entry is not another case: a case retried after a full disk decides again and must still stand.
                    if (list[i].Plate == plate && list[i].At >= since && list[i].CaseId != caseId)
                        return new TurnoverDecision(false, $"same plate {plate} as case {list[i].CaseId}", list[i].CaseId);
            return new TurnoverDecision(true);
        }
    }

    /// <summary>Remembers a raised case's plate (call once the case is recorded).</summary>
    public void Raised(string cameraId, string ruleId, string plate, string caseId, DateTimeOffset confirmedAt)
    {
        lock (_lock)
        {
            if (!_raised.TryGetValue((cameraId, ruleId), out var list)) _raised[(cameraId, ruleId)] = list = new();
            if (list.Count >= MaxPlatesPerRule) list.RemoveAt(0);
            list.Add((plate, caseId, confirmedAt));
        }
    }

    /// <summary>Forgets a case given up before it was written: its plate must not make the vehicle's next violation a duplicate of nothing.</summary>
    public void Forget(string caseId)
    {
        lock (_lock)
            foreach (var list in _raised.Values) list.RemoveAll(e => e.CaseId == caseId);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
