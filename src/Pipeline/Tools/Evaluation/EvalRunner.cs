using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Config;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tools.Evaluation;

/// <summary>One clip of the truth, checked against the config: the camera it is replayed as, the video, and each of the camera's rules with its dwell.</summary>
internal sealed record ClipPlan(int Index, TruthClip Truth, string Name, string Source, CameraConfig Camera, IReadOnlyDictionary<string, TimeSpan> DwellByRule);

/// <summary>One clip replayed and scored: where its replay went, how its cases matched, and a picture per miss.</summary>
internal sealed record ClipEvaluation(ClipPlan Plan, string OutputDirectory, ReplaySummary Replay, ClipScore Score, IReadOnlyList<MissPicture> Misses);

/// <summary>Every clip's evaluation, the score of each rule over all clips, and the overall sum.</summary>
internal sealed record EvalResult(string ConfigPath, string TruthPath, string OutputDirectory, IReadOnlyList<ClipEvaluation> Clips, IReadOnlyList<RuleScore> Rules, RuleScore Overall);

/// <summary><c>vision eval</c>: replays each clip of a truth file through the replay pipeline and scores its cases against the labels.</summary>
internal static class EvalRunner
{
    public const string OverallName = "overall";

    public static async Task<EvalResult> RunAsync(EvalOptions options, CancellationToken ct)
    {
        var config = VisionConfigLoader.Load(options.ConfigPath);
        var truth = TruthReader.Load(options.TruthPath, options.FootageDirectory);
        var plans = Plan(config, truth, options.Source);

        var clips = new List<ClipEvaluation>(plans.Count);
        foreach (var plan in plans)
        {
            ct.ThrowIfCancellationRequested();
            options.Progress?.Invoke($"replaying {plan.Name} ({clips.Count + 1}/{plans.Count}) as camera {plan.Camera.Id}");
            var output = Path.Combine(options.OutputDirectory, plan.Name);
            var replay = new ReplayOptions(options.ConfigPath, plan.Source, plan.Camera.Id, output,
                plan.Truth.Start?.ToString("O", System.Globalization.CultureInfo.InvariantCulture), Fps: null)
            {
                Warn = options.Warn is null ? null : w => options.Warn($"{plan.Name}: {w}"),
            };
            var summary = await ReplayRunner.RunAsync(replay, null, ct).ConfigureAwait(false);
            if (summary.Truncation is { } truncation)
                options.Warn?.Invoke($"{plan.Name}: the clip is truncated or damaged ({truncation}); only what could be decoded is scored");
            if (summary.UnwrittenCases.Count > 0)
                options.Warn?.Invoke($"{plan.Name}: {summary.UnwrittenCases.Count} case(s) could not be written ({summary.UnwrittenCases[0].LastError}) and are not scored; free space and run again");

            var cases = ReplayedCases.Read(output, summary.Start);
            var score = TruthMatcher.Match(plan.Truth, cases, plan.DwellByRule, plan.Camera.Rules.ToDictionary(r => r.Id, r => r.Cooldown, StringComparer.Ordinal));
            var misses = new List<MatchOutcome>();
            foreach (var outcome in score.Outcomes)
                if (outcome.Kind == OutcomeKind.Miss) misses.Add(outcome);
            var pictures = await MissPicture.WriteAsync(plan.Source, misses, Path.Combine(output, "misses"), ct).ConfigureAwait(false);
            clips.Add(new ClipEvaluation(plan, output, summary, score, pictures));
        }

        var ruleIds = new List<string>();
        foreach (var clip in clips)
            foreach (var rule in clip.Score.Rules)
                if (!ruleIds.Contains(rule.RuleId)) ruleIds.Add(rule.RuleId);
        var rules = new List<RuleScore>(ruleIds.Count);
        foreach (var id in ruleIds)
            rules.Add(RuleScore.Sum(id, clips.SelectMany(c => c.Score.Rules).Where(r => r.RuleId == id)));
        var overall = RuleScore.Sum(OverallName, clips.SelectMany(c => c.Score.Rules));
        return new EvalResult(options.ConfigPath, options.TruthPath, options.OutputDirectory, clips, rules, overall);
    }

