using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Whether the node carries its cameras: every <see cref="Window"/> it compares the frames analysed with
/// the frames the cameras' <c>analysis.fps</c> asks for (cameras online for the whole window). Under
/// 90 % the node is over capacity: every camera still gets its share (latest frame wins, batches go
/// round-robin), but at a lower rate than configured. The verdict goes to /metrics, /api/status and
/// one log line per change, with which side is short: the detector (frames decoded, then replaced
/// before analysis) or decoding (frames not arriving at the rate asked).
/// </summary>
internal sealed class CapacityMonitor(CameraSupervisor supervisor, RunningConfig config, VisionMetrics metrics, TimeProvider clock, ILogger logger) : BackgroundService
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private const double SustainedShare = 0.9;

    private Dictionary<string, CameraSnapshot> _before = new(StringComparer.Ordinal);
    private DateTimeOffset _beforeAt;

    /// <summary>The last window's verdict; null until one full window has passed.</summary>
    public NodeCapacity? Current { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Sample();
                await Task.Delay(Window, clock, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        var now = clock.GetUtcNow();
        var cameras = supervisor.Snapshots();
        var wantedFps = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var c in config.Current.Cameras) wantedFps[c.Id] = c.Analysis.Fps;

        double seconds = (now - _beforeAt).TotalSeconds;
        double wanted = 0;
        long analysed = 0, received = 0, dropped = 0;
        int counted = 0, notOnline = 0;
        foreach (var c in cameras)
        {
            if (c.State != CameraState.Online.ToWire()) { notOnline++; continue; }
            // Only cameras online for the whole window: one still connecting is not the detector's fault.
            if (!_before.TryGetValue(c.Id, out var b) || c.Since > _beforeAt || !wantedFps.TryGetValue(c.Id, out double fps)) continue;
            wanted += fps * seconds;
            analysed += c.FramesAnalysed - b.FramesAnalysed;
            received += c.FramesReceived - b.FramesReceived;
            dropped += c.FramesDropped - b.FramesDropped;
            counted++;
        }
        _before = cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _beforeAt = now;
        if (counted == 0 || wanted <= 0) return;

        var verdict = new NodeCapacity(
            OverCapacity: analysed < SustainedShare * wanted,
            AnalysedShare: Math.Round(analysed / wanted, 3),
            DecodedShare: Math.Round(received / wanted, 3),
            DroppedShare: received == 0 ? 0 : Math.Round((double)dropped / received, 3),
            CamerasCounted: counted,
            CamerasNotOnline: notOnline,
            At: now);
        var previous = Current;
        Current = verdict;
        metrics.ObserveCapacity(verdict);
        if (verdict.OverCapacity && previous is not { OverCapacity: true })
            logger.LogWarning("node over capacity: its {Cameras} camera(s) get {Share:P0} of the analysis rate they ask for ({Short}); each keeps its share, at a lower rate. Fewer cameras, a lower analysis.fps, or another node restores it",
                counted, verdict.AnalysedShare, verdict.ShortSide);
        else if (!verdict.OverCapacity && previous is { OverCapacity: true })
            logger.LogInformation("node back within capacity: {Cameras} camera(s) get {Share:P0} of their analysis rate", counted, verdict.AnalysedShare);
    }
}

/// <summary>One window's verdict of <see cref="CapacityMonitor"/>: shares are of the frames the cameras' analysis rates ask for.</summary>
internal sealed record NodeCapacity(bool OverCapacity, double AnalysedShare, double DecodedShare, double DroppedShare, int CamerasCounted, int CamerasNotOnline, DateTimeOffset At)
{
    /// <summary>Which side cannot keep up, in words for logs and /api/status.</summary>
    public string ShortSide => !OverCapacity ? "none"
        : DecodedShare < 0.9 ? $"decoding: only {DecodedShare:P0} of the frames arrive from ffmpeg (CPU or the cameras' streams)"
        : $"the detector: {DroppedShare:P0} of the decoded frames were replaced by newer ones before analysis";
}
