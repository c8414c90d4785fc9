using System.Diagnostics;
using System.Globalization;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.LiveUnits;

/// <summary>The one registry of child processes: nothing starts once stopped, and a stop leaves no process of the tree running.</summary>
public sealed class ChildProcessesTests
{
    [Fact]
    public async Task Stop_kills_a_child_that_ignores_SIGTERM_with_its_grandchild_and_waits_for_both()
    {
        var children = new ChildProcesses();
        var child = children.Start(Shell("trap '' TERM; sleep 300 & echo $!; wait"), CancellationToken.None);
        int grandchild = int.Parse(await child.Process.StandardOutput.ReadLineAsync() ?? "", CultureInfo.InvariantCulture);
        using (var term = Process.Start("kill", ["-TERM", child.Id.ToString(CultureInfo.InvariantCulture), grandchild.ToString(CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        await Task.Delay(200); // on purpose: what is checked is that SIGTERM ends neither within this time
        Assert.True(IsRunning(child.Id), "the child ignores SIGTERM");
        Assert.True(IsRunning(grandchild), "so does its child");

        int killed = await children.StopAsync();

        Assert.Equal(1, killed);
        Assert.True(child.Process.HasExited);
        await Eventually(() => !IsRunning(grandchild), "the grandchild is killed with the tree");
        Assert.False(IsRunning(child.Id));
        await child.DisposeAsync();
        Assert.Equal(0, children.Count);
    }

    [Fact]
    public async Task Nothing_starts_once_the_registry_is_stopped()
    {
        var children = new ChildProcesses();
        await children.StopAsync();

        Assert.Throws<OperationCanceledException>(() => children.Start(Shell("sleep 300"), CancellationToken.None));
        Assert.Equal(0, children.Started);
        Assert.Equal(0, children.Count);
    }

    [Fact]
    public void Nothing_starts_on_a_cancelled_token()
    {
        var children = new ChildProcesses();

        Assert.Throws<OperationCanceledException>(() => children.Start(Shell("sleep 300"), new CancellationToken(canceled: true)));
        Assert.Equal(0, children.Started);
    }

    [Fact]
    public async Task A_disposed_child_is_dead_and_off_the_registry()
    {
        var children = new ChildProcesses();
        var child = children.Start(Shell("sleep 300 & wait"), CancellationToken.None);
        Assert.Equal([child.Id], children.Ids());

        await child.DisposeAsync();

        Assert.Equal(0, children.Count);
        Assert.False(IsRunning(child.Id));
        Assert.Equal(0, await children.StopAsync());
    }

    [Fact]
    public async Task A_stop_racing_a_loop_of_starts_leaves_no_child_running_and_refuses_every_later_start()
    {
        var children = new ChildProcesses();
        var started = new List<int>();
        int refusedAfterStop = 0;
        var starting = Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                try { lock (started) started.Add(children.Start(Shell("sleep 300"), CancellationToken.None).Id); }
                catch (OperationCanceledException) { refusedAfterStop++; }
            }
        });
        await Eventually(() => { lock (started) return started.Count >= 3; }, "a few children started");

        await children.StopAsync();
        await starting;

        Assert.True(refusedAfterStop > 0, "starts after the stop are refused");
        lock (started)
        {
            Assert.Equal(started.Count, children.Started);
            Assert.All(started, pid => Assert.False(IsRunning(pid), $"child {pid} still runs"));
        }
    }

    [Fact]
    public void The_children_of_a_process_are_found_by_their_parent_id()
    {
        using var sleeper = Process.Start("sleep", ["300"]);
        try
        {
            Assert.Contains(sleeper.Id, ChildProcesses.ChildIdsOf(Environment.ProcessId));
            Assert.DoesNotContain(Environment.ProcessId, ChildProcesses.ChildIdsOf(Environment.ProcessId));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    private static ProcessStartInfo Shell(string script)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        return info;
    }

    /// <summary>True while <paramref name="pid"/> exists and is not a zombie (a container's init may be slow to reap).</summary>
    internal static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static async Task Eventually(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"not within 20 s: {what}");
            await Task.Delay(20);
        }
    }
}
