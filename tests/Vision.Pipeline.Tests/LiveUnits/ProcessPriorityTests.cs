using System.Diagnostics;
using System.Globalization;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.LiveUnits;

/// <summary>A live decoder starts at Vision's priority (to get its first keyframe on a busy node) and yields once streaming.</summary>
public sealed class ProcessPriorityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vision-nice-").FullName;

    [Fact]
    public async Task Lowering_a_decoder_reaches_every_one_of_its_threads()
    {
        string clip = await TestFootage.SyntheticAsync(Path.Combine(_dir, "clip.mp4"), 320, 240, 25);
        var options = new FrameReaderOptions(clip, 160, 120, 5, Rules.Config.DecodeMode.All) { PlayFileAsLive = true };
        await using var children = new ChildProcesses();
        await using var reader = FfmpegFrameReader.Start(options, children, CancellationToken.None);
        using var pool = new FramePool("cam", 160, 120, 1);
        Assert.True(pool.TryRent(out var frame));
        Assert.True(await reader.ReadAsync(frame, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token));

        int own = ProcessPriority.Of(Environment.ProcessId)!.Value;
        Assert.All(ThreadNiceness(reader.ProcessId), n => Assert.Equal(own, n));

        Assert.True(reader.LowerPriority(own + 10));
        var after = ThreadNiceness(reader.ProcessId);
        Assert.True(after.Count > 1, "ffmpeg runs more than one thread: the test must see them all");
        Assert.All(after, n => Assert.Equal(own + 10, n));
        Assert.Equal(own + 10, ProcessPriority.Of(reader.ProcessId));
    }

    [Fact]
    public void A_process_that_is_gone_is_reported_not_thrown()
    {
        using var done = Process.Start("true")!;
        done.WaitForExit();
        Assert.False(ProcessPriority.Lower(done.Id, 10));
        Assert.Null(ProcessPriority.Of(done.Id));
    }

    private static List<int> ThreadNiceness(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Select(t =>
        {
            string stat = File.ReadAllText(Path.Combine(t, "stat"));
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
        }).ToList();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
