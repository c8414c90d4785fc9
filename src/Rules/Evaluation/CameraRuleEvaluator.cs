using Vision.Rules.Config;
using Vision.Rules.Schedules;

namespace Vision.Rules.Evaluation;

/// <summary>All rules of one camera, applied to each analysed frame's tracked objects. Time comes from the injected clock.</summary>
public sealed class CameraRuleEvaluator
{
    /// <summary>Consecutive contrary frames before an object counts as having entered or left a zone.</summary>
    public const int DefaultZoneInertia = 2;

    private readonly RuleEvaluator[] _rules;
    private readonly TimeProvider _clock;
    private long _nextEpisodeId = 1;

    /// <param name="previous">
    /// The evaluator these rules replace (a config edit): each rule takes over what its predecessor knew — open
    /// episodes with their start, reported spots with their cooldown — so an edit raises nothing already reported.
    /// </param>
    /// <param name="plateTurnover">
    /// Plates are read for parking cases: a different vehicle in a reported spot is confirmed as a candidate the case
    /// path checks by plate (<see cref="EpisodeEvent.SameSpotReportedAt"/>), instead of being taken for the vehicle
    /// already reported there.
    /// </param>
    public CameraRuleEvaluator(CameraConfig camera, IReadOnlyDictionary<string, Schedule> schedules,
        IReadOnlyList<string> classNames, TimeProvider clock, int zoneInertia = DefaultZoneInertia, CameraRuleEvaluator? previous = null,
        bool plateTurnover = false)
    {
        Camera = camera;
        _clock = clock;
        PlateTurnover = plateTurnover;
        _rules = new RuleEvaluator[camera.Rules.Count];
        for (int i = 0; i < camera.Rules.Count; i++)
        {
            var rule = camera.Rules[i];
            Schedule? schedule = null;
            if (rule.ScheduleName is not null && !schedules.TryGetValue(rule.ScheduleName, out schedule))
                throw new InvalidOperationException($"rule '{rule.Id}' names schedule '{rule.ScheduleName}' that is not defined (config validation should have caught this)");
            _rules[i] = new RuleEvaluator(rule, camera, schedule, classNames, zoneInertia, plateTurnover && rule.Type == ViolationType.IllegalParking);
        }
        if (previous is not null) InheritFrom(previous);
    }

    /// <summary>
    /// Pairs each rule with the one it replaces: the same id first; then, for a renamed rule, an unclaimed one of the
    /// same type sharing a zone, then of the same type. Each predecessor hands its state to one successor only.
    /// </summary>
    private void InheritFrom(CameraRuleEvaluator previous)
    {
        _nextEpisodeId = previous._nextEpisodeId;
        var unclaimed = new List<RuleEvaluator>(previous._rules);
        var heirs = new RuleEvaluator?[_rules.Length];
        for (int i = 0; i < _rules.Length; i++)
            heirs[i] = Claim(unclaimed, p => p.Rule.Id == _rules[i].Rule.Id);
        for (int i = 0; i < _rules.Length; i++)
            heirs[i] ??= Claim(unclaimed, p => p.Rule.Type == _rules[i].Rule.Type && p.Rule.ZoneIds.Intersect(_rules[i].Rule.ZoneIds).Any());
        for (int i = 0; i < _rules.Length; i++)
            heirs[i] ??= Claim(unclaimed, p => p.Rule.Type == _rules[i].Rule.Type);
        for (int i = 0; i < _rules.Length; i++)
            if (heirs[i] is { } predecessor) _rules[i].InheritFrom(predecessor);
    }

    private static RuleEvaluator? Claim(List<RuleEvaluator> unclaimed, Func<RuleEvaluator, bool> match)
    {
        int index = unclaimed.FindIndex(p => match(p));
        if (index < 0) return null;
        var claimed = unclaimed[index];
        unclaimed.RemoveAt(index);
        return claimed;
    }

    /// <summary>Whether an episode is still open under one of these rules (after an edit, the others ended with their rule).</summary>
    public bool IsEpisodeOpen(long episodeId)
    {
        foreach (var rule in _rules)
            if (rule.IsEpisodeOpen(episodeId)) return true;
        return false;
    }

    /// <summary>
    /// Fills <paramref name="clocks"/> (cleared first) with every open episode and when its dwell started, for a trace to
    /// draw; reads only, and allocates nothing once the list has grown to the number of open episodes.
    /// </summary>
    public void CopyDwellClocks(List<DwellClock> clocks)
    {
        clocks.Clear();
        foreach (var rule in _rules) rule.AppendDwellClocks(clocks);
    }

    public CameraConfig Camera { get; }

    /// <summary>Whether parking rules leave a reported spot's new occupant to the plate check (see the constructor).</summary>
    public bool PlateTurnover { get; private init; }

    /// <summary>Evaluates every rule against this frame's objects and appends what happened to <paramref name="events"/>.</summary>
    public void Evaluate(int frameWidth, int frameHeight, ReadOnlySpan<TrackedObject> objects, List<EpisodeEvent> events)
    {
        var now = _clock.GetUtcNow();
        for (int i = 0; i < _rules.Length; i++)
            _rules[i].Evaluate(frameWidth, frameHeight, objects, now, ref _nextEpisodeId, events);
    }
}
