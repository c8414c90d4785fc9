using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vision.Pipeline.Tests.Live;

/// <summary><c>vision run</c> stopped while its cameras' servers go away: no ffmpeg or ffprobe of it outlives it.</summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class LiveStopTests
{
    // Seen once: stopped by SIGTERM while its RTSP server was going away, vision started a reconnect ffmpeg during the
    // shutdown that outlived it (parent 1, ignoring SIGTERM).
    [RtspFact]
    public async Task Sigterm_as_the_rtsp_server_goes_away_and_cameras_reconnect_leaves_no_ffmpeg_or_ffprobe_behind()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["a"] = footage, ["b"] = footage });
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts into the backlog, never answers: every probe of it hangs until its timeout
        int silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        // Reconnects every 100-300 ms: whenever the stop comes, one is due or under way.
        string config = LiveServiceTests.Common.Replace("live: { stall_timeout: 4s, reconnect_initial: 500ms, reconnect_max: 3s }",
                "live: { stall_timeout: 2s, reconnect_initial: 100ms, reconnect_max: 300ms }", StringComparison.Ordinal)
            + LiveServiceTests.BottleCamera("cam-a", server.Url("a")) + LiveServiceTests.BottleCamera("cam-b", server.Url("b"))
            + LiveServiceTests.BottleCamera("cam-silent", $"rtsp://127.0.0.1:{silentPort}/live");
        Assert.Contains("reconnect_initial: 100ms", config);
        await using var vision = await VisionProcess.StartAsync(config);
        await LiveServiceTests.WaitAllOnlineAsync(vision, ["cam-a", "cam-b"], TimeSpan.FromSeconds(60));
        Assert.NotEmpty(ToolsFor(server.Port));

        await server.StopAsync(); // the server goes away: the cameras' ffmpeg fail and reconnects come due every 100-300 ms
        await Task.Delay(150); // on purpose: SIGTERM lands while reconnects are due, whatever state each camera is in
        await vision.TerminateAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(0, vision.ExitCode);
        Assert.Empty(ToolsFor(server.Port).Concat(ToolsFor(silentPort)).Select(Describe));
    }

    /// <summary>Every process on the machine (an orphan has parent 1) still running that talks to 127.0.0.1:<paramref name="port"/>.</summary>
    private static List<int> ToolsFor(int port)
    {
        string address = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(address, StringComparison.Ordinal) && LiveUnits.ChildProcessesTests.IsRunning(pid))
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    private static string Describe(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return $"{pid} {File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ')} (parent {stat[(stat.LastIndexOf(')') + 4)..].Split(' ')[0]})";
        }
        catch (IOException) { return pid.ToString(CultureInfo.InvariantCulture); }
    }
}
