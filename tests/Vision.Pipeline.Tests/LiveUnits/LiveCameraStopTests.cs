using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.LiveUnits;

/// <summary>A camera stopped whatever it was doing (probing, reconnecting, about to start ffmpeg) leaves no child process behind.</summary>
public sealed class LiveCameraStopTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vision-camera-stop-").FullName;

    [Fact]
    public async Task A_camera_stopped_between_its_probe_and_its_ffmpeg_starts_no_ffmpeg()
    {
        string clip = await TestFootage.SyntheticAsync(Path.Combine(_dir, "clip.mp4"), 160, 120, 10);
        await using var children = new ChildProcesses();
        using var stop = new CancellationTokenSource();
        var camera = Camera(clip, LiveConfig.Default, TimeProvider.System, children);
        // The probe has answered; the stop comes before ffmpeg is started (where a reconnect used to start it anyway).
        camera.Connected += _ => stop.Cancel();

        await camera.RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, children.Started);
        Assert.Equal(CameraState.Stopped, camera.Health.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_camera_stopped_when_its_reconnect_to_a_vanished_server_is_due_leaves_no_child_process(bool whileProbing)
    {
        // A server that accepts and never answers: an RTSP server going away.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var held = new List<Socket>();
        int connections = 0;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await server.AcceptSocketAsync();
                    lock (held) held.Add(socket);
                    Interlocked.Increment(ref connections);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });
        string marker = "gone-" + Guid.NewGuid().ToString("N");
        string source = $"rtsp://127.0.0.1:{((IPEndPoint)server.LocalEndpoint).Port}/{marker}";
        var live = new LiveConfig { StallTimeout = TimeSpan.FromSeconds(1), ReconnectInitial = TimeSpan.FromSeconds(5), ReconnectMax = TimeSpan.FromSeconds(5), FramesPerCamera = 3 };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var children = new ChildProcesses();
        using var stop = new CancellationTokenSource();
        var camera = Camera(source, live, clock, children);

        var running = camera.RunAsync(stop.Token);
        await ChildProcessesTests.Eventually(() => camera.Health.Snapshot().Reconnects >= 1, "the first probe failed and the camera waits to reconnect");
        int before = Volatile.Read(ref connections);
        clock.Advance(live.ReconnectMax); // the reconnect is due
        if (whileProbing) await ChildProcessesTests.Eventually(() => Volatile.Read(ref connections) > before, "the reconnect's probe reached the server");
        stop.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(RunningChildrenWith(marker));
        Assert.Equal(0, children.Count);
        Assert.Equal(CameraState.Stopped, camera.Health.State);
        server.Stop();
        lock (held) held.ForEach(s => s.Dispose());
    }

    private static LiveCamera Camera(string source, LiveConfig live, TimeProvider clock, ChildProcesses children) =>
        new(new CameraConfig("cam-stop", "cam-stop", source, "UTC", new AnalysisConfig { Fps = 2, MaxWidth = 160, Decode = DecodeMode.All }, [], []),
            live, ring: null, new FrameMailboxes(clock), new ConnectGate(1), children, clock, NullLogger.Instance, new Random(7));

    /// <summary>Children of this test process still running whose command line holds <paramref name="marker"/> (ffprobe or ffmpeg of that camera).</summary>
    private static List<int> RunningChildrenWith(string marker) =>
        ChildProcesses.ChildIdsOf(Environment.ProcessId).Where(pid =>
        {
            try
            {
                return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Contains(marker, StringComparison.Ordinal)
                    && ChildProcessesTests.IsRunning(pid);
            }
            catch (IOException) { return false; }
        }).ToList();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
