using System.CommandLine;
using System.Globalization;
using Vision.Models;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Config;

namespace Vision.Pipeline.Cli;

/// <summary><c>vision replay</c>: runs the pipeline over a recorded video and writes cases with evidence.</summary>
internal static class ReplayCommand
{
    /// <summary>Exit code of a replay whose source ended before its own length (cut short or damaged): the cases found in what could be read are kept.</summary>
    public const int TruncatedSource = 3;

    /// <summary>Exit code of a replay whose cases are all written but whose <c>--trace-video</c> ffmpeg could not finish.</summary>
    public const int TraceVideoIncomplete = 5;

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "YAML config with cameras, zones, schedules and rules", Required = true };
        var source = new Option<string>("--source") { Description = "video file to analyse (H.264/H.265)", Required = true };
        var camera = new Option<string?>("--camera") { Description = "camera id in the config the video comes from (optional when the config has one camera)" };
        var output = new Option<string>("--out") { Description = "folder for cases.jsonl, photos and clips", Required = true };
        var start = new Option<string?>("--start") { Description = "wall-clock time of the first frame, ISO-8601 (default: the file's creation time, else 1970-01-01T00:00Z)" };
        var fps = new Option<double?>("--fps") { Description = "analysis frames per second (default: the camera's analysis.fps)" };
        var quiet = new Option<bool>("--quiet") { Description = "print nothing but errors" };
        var trace = new Option<string?>("--trace") { Description = "write each analysed frame's detections, tracks and rule events to this JSON-lines file (for tuning)" };
        var traceVideo = new Option<string?>("--trace-video") { Description = "draw each analysed frame with detections, tracks, zones, dwell clocks and rule events into this MP4 (H.264)" };

        var command = new Command("replay", "Analyse a recorded video as if it came from one of the config's cameras; same input and flags give the same cases.")
        {
            config, source, camera, output, start, fps, quiet, trace, traceVideo,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var options = new ReplayOptions(parsed.GetValue(config)!, parsed.GetValue(source)!, parsed.GetValue(camera),
                parsed.GetValue(output)!, parsed.GetValue(start), parsed.GetValue(fps), parsed.GetValue(trace));
            bool silent = parsed.GetValue(quiet);
            options = options with { TraceVideoPath = parsed.GetValue(traceVideo), Warn = silent ? null : w => Console.Error.WriteLine("vision replay: warning: " + w) };
            return await RunAsync(options, silent, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(ReplayOptions options, bool quiet, CancellationToken ct)
    {
        var progress = quiet || Console.IsErrorRedirected ? null : new ProgressLine();
        return await CommandErrors.RunAsync("replay", async () =>
        {
            ReplaySummary summary;
            try { summary = await ReplayRunner.RunAsync(options, progress is null ? null : progress.Report, ct).ConfigureAwait(false); }
            finally { progress?.Finish(); }
            if (!quiet) Console.WriteLine(Describe(summary));
            if (summary.TraceVideoError is { } videoError)
                Console.Error.WriteLine($"vision replay: {videoError}; the cases are complete in {summary.CasesFile}. Free space (or install an ffmpeg with libx264) and replay again for the video");
            if (summary.Truncation is { } truncation)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"vision replay: source '{options.Source}' is truncated or damaged: {truncation}; only the first {summary.AnalysedDuration.TotalSeconds:0} s were analysed and its {summary.Cases} case(s) are in {summary.CasesFile}. Copy the file again from the recorder (it was probably cut short), then replay it"));
                return TruncatedSource;
            }
            if (summary.UnwrittenCases.Count == 0) return summary.TraceVideoError is null ? 0 : TraceVideoIncomplete;
            foreach (var unwritten in summary.UnwrittenCases) Console.Error.WriteLine($"vision replay: case not written: {unwritten.Describe()}");
            Console.Error.WriteLine($"vision replay: {summary.UnwrittenCases.Count} confirmed case(s) could not be written to '{options.OutputDirectory}' ({summary.UnwrittenCases[0].LastError}): free space and run the replay again (it gives the same cases)");
            return CommandLineEntry.CasesNotWritten;
        }, ct).ConfigureAwait(false);
    }

    private static string Describe(ReplaySummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        double seconds = Math.Max(0.001, s.Elapsed.TotalSeconds);
        double fps = s.Frames / seconds;
        // × real time over what was decoded, not over the container's claimed length (a cut file claims its full length).
        var video = s.Truncation is null ? s.VideoDuration : s.AnalysedDuration;
        double speed = video.TotalSeconds / seconds;
        string text = string.Create(inv,
            $"replay {s.CameraId}: {s.Frames} frames at {s.FrameWidth}x{s.FrameHeight} ({s.AnalysisFps:0.##} fps of video) over {video.TotalSeconds:0.0} s of video in {seconds:0.0} s = {fps:0.0} frames/s, {speed:0.0}x real time; {s.Cases} case(s) in {s.CasesFile}");
        text += $"{Environment.NewLine}  time: {s.Timings.Shares()} (decode = ffmpeg CPU time; others = wall time in process)";
        if (s.TraceVideoPath is not null && s.TraceVideoError is null)
            text += string.Create(inv, $"{Environment.NewLine}  trace video: {s.TraceVideoFrames} frames in {s.TraceVideoPath}");
        if (s.DecodeErrors > 0)
            text += $"{Environment.NewLine}  warning: ffmpeg reported {s.DecodeErrors} decode error(s): part of the source is damaged and those frames were skipped";
        return text;
    }

    /// <summary>A single progress line on a terminal, redrawn at most twice a second.</summary>
    private sealed class ProgressLine
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private long _lastDraw = -1000;
        private bool _drawn;

        public void Report(ReplayProgress p)
        {
            long now = _clock.ElapsedMilliseconds;
            if (now - _lastDraw < 500) return;
            _lastDraw = now;
            double fps = p.Frames / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r  {p.StreamTime:hh\\:mm\\:ss} / {p.Duration:hh\\:mm\\:ss}  frames {p.Frames}  {fps:0.0} fps  cases {p.Cases}   "));
            _drawn = true;
        }

        public void Finish()
        {
            if (_drawn) Console.Error.WriteLine();
        }
    }
}
