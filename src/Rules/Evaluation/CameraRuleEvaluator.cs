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

    public CameraRuleEvaluator(CameraConfig camera, IReadOnlyDictionary<string, Schedule> schedules,
        IReadOnlyList<string> classNames, TimeProvider clock, int zoneInertia = DefaultZoneInertia)
    {
        Camera = camera;
        _clock = clock;
        _rules = new RuleEvaluator[camera.Rules.Count];
        for (int i = 0; i < camera.Rules.Count; i++)
        {
            var rule = camera.Rules[i];
            Schedule? schedule = null;
            if (rule.ScheduleName is not null && !schedules.TryGetValue(rule.ScheduleName, out schedule))
                throw new InvalidOperationException($"rule '{rule.Id}' names schedule '{rule.ScheduleName}' that is not defined (config validation should have caught this)");
            _rules[i] = new RuleEvaluator(rule, camera, schedule, classNames, zoneInertia);
        }
    }

    public CameraConfig Camera { get; }

    /// <summary>Evaluates every rule against this frame's objects and appends what happened to <paramref name="events"/>.</summary>
    public void Evaluate(int frameWidth, int frameHeight, ReadOnlySpan<TrackedObject> objects, List<EpisodeEvent> events)
    {
        var now = _clock.GetUtcNow();
        for (int i = 0; i < _rules.Length; i++)
            _rules[i].Evaluate(frameWidth, frameHeight, objects, now, ref _nextEpisodeId, events);
    }
}
