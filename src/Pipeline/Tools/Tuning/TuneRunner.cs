using System.Diagnostics;
using System.Globalization;
using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Config;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>What <c>vision tune</c> was asked to do.</summary>
/// <param name="ConfigPaths">Configs holding the labelled clips' cameras; given as often as <paramref name="TruthPaths"/>, the n-th truth file's clips come from the n-th config.</param>
internal sealed record TuneOptions(
    IReadOnlyList<string> ConfigPaths,
    IReadOnlyList<string> TruthPaths,
    string? FootageDirectory,
    IReadOnlyList<SweepAxis> Axes,
    string OutputDirectory,
    int Top = 20)
{
    /// <summary>Called with a line about each step (a clip detected or read from the cache), for the terminal.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>One labelled clip with the camera it comes from and the rules it is labelled for.</summary>
internal sealed record TuneClip(string Name, TruthClip Truth, string ConfigPath, VisionConfig Config, CameraConfig Camera, IReadOnlyList<string> LabelledRules);

/// <summary>One decode-and-detect pass: a replay of one clip at one detection setting, or its recording read back from the cache.</summary>
/// <param name="Setting">The swept values it detects with (<see cref="SweepSetting.DescribeDetection"/>), "" for the camera's own.</param>
/// <param name="Analysis">The analysis settings it detects with: the camera's, with the swept values.</param>
internal sealed record DetectionPass(TuneClip Clip, string Setting, AnalysisConfig Analysis, long Frames, TimeSpan Elapsed, bool Cached, string? CasesFile);

/// <summary>One setting's scores, per clip and summed.</summary>
internal sealed class TuneRow(SweepSetting setting, IReadOnlyList<ClipScore> clips)
{
    public SweepSetting Setting => setting;
    public IReadOnlyList<ClipScore> Clips => clips;
    public RuleScore Overall { get; } = RuleScore.Sum("overall", clips.SelectMany(c => c.Rules));

    public RuleScore ForRule(string ruleId) => RuleScore.Sum(ruleId, clips.SelectMany(c => c.Rules).Where(r => r.RuleId == ruleId));

    public RuleScore ForClip(int clip) => RuleScore.Sum(clips[clip].Clip, clips[clip].Rules);
}

/// <summary>What a tune found: every setting's scores (best first) and where the time went.</summary>
internal sealed record TuneResult(
    SweepGrid Grid,
    IReadOnlyList<TuneClip> Clips,
    IReadOnlyList<TuneRow> Rows,
    IReadOnlyList<(SweepSetting Setting, string Why)> Skipped,
    IReadOnlyList<DetectionPass> Detections,
    TimeSpan SweepTime)
{
    /// <summary>Rule ids labelled on any clip, in order of first appearance.</summary>
    public IReadOnlyList<string> RuleIds { get; } = Clips.SelectMany(c => c.LabelledRules).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Decode and detection of every clip once: the detection passes' time over the number of detection settings.</summary>
    public TimeSpan OneReplay
    {
        get
        {
            int settings = Math.Max(1, Detections.Select(d => d.Setting).Distinct().Count());
            return TimeSpan.FromTicks(Detections.Sum(d => d.Elapsed.Ticks) / settings);
        }
    }
}

/// <summary>
/// <c>vision tune</c>: decodes and detects each labelled clip once per detection setting (a replay that records its
/// detections, or the recording from an earlier tune), then re-runs only tracking and rules for every setting of the
/// sweep and scores its cases against the truth.
/// </summary>
internal static class TuneRunner
{
    /// <summary>Ranks rows: F1, then precision, then recall, best first; a row without any case or truth (NaN) last.</summary>
    public static int Compare(RuleScore a, RuleScore b)
    {
        int c = Rank(b.F1).CompareTo(Rank(a.F1));
        if (c != 0) return c;
        c = Rank(b.Precision).CompareTo(Rank(a.Precision));
        return c != 0 ? c : Rank(b.Recall).CompareTo(Rank(a.Recall));
    }

    private static double Rank(double v) => double.IsNaN(v) ? -1 : v;

    public static async Task<TuneResult> RunAsync(TuneOptions options, CancellationToken ct)
    {
        var clips = ResolveClips(options);
        var grid = SweepGrid.Create(options.Axes);
        CheckRuleAxes(grid, clips);
        CheckTilesAxes(grid, clips);

        var cache = new DetectionCache(Path.Combine(options.OutputDirectory, "detections"));
        var recordings = new Dictionary<(int Clip, string Detection), DetectionRecording>();
        var passes = new List<DetectionPass>();
        var detectionSettings = grid.Settings.DistinctBy(s => s.DescribeDetection()).ToList();
        for (int c = 0; c < clips.Count; c++)
        {
            foreach (var setting in detectionSettings)
            {
                var (recording, pass) = await DetectAsync(clips[c], setting, cache, options, ct).ConfigureAwait(false);
                recordings[(c, pass.Setting)] = recording;
                passes.Add(pass);
            }
        }

        var rows = new List<TuneRow>(grid.Settings.Count);
        var skipped = new List<(SweepSetting, string)>();
        var sweep = Stopwatch.StartNew();
        foreach (var setting in grid.Settings)
        {
            ct.ThrowIfCancellationRequested();
            var scores = new List<ClipScore>(clips.Count);
            string? invalid = null;
            for (int c = 0; c < clips.Count && invalid is null; c++)
            {
                var clip = clips[c];
                var tracker = setting.ApplyTo(clip.Config.Tracker);
                if (SweepSetting.Invalid(tracker) is { } why)
                {
                    invalid = why;
                    break;
                }
                var camera = setting.ApplyTo(clip.Camera, clip.LabelledRules);
                var cases = RulesRerun.Run(recordings[(c, setting.DescribeDetection())], camera, tracker, clip.Config.Schedules, plateTurnover: clip.Config.Plates is not null);
                var dwell = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
                var cooldown = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
                foreach (var rule in camera.Rules) (dwell[rule.Id], cooldown[rule.Id]) = (rule.Dwell, rule.Cooldown);
                scores.Add(TruthMatcher.Match(clip.Truth, cases, dwell, cooldown));
            }
            if (invalid is not null) skipped.Add((setting, invalid));
            else rows.Add(new TuneRow(setting, scores));
        }
        sweep.Stop();

        // A stable sort: settings that score the same stay in sweep order, so the same sweep prints the same table.
        var ranked = rows.OrderBy(r => r, Comparer<TuneRow>.Create((a, b) => Compare(a.Overall, b.Overall))).ToList();
        return new TuneResult(grid, clips, ranked, skipped, passes, sweep.Elapsed);
    }

    private static async Task<(DetectionRecording, DetectionPass)> DetectAsync(TuneClip clip, SweepSetting setting, DetectionCache cache, TuneOptions options, CancellationToken ct)
    {
        var analysis = setting.ApplyTo(clip.Camera.Analysis);
        string detection = setting.DescribeDetection();
        string key = DetectionKey.For(clip.Truth.Clip, clip.Config.Detector, analysis, clip.Truth.Start, NewObjectClass.IsUsedBy(clip.Camera));
        if (cache.TryLoad(key) is { } cached)
        {
            options.Progress?.Invoke($"{clip.Name}: detections read from {cache.PathFor(key)}");
            return (cached, new DetectionPass(clip, detection, analysis, cached.Frames.Count, cached.DetectionTime, Cached: true, null));
        }

        options.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{clip.Name}: replaying at {analysis.Fps:0.##} fps, {TuneReport.DescribeTiles(analysis.Tiles)}, to record its detections…"));
        var recorder = new DetectionRecorder();
        string output = Path.Combine(options.OutputDirectory, "replays", $"{clip.Camera.Id}-{key}");
        var replay = new ReplayOptions(clip.ConfigPath, clip.Truth.Clip, clip.Camera.Id, output,
            clip.Truth.Start?.ToString("O", CultureInfo.InvariantCulture), Fps: null)
        {
            Recorder = recorder,
            EditCamera = camera => camera with { Analysis = analysis },
            // Only the detections are kept: photos from the analysis frames spare a decode of the source per photo.
            AnalysisFramePhotos = true,
        };
        var summary = await ReplayRunner.RunAsync(replay, null, ct).ConfigureAwait(false);
        if (summary.Truncation is { } truncation)
            throw new UsageException($"clip '{clip.Truth.Clip}' is truncated or damaged ({truncation}): its truth cannot be scored; copy it again");
        var recording = recorder.Finish(key, clip.Truth.Clip, summary.Start, summary.ClassNames, summary.Elapsed);
        cache.Save(recording);
        return (recording, new DetectionPass(clip, detection, analysis, summary.Frames, summary.Elapsed, Cached: false, summary.CasesFile));
    }

    private static List<TuneClip> ResolveClips(TuneOptions options)
    {
        if (options.ConfigPaths.Count == 0) throw new UsageException("give the config the clips' cameras are in with --config FILE");
        if (options.TruthPaths.Count == 0) throw new UsageException("give the labelled truth with --truth FILE (see docs/truth.md)");
        var configs = options.ConfigPaths.Select(VisionConfigLoader.Load).ToList();
        bool paired = configs.Count > 1 && configs.Count == options.TruthPaths.Count;
        var clips = new List<TuneClip>();
        for (int t = 0; t < options.TruthPaths.Count; t++)
        {
            var truth = TruthReader.Load(options.TruthPaths[t], options.FootageDirectory);
            var candidates = paired ? [(options.ConfigPaths[t], configs[t])] : options.ConfigPaths.Zip(configs).ToList();
            foreach (var clip in truth.Clips)
            {
                var (path, config, camera) = FindCamera(clip, candidates, truth.Path);
                var labelled = clip.RuleIds ?? camera.Rules.Select(r => r.Id).ToList();
                foreach (var ruleId in labelled)
                    if (!camera.Rules.Any(r => r.Id == ruleId))
                        throw new UsageException($"{truth.Path}: clip {clip.Clip} is labelled for rule '{ruleId}', which camera '{camera.Id}' in {path} does not have: use one of {string.Join(", ", camera.Rules.Select(r => r.Id))}");
                clips.Add(new TuneClip(Path.GetFileNameWithoutExtension(clip.Clip), clip, path, config, camera, labelled));
            }
        }
        if (clips.Count == 0) throw new UsageException($"{string.Join(", ", options.TruthPaths)}: no clips to tune on");
        return clips;
    }

    private static (string, VisionConfig, CameraConfig) FindCamera(TruthClip clip, IReadOnlyList<(string Path, VisionConfig Config)> configs, string truthPath)
    {
        if (clip.CameraId is null)
        {
            var only = configs.SelectMany(c => c.Config.Cameras.Select(camera => (c.Path, c.Config, camera))).ToList();
            if (only.Count == 1) return only[0];
            throw new UsageException($"{truthPath}: clip {clip.Clip} names no camera and {string.Join(", ", configs.Select(c => c.Path))} have {only.Count}: add 'camera: <id>' to the clip ({string.Join(", ", only.Select(o => o.camera.Id))})");
        }
        foreach (var (path, config) in configs)
            if (config.FindCamera(clip.CameraId) is { } camera) return (path, config, camera);
        throw new UsageException($"{truthPath}: clip {clip.Clip} comes from camera '{clip.CameraId}', which is not in {string.Join(", ", configs.Select(c => c.Path))}");
    }

    /// <summary>A tiles value the loader would refuse on a clip's camera stops the tune before any detection, naming the --set.</summary>
    private static void CheckTilesAxes(SweepGrid grid, IReadOnlyList<TuneClip> clips)
    {
        foreach (var axis in grid.Axes)
        {
            if (axis.Target != SweepTarget.Analysis || axis.Name != "tiles") continue;
            var only = SweepGrid.Create([axis]);
            foreach (var setting in only.Settings)
                foreach (var clip in clips)
                    if (SweepSetting.InvalidTiles(clip.Camera with { Analysis = setting.ApplyTo(clip.Camera.Analysis) }) is { } why)
                        throw new UsageException($"{axis.Origin}: {axis.Key}={setting.ValueOf(0).Text} on camera '{clip.Camera.Id}' in {clip.ConfigPath}: {why}");
        }
    }

    private static void CheckRuleAxes(SweepGrid grid, IReadOnlyList<TuneClip> clips)
    {
        foreach (var axis in grid.Axes)
        {
            if (axis.RuleId is null) continue;
            if (!clips.Any(c => c.Camera.Rules.Any(r => r.Id == axis.RuleId)))
                throw new UsageException($"{axis.Origin}: no labelled clip's camera has rule '{axis.RuleId}': use one of {string.Join(", ", clips.SelectMany(c => c.Camera.Rules).Select(r => r.Id).Distinct())}");
        }
    }
}
