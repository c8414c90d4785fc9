using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Started first by <see cref="VisionNode"/>, so it stops last: once the cameras, the evidence work and the console have stopped (or the
/// host's shutdown timeout has passed them by), every child process still running is killed with its tree and waited
/// for, later starts are refused, and no ffmpeg or ffprobe outlives <c>vision run</c>.
/// </summary>
internal sealed class ChildProcessService(ChildProcesses children, ILogger<ChildProcessService> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        int left = await children.StopAsync().ConfigureAwait(false);
        int unregistered = children.KillUnregistered();
        if (left + unregistered > 0)
            log.LogWarning("stopped: {Count} child process(es) were still running and were killed ({Unregistered} not started through the registry)",
                left + unregistered, unregistered);
    }
}
