using Vision.Pipeline.Tools.Evaluation;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Tests.Console;
using Vision.Pipeline.Tests.Replay;
using Vision.Rules.Config;
using Vision.Rules.Truth;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Tests.Evaluation;

/// <summary><c>vision cases export-labels</c> on a case database seeded with cases officers confirmed, rejected, dispatched or left undecided.</summary>
public sealed class ExportLabelsTests
{
    private const string Camera = "bottles", Rule = "litter-table";
    private static readonly DateTimeOffset Newest = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private sealed record Seeded(string Dir, string Config, IReadOnlyList<string> Ids);

    /// <summary>Five cases 37 s apart, newest first: confirmed by 张三, rejected by 李四, confirmed then dispatched, and two left auto-captured.</summary>
    private static async Task<Seeded> SeedAsync()
    {
        string dir = Directory.CreateTempSubdirectory("vision-export-").FullName;
        string evidence = Path.Combine(dir, "evidence");
        string config = Path.Combine(dir, "vision.yaml");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(SharedData.ProjectRoot, "samples", "footage", "bottle-detection.yaml"))
            + $"timezone: Asia/Shanghai\nevidence: {{ directory: {evidence} }}\n");
        var ids = CaseSeeder.Seed(evidence, Camera, Rule, 5, withPhotos: 2, newest: Newest);
        var database = new SqliteCaseDatabase(Path.Combine(evidence, SqliteCaseDatabase.FileName)).Migrate();
        var store = new CaseStore(database);
        async Task Decide(string id, CaseStatus status, string officer, string? reason) =>
            await store.ReviewAsync(id, status, new CaseHistoryEntry(status, Newest.AddHours(1), officer, reason, null, "test"), ReleasePolicy.Never, CancellationToken.None);
        await Decide(ids[0], CaseStatus.Confirmed, "张三", null);
        await Decide(ids[1], CaseStatus.Rejected, "李四", "false_detection");
        await Decide(ids[2], CaseStatus.Confirmed, "王五", null);
        using (var connection = database.OpenSqlite())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE cases SET status = 'dispatched', status_by = 'dispatch' WHERE case_id = $id";
            command.Parameters.AddWithValue("$id", ids[2]);
            command.ExecuteNonQuery();
        }
        return new Seeded(dir, config, ids);
    }

    [Fact]
    public async Task Decided_cases_become_violations_and_quiet_windows_that_load_back_and_eval_accepts_once_the_clip_is_filled()
    {
        var seeded = await SeedAsync();
        string truthPath = Path.Combine(seeded.Dir, "decided.truth.yaml");

        var run = ReplayCommandLineTests.Run("cases", "export-labels", "--config", seeded.Config, "--out", truthPath);

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("1 clip(s), 2 violation(s), 1 quiet window(s)", run.StdOut);
        string yaml = File.ReadAllText(truthPath);
        Assert.Contains("Auto-captured cases (no officer has decided them) are left out", yaml);
        Assert.Contains("PLACEHOLDER", yaml);
        foreach (var undecided in seeded.Ids.Skip(3)) Assert.DoesNotContain(undecided, yaml);

        var clip = Assert.Single(TruthReader.Load(truthPath).Clips);
        Assert.Equal(Path.Combine(seeded.Dir, "bottles-2026-11-23.mp4"), clip.Clip);
        Assert.Equal(Camera, clip.CameraId);
        Assert.False(clip.Complete);
        Assert.Equal([Rule], clip.RuleIds!);
        // The earliest decided case (the dispatched one, 74 s before the newest) started 5 s before its confirmation; start is a minute before that.
        Assert.Equal(Newest.AddSeconds(-74 - 5).AddMinutes(-1), clip.Start);
        Assert.Equal(TimeSpan.FromHours(8), clip.Start!.Value.Offset); // the camera's zone

        var expectedBox = new NormalisedBox(0.0078, 0.0139, 0.0391, 0.1111); // the seeded 50x80 box at (10, 10) of 1280x720
        Assert.Equal(2, clip.Violations.Count);
        var dispatched = clip.Violations[0];
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(65)), (dispatched.From, dispatched.To));
        Assert.Equal(expectedBox, dispatched.Box);
        Assert.Contains($"case {seeded.Ids[2]}, dispatched, confirmed by 王五", dispatched.Note);
        var confirmed = clip.Violations[1];
        Assert.Contains($"case {seeded.Ids[0]}, confirmed by 张三; photos 2026/11/23/", confirmed.Note);
        Assert.Equal(TimeSpan.FromSeconds(74 + 60 + 5), confirmed.To);

        var quiet = Assert.Single(clip.Quiet);
        Assert.Equal(Rule, quiet.RuleId);
        Assert.Equal(expectedBox, quiet.Box);
        Assert.StartsWith("rejected: false_detection by 李四", quiet.Note);

        // With the recording put at 'clip:', eval plans it against the config, and the same cases raised again score as the officers decided.
        File.WriteAllBytes(clip.Clip, []);
        var config = VisionConfigLoader.Load(seeded.Config);
        var plan = Assert.Single(EvalRunner.Plan(config, TruthReader.Load(truthPath), source: null));
        Assert.Equal(Camera, plan.Camera.Id);
        var store = new CaseStore(new SqliteCaseDatabase(Path.Combine(seeded.Dir, "evidence", SqliteCaseDatabase.FileName)));
        var again = new List<RaisedCase>();
        foreach (var id in seeded.Ids)
            again.Add(ReplayedCases.ToRaised(CaseRecord.Parse((await store.FindAsync(id, CancellationToken.None))!.RecordJson), clip.Start!.Value, seeded.Dir));
        var score = Assert.Single(TruthMatcher.Match(plan.Truth, again, plan.DwellByRule).Rules);
        Assert.Equal((2, 1, 0), (score.Hits, score.FalseCases, score.Misses));
    }

    [Fact]
    public async Task Export_with_no_decided_case_on_the_camera_exits_2_and_writes_nothing()
    {
        var seeded = await SeedAsync();
        string truthPath = Path.Combine(seeded.Dir, "none.truth.yaml");

        var run = ReplayCommandLineTests.Run("cases", "export-labels", "--config", seeded.Config, "--out", truthPath, "--camera", "elsewhere");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no confirmed, dispatched or rejected case on camera 'elsewhere'", run.StdErr);
        Assert.False(File.Exists(truthPath));
    }

    [Fact]
    public async Task Export_from_a_time_leaves_out_cases_confirmed_before_it()
    {
        var seeded = await SeedAsync();
        string truthPath = Path.Combine(seeded.Dir, "late.truth.yaml");

        var run = ReplayCommandLineTests.Run("cases", "export-labels", "--config", seeded.Config, "--out", truthPath, "--from", "2026-11-23T09:59:00+08:00");

        Assert.True(run.ExitCode == 0, run.StdErr);
        var clip = Assert.Single(TruthReader.Load(truthPath).Clips);
        Assert.Contains(seeded.Ids[0], Assert.Single(clip.Violations).Note);
        Assert.Single(clip.Quiet);
    }
}