    /// <summary>Checks every clip against the config before anything is replayed: each mistake names its line in the truth file.</summary>
    public static List<ClipPlan> Plan(VisionConfig config, TruthFile truth, string? source)
    {
        var errors = new List<ConfigError>();
        void Error(string keyPath, string message) => errors.Add(new ConfigError(truth.Locations.Find(keyPath), keyPath, message));

        var selected = SelectClips(truth, source, Error);
        var plans = new List<ClipPlan>(selected.Count);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (int index in selected)
        {
            var clip = truth.Clips[index];
            string path = $"clips[{index}]";
            var camera = Camera(config, clip, path, Error);
            var video = source ?? clip.Clip;
            if (!File.Exists(video))
            {
                if (source is null)
                    Error($"{path}.clip", $"video not found: '{video}'; put the recording there, fix the path, or pass --footage DIR (the folder relative clip paths start from)");
                else
                    Error($"{path}.clip", $"--source '{Path.GetFullPath(source)}' not found");
            }
            if (camera is null) continue;

            var dwell = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            foreach (var rule in camera.Rules) dwell[rule.Id] = rule.Dwell;
            CheckRules(clip, path, camera, dwell, Error);
            plans.Add(new ClipPlan(index, clip, UniqueName(Path.GetFileNameWithoutExtension(video), names), video, camera, dwell));
        }
        if (errors.Count > 0) throw new ConfigException(errors);
        return plans;
    }

    private static List<int> SelectClips(TruthFile truth, string? source, Action<string, string> error)
    {
        var all = Enumerable.Range(0, truth.Clips.Count).ToList();
        if (source is null || truth.Clips.Count == 1) return all;
        var name = Path.GetFileName(source);
        var matching = all.Where(i => string.Equals(Path.GetFileName(truth.Clips[i].Clip), name, StringComparison.Ordinal)).ToList();
        if (matching.Count == 0)
            error("clips", $"--source '{name}' matches none of the truth's {truth.Clips.Count} clips by file name ({string.Join(", ", truth.Clips.Select(c => Path.GetFileName(c.Clip)))}); rename it, or leave out --source");
        return matching;
    }

    private static CameraConfig? Camera(VisionConfig config, TruthClip clip, string path, Action<string, string> error)
    {
        if (clip.CameraId is { } id)
        {
            if (config.FindCamera(id) is { } camera) return camera;
            var ids = config.Cameras.Select(c => c.Id).ToList();
            var closest = Suggestions.Closest(id, ids);
            error($"{path}.camera", $"camera '{id}' is not in {config.SourcePath}{(closest is null ? "" : $" (did you mean '{closest}'?)")}; use one of {string.Join(", ", ids)}");
            return null;
        }
        if (config.Cameras.Count == 1) return config.Cameras[0];
        error(path, $"{config.SourcePath} has {config.Cameras.Count} cameras: say which one the clip comes from with 'camera:' ({string.Join(", ", config.Cameras.Select(c => c.Id))})");
        return null;
    }

    private static void CheckRules(TruthClip clip, string path, CameraConfig camera, Dictionary<string, TimeSpan> dwell, Action<string, string> error)
    {
        void Check(string id, string keyPath)
        {
            if (dwell.ContainsKey(id)) return;
            var closest = Suggestions.Closest(id, dwell.Keys);
            error(keyPath, $"camera '{camera.Id}' has no rule '{id}'{(closest is null ? "" : $" (did you mean '{closest}'?)")}; its rules: {string.Join(", ", dwell.Keys)}");
        }
        if (clip.RuleIds is not null)
            for (int i = 0; i < clip.RuleIds.Count; i++) Check(clip.RuleIds[i], $"{path}.rules[{i}]");
        else
            for (int i = 0; i < clip.Violations.Count; i++) Check(clip.Violations[i].RuleId, $"{path}.violations[{i}].rule");
        for (int i = 0; i < clip.Quiet.Count; i++)
            if (clip.RuleIds is null && clip.Quiet[i].RuleId is { } id) Check(id, $"{path}.quiet[{i}].rule");
    }

    /// <summary>The clip's file name as its folder under --out; a second clip of the same name gets "-2".</summary>
    private static string UniqueName(string name, HashSet<string> taken)
    {
        var stem = name.Length == 0 ? "clip" : name;
        var candidate = stem;
        for (int n = 2; !taken.Add(candidate); n++) candidate = $"{stem}-{n}";
        return candidate;
    }
}
