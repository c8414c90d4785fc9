using System.Diagnostics;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.LiveUnits;

/// <summary>Many cameras waiting on their ffmpeg pipes, or connecting at once, must not starve the rest of the node.</summary>
public sealed class IngestThreadingTests
{
    [Fact]
    public async Task A_hundred_silent_pipes_hold_no_thread_pool_thread()
    {
        // `sleep` keeps its stdout open and writes nothing: a camera whose next frame is not there yet.
        var sleepers = Enumerable.Range(0, 100).Select(_ => Process.Start(new ProcessStartInfo("sleep", "30") { RedirectStandardOutput = true, UseShellExecute = false })!).ToList();
        var readers = sleepers.Select(p => new DedicatedPipeReader(p.StandardOutput.BaseStream, "test pipe")).ToList();
        try
        {
            var reads = readers.Select(r => r.ReadAtLeastAsync(new byte[16], 16, CancellationToken.None)).ToList();
            await Task.Delay(200); // on purpose: the reads are parked in their pipes before the pool is tried

            // Work queued to the pool still runs at once: no pool thread is parked in a pipe read.
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Thread.Sleep(1))));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"50 tiny work items took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.All(reads, r => Assert.False(r.IsCompleted));
        }
        finally
        {
            foreach (var p in sleepers) { p.Kill(); p.WaitForExit(); }
            foreach (var r in readers) { r.Dispose(); await r.Exited.WaitAsync(TimeSpan.FromSeconds(10)); }
            foreach (var p in sleepers) p.Dispose();
        }
    }

    [Fact]
    public async Task Pipe_reads_return_the_bytes_then_zero_at_the_end()
    {
        using var echo = Process.Start(new ProcessStartInfo("printf", "abcdefgh") { RedirectStandardOutput = true, UseShellExecute = false })!;
        using var reader = new DedicatedPipeReader(echo.StandardOutput.BaseStream, "test pipe");
        var buffer = new byte[4];

        Assert.Equal(4, await reader.ReadAtLeastAsync(buffer, 4, CancellationToken.None));
        Assert.Equal("abcd"u8.ToArray(), buffer);
        Assert.Equal(4, await reader.ReadAtLeastAsync(buffer, 4, CancellationToken.None));
        Assert.Equal(0, await reader.ReadAtLeastAsync(buffer, 4, CancellationToken.None));
        await reader.Exited.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Connects_beyond_the_gate_wait_until_a_camera_is_streaming()
    {
        var gate = new ConnectGate(2);
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = await gate.EnterAsync(CancellationToken.None);

        var third = gate.EnterAsync(CancellationToken.None);
        await Task.Delay(50); // on purpose: the third does not enter within this time
        Assert.False(third.IsCompleted);
        Assert.Equal(1, gate.Waiting);

        first.Dispose();
        first.Dispose(); // a second release of the same slot must not open two
        using var entered = await third.WaitAsync(TimeSpan.FromSeconds(5));
        var fourth = gate.EnterAsync(CancellationToken.None);
        await Task.Delay(50); // on purpose: the fourth does not enter within this time
        Assert.False(fourth.IsCompleted);
        second.Dispose();
        (await fourth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }
}
