using System.Text.Json;
using Vision.Pipeline.Tests.Support;

namespace Vision.Pipeline.Tests.Replay;

/// <summary><c>vision replay</c> writing to a disk that fills up: no crash, and every confirmed case is written or named.</summary>
public sealed class ReplayFullDiskTests
{
    [SmallDiskFact]
    public void A_replay_onto_a_disk_that_fills_accounts_for_every_confirmed_case_and_exits_4()
    {
        // The bottle clip confirms 3 cases (A_successful_replay_exits_0_and_reports_frames_speed_and_cases); their
        // photos and clips take about 600 KB, the disk has half that.
        string root = Directory.CreateTempSubdirectory("vision-full-disk-").FullName;
        using var disk = SmallDisk.Mount(Path.Combine(root, "out"), 300 * 1024);
        var run = Run("replay", "--config", ReplayHarness.SampleConfig("bottle-detection"), "--source", SharedData.Footage("bottle-detection.mp4"),
            "--out", disk.Path, "--start", ReplayHarness.Start);

        Assert.True(run.ExitCode == 4, $"exit {run.ExitCode}: {run.StdErr}");
        Assert.DoesNotContain("Exception", run.StdErr);
        var written = File.ReadAllLines(Path.Combine(disk.Path, "cases.jsonl")).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int named = run.StdErr.Split('\n').Count(l => l.StartsWith("vision replay: case not written: camera ", StringComparison.Ordinal));
        Assert.Equal(3, written.Count + named);
        Assert.True(named > 0, "the disk was meant to be too small for every case");
        Assert.Contains("No space left on device", run.StdErr);
        Assert.Contains("free space and run the replay again", run.StdErr);
        foreach (var c in written)
        {
            string id = c.GetProperty("caseId").GetString()!;
            Assert.True(File.Exists(Path.Combine(disk.Path, id, "manifest.json")), $"case {id} has a line but no manifest");
            foreach (var photo in c.GetProperty("evidence").GetProperty("photos").EnumerateArray())
                Assert.True(new FileInfo(Path.Combine(disk.Path, photo.GetProperty("file").GetString()!)).Length > 0);
        }
        Assert.Empty(Directory.GetFiles(disk.Path, "*.tmp", SearchOption.AllDirectories));
    }

    private static ReplayCommandLineTests.CliRun Run(params string[] args) => ReplayCommandLineTests.Run(args);
}
