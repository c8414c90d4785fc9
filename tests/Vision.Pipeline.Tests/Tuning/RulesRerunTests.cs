using System.Text.Json;
using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Tests.Replay;
using Vision.Pipeline.Tools.Tuning;
using Vision.Rules.Config;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tests.Tuning;

/// <summary>
/// Real model, footage and ffmpeg: tracking and rules re-run over a replay's recorded detections raise exactly the
/// cases a replay raises (ids, rule, times, boxes), for the replay's own config and for an edited one.
/// </summary>
public sealed class RulesRerunTests
{
    [SharedDataTheory]
    [InlineData("street-parking-hevc")]
    [InlineData("bottle-detection")]
    public async Task Rerun_over_recorded_detections_raises_the_cases_of_the_replay(string clip)
    {
        var (recording, replayCases, config) = await RecordAsync(clip);

        var rerun = RulesRerun.Run(recording, config.Cameras[0], config.Tracker, config.Schedules);

        Assert.NotEmpty(replayCases);
        AssertSameCases(replayCases, rerun);
    }

    [SharedDataFact]
    public async Task Rerun_with_another_dwell_and_cooldown_raises_the_cases_of_a_replay_with_them()
    {
        var (recording, _, config) = await RecordAsync("bottle-detection");
        var edited = await ReplayHarness.SharedAsync("bottle-detection", ("dwell: 5s", "dwell: 9s"), ("cooldown: 10m", "cooldown: 1s"));
        var camera = config.Cameras[0];
        camera = camera with { Rules = [camera.Rules[0] with { Dwell = TimeSpan.FromSeconds(9), Cooldown = TimeSpan.FromSeconds(1) }] };

        var rerun = RulesRerun.Run(recording, camera, config.Tracker, config.Schedules);

        AssertSameCases(edited.Cases, rerun);
    }

    [SharedDataFact]
    public async Task A_recording_read_back_from_the_cache_raises_the_same_cases()
    {
        var (recording, replayCases, config) = await RecordAsync("bottle-detection");
        var cache = new DetectionCache(Directory.CreateTempSubdirectory("vision-detections-").FullName);

        cache.Save(recording);
        var loaded = cache.TryLoad(recording.Key);

        Assert.NotNull(loaded);
        Assert.Equal(recording.Frames.Count, loaded.Frames.Count);
        Assert.Equal(recording.Start, loaded.Start);
        AssertSameCases(replayCases, RulesRerun.Run(loaded, config.Cameras[0], config.Tracker, config.Schedules));
        Assert.Null(cache.TryLoad("0000000000000000"));
    }

    // One recorded replay per clip, shared by this class's tests (each only reads it): three of them use bottle-detection's.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<(DetectionRecording, List<JsonElement>, VisionConfig)>>> Recorded = new();

    private static Task<(DetectionRecording, List<JsonElement>, VisionConfig)> RecordAsync(string clip) =>
        Recorded.GetOrAdd(clip, c => new Lazy<Task<(DetectionRecording, List<JsonElement>, VisionConfig)>>(() => RecordOnceAsync(c))).Value;

    private static async Task<(DetectionRecording, List<JsonElement>, VisionConfig)> RecordOnceAsync(string clip)
    {
        _ = ReplayHarness.StartTime; // sets the model folder for the replay
        string config = ReplayHarness.SampleConfig(clip);
        string output = Path.Combine(Directory.CreateTempSubdirectory("vision-rerun-").FullName, "out");
        var recorder = new DetectionRecorder();
        // The cases' times and boxes are compared, not their photos: photos from the analysis frames spare a decode per photo.
        var summary = await ReplayRunner.RunAsync(new ReplayOptions(config, SharedData.Footage(clip + ".mp4"), null, output, ReplayHarness.Start, null) { Recorder = recorder, AnalysisFramePhotos = true },
            null, CancellationToken.None);
        Assert.Equal(summary.Frames, recorder.Count);
        var recording = recorder.Finish("test-" + clip, SharedData.Footage(clip + ".mp4"), summary.Start, summary.ClassNames, summary.Elapsed);
        return (recording, ReplayHarness.ReadCases(summary.CasesFile), VisionConfigLoader.Load(config));
    }

    private static void AssertSameCases(IReadOnlyList<JsonElement> replay, IReadOnlyList<RaisedCase> rerun)
    {
        Assert.Equal(replay.Select(c => c.GetProperty("caseId").GetString()), rerun.Select(c => c.CaseId));
        for (int i = 0; i < replay.Count; i++)
        {
            var expected = replay[i];
            var actual = rerun[i];
            Assert.Equal(expected.GetProperty("ruleId").GetString(), actual.RuleId);
            Assert.Equal(ReplayResult.Offset(expected, "startedAt").TotalSeconds, actual.StartedAt.TotalSeconds, 0.001);
            Assert.Equal(ReplayResult.Offset(expected, "confirmedAt").TotalSeconds, actual.ConfirmedAt.TotalSeconds, 0.001);
            // cases.jsonl holds the box in whole source pixels: equal to within that rounding.
            var box = ReplayResult.Box(expected);
            double w = ReplayResult.FrameWidth(expected), h = ReplayResult.FrameHeight(expected);
            Assert.Equal(box.X / w, actual.Box.X, 1.0 / w);
            Assert.Equal(box.Y / h, actual.Box.Y, 1.0 / h);
            Assert.Equal(box.Width / w, actual.Box.Width, 1.0 / w);
            Assert.Equal(box.Height / h, actual.Box.Height, 1.0 / h);
        }
    }
}
