using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Vision.Models;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Tracking;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;

using Vision.Pipeline.Tools.TraceVideo;

namespace Vision.Pipeline.Tools.Replay;

/// <summary>
/// <c>vision replay</c>: one video file through decode → detect → track → rules → evidence, with the
/// video's own timestamps as the clock. Same input and flags give the same cases, byte for byte.
/// </summary>
internal static class ReplayRunner
{
    private const int ChannelCapacity = 2;

    public static async Task<ReplaySummary> RunAsync(ReplayOptions options, Action<ReplayProgress>? progress, CancellationToken ct)
    {
        var config = VisionConfigLoader.Load(options.ConfigPath);
        var camera = SelectCamera(config, options.CameraId);
        if (options.EditCamera is { } edit) camera = edit(camera);
        var video = await VideoProbe.ProbeAsync(options.Source, ct).ConfigureAwait(false);
        using var detector = DetectorFactory.Load(config);

        var start = ResolveStart(options.Start, camera, video);
        double fps = options.Fps ?? camera.Analysis.Fps;
        if (fps <= 0 || double.IsNaN(fps)) throw new UsageException($"--fps {fps} is not a rate: give frames per second > 0, e.g. --fps 1");
        var (width, height) = video.AnalysisSize(camera.Analysis.MaxWidth);
        if (EvidenceResolution.Warning(camera.Id, video.Width, video.Height) is { } small) options.Warn?.Invoke(small);

        CreateOutputDirectory(options.OutputDirectory);
        var timings = new StageTimings();
        var wall = Stopwatch.StartNew();

        int poolSize = ChannelCapacity + Math.Max(1, detector.MaxBatch) + 2;
        using var pool = new FramePool(camera.Id, width, height, poolSize);
        var feed = new ChannelFrameFeed(ChannelCapacity);
        var confirmed = Channel.CreateBounded<ViolationCase>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        var classNames = NewObjectClass.AppendTo(detector.ClassNames);
        using var trace = options.TracePath is null ? null : new AnalysisTrace(options.TracePath, classNames);
        // Every ffmpeg of this replay (decoder, photo frames, trace video): none outlives it, whatever ends it.
        await using var children = new ChildProcesses();
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = failure.Token;
        await using var traceVideo = options.TraceVideoPath is null ? null : StartTraceVideo(options.TraceVideoPath, options.Source, width, height, fps, classNames, children, token);
        var loop = new AnalysisLoop(detector, config.Detector.MaxBatch, config.Detector.MaxBatchWait, timings) { MergeIou = config.Detector.NmsIou };
        using var plates = CasePlateReader.Open(config.Plates);
        loop.SetAnalyzer(new CameraAnalyzer(camera, config.Tracker, config.Schedules, classNames, start, video.Width, video.Height, plateTurnover: plates is not null) { Observers = Observers(options.Recorder, trace, traceVideo) });
        using var renderer = new PhotoRenderer(config.Evidence.JpegQuality);
        var frames = options.AnalysisFramePhotos ? null : new FileFrameSource(video, children);
        var evidence = new EvidenceWriter(options.OutputDirectory, renderer, new OneCameraSources(new FileClipSource(video, start), frames), config.Evidence.PreRoll,
            config.Evidence.PostRoll)
        {
            Signer = Signer(),
            Plates = plates,
            Turnover = plates is null ? null : new PlateTurnover(),
        };
        await using var caseLog = new CaseLog(Path.Combine(options.OutputDirectory, "cases.jsonl"));
        var flow = new CaseFlow(evidence, caseLog, CaseObservers.None, NullLogger.Instance);

        long framesAnalysed = 0;
        var lastStreamTime = TimeSpan.Zero;
        loop.FrameAnalysed += (frame, _) =>
        {
            framesAnalysed++;
            lastStreamTime = frame.StreamTime;
            progress?.Invoke(new ReplayProgress(framesAnalysed, caseLog.Count, lastStreamTime, video.Duration));
        };

        var readerOptions = new FrameReaderOptions(video.Source, width, height, fps, camera.Analysis.Decode) { FastDecode = camera.Analysis.FastDecode };
        await using var reader = FfmpegFrameReader.Start(readerOptions, children, token);

        async Task Decode()
        {
            long count = 0;
            try
            {
                while (true)
                {
                    var frame = await pool.RentAsync(token).ConfigureAwait(false);
                    if (!await reader.ReadAsync(frame, token).ConfigureAwait(false))
                    {
                        frame.Release();
                        break;
                    }
                    frame.CapturedAt = start + frame.StreamTime;
                    count++;
                    await feed.Writer.WriteAsync(frame, token).ConfigureAwait(false);
                }
                int exit = await reader.WaitForExitAsync(token).ConfigureAwait(false);
                if (exit != 0 && count == 0)
                    throw new VideoSourceException($"ffmpeg could not decode '{options.Source}' (exit {exit}): {reader.ErrorTail}");
            }
            finally
            {
                timings.Set(Stage.Decode, reader.ProcessorTime, count);
                feed.Writer.TryComplete();
            }
        }

        async Task Analyse()
        {
            try
            {
                await loop.RunAsync(feed, (c, t) => confirmed.Writer.WriteAsync(c, t), token).ConfigureAwait(false);
            }
            finally
            {
                confirmed.Writer.TryComplete();
            }
        }

        var unwritten = new List<CaseProgress>();
        async Task WriteEvidence()
        {
            await foreach (var violation in confirmed.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                long t0 = Stopwatch.GetTimestamp();
                var progress = new CaseProgress(violation);
                if (!await TryWriteCaseAsync(flow, progress, token).ConfigureAwait(false)) unwritten.Add(progress);
                timings.Add(Stage.Evidence, Stopwatch.GetElapsedTime(t0));
            }
            // The disk may have room again by the end: each case it refused gets a few more tries.
            for (int attempt = 0; attempt < UnwrittenRetries && unwritten.Count > 0; attempt++)
            {
                await Task.Delay(UnwrittenRetryDelay, token).ConfigureAwait(false);
                var again = new List<CaseProgress>();
                foreach (var progress in unwritten)
                    if (!await TryWriteCaseAsync(flow, progress, token).ConfigureAwait(false)) again.Add(progress);
                unwritten = again;
            }
        }

        await RunAllAsync(failure, Decode, Analyse, WriteEvidence).ConfigureAwait(false);
        string? traceVideoError = traceVideo is null ? null : await traceVideo.FinishAsync().ConfigureAwait(false);
        progress?.Invoke(new ReplayProgress(framesAnalysed, caseLog.Count, lastStreamTime, video.Duration));

        var analysed = framesAnalysed == 0 ? TimeSpan.Zero : Min(lastStreamTime + TimeSpan.FromSeconds(1 / fps), video.Duration);
        return new ReplaySummary(camera.Id, framesAnalysed, caseLog.Count, wall.Elapsed, video.Duration, fps, width, height, caseLog.Path, timings)
        {
            Start = start,
            DecodeErrors = reader.DecodeErrors,
            UnwrittenCases = unwritten,
            AnalysedDuration = analysed,
            Truncation = Truncation(video, analysed, fps, camera.Analysis.Decode, reader.TruncationLine),
            ClassNames = classNames,
            TraceVideoPath = traceVideo?.Path,
            TraceVideoFrames = traceVideo?.FramesWritten ?? 0,
            TraceVideoError = traceVideoError,
        };
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// A file whose frames end well before its container says it does was cut short (a copy that did not finish, a full
    /// disk at the recorder) or is damaged: say so rather than report a clean run over half a video. The slack allows the
    /// sampling interval, a keyframes-only decode's last GOP, and a container's rounding.
    /// </summary>
    internal static string? Truncation(VideoInfo video, TimeSpan analysed, double fps, DecodeMode decode, string? ffmpegSaid)
    {
        if (video.Duration <= TimeSpan.Zero) return ffmpegSaid is null ? null : $"ffmpeg: {ffmpegSaid}";
        var slack = TimeSpan.FromSeconds(Math.Max(2, 3 / fps)) + (decode == DecodeMode.Keyframes ? TimeSpan.FromSeconds(10) : TimeSpan.Zero);
        bool cutShort = video.Duration - analysed > slack;
        if (!cutShort && ffmpegSaid is null) return null;
        string where = string.Create(CultureInfo.InvariantCulture, $"frames end at {Clock(analysed)} of its {Clock(video.Duration)}");
        return ffmpegSaid is null ? where : $"{where} (ffmpeg: {ffmpegSaid})";
    }

    private static string Clock(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);


    private const int UnwrittenRetries = 3;
    private static readonly TimeSpan UnwrittenRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Writes one case through the <see cref="CaseFlow"/>; false when the output folder refused it (disk full), with the reason on the progress.</summary>
    private static async Task<bool> TryWriteCaseAsync(CaseFlow flow, CaseProgress progress, CancellationToken ct)
    {
        try
        {
            await flow.FinishAsync(progress, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (EvidenceFailure.IsStorageFull(e))
        {
            progress.Attempts++;
            progress.LastError = e.Message;
            return false;
        }
    }

    internal static ManifestSigner? Signer()
    {
        try { return ManifestSigner.FromEnvironment(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static void CreateOutputDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            string probe = Path.Combine(path, ".vision-write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write to --out '{path}' ({e.Message}): choose a folder you can write to");
        }
    }

    /// <summary>
    /// The trace video's encoder, started once its file is known to be writable: a path that is not is one usage error
    /// before any work; ffmpeg failing later leaves the cases alone and is reported at the end.
    /// </summary>
    private static TraceVideoWriter StartTraceVideo(string path, string source, int width, int height, double fps, IReadOnlyList<string> classNames, ChildProcesses children, CancellationToken ct)
    {
        if (Path.GetFullPath(path) == Path.GetFullPath(source))
            throw new UsageException($"--trace-video '{path}' is the --source video: it would be overwritten; give another file name");
        try
        {
            using (File.Create(path)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write --trace-video '{path}' ({e.Message}): give a file in a folder that exists and you can write to");
        }
        try { return TraceVideoWriter.Start(path, width, height, fps, classNames, children, ct); }
        catch (IOException e) { throw new UsageException($"cannot start the --trace-video encoder: {e.Message}"); }
    }

    /// <summary>Runs the stages together; the first to fail cancels the rest and its exception is the one thrown.</summary>
    private static async Task RunAllAsync(CancellationTokenSource failure, params Func<Task>[] stages)
    {
        Exception? first = null;
        var tasks = new Task[stages.Length];
        for (int i = 0; i < stages.Length; i++)
        {
            var stage = stages[i];
            tasks[i] = Task.Run(async () =>
            {
                try { await stage().ConfigureAwait(false); }
                catch (Exception e)
                {
                    if (e is not OperationCanceledException) Interlocked.CompareExchange(ref first, e, null);
                    await failure.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            });
        }
        try { await Task.WhenAll(tasks).ConfigureAwait(false); }
        catch when (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    private static CameraConfig SelectCamera(VisionConfig config, string? cameraId)
    {
        if (cameraId is null)
        {
            if (config.Cameras.Count == 1) return config.Cameras[0];
            throw new UsageException($"{config.SourcePath} has {config.Cameras.Count} cameras: say which one the video comes from with --camera ({string.Join(", ", config.Cameras.Select(c => c.Id))})");
        }
        return config.FindCamera(cameraId)
            ?? throw new UsageException($"camera '{cameraId}' is not in {config.SourcePath}: use one of {string.Join(", ", config.Cameras.Select(c => c.Id))}");
    }

    /// <summary>--start as given, else the file's creation time, else the Unix epoch; a time without offset is read in the camera's zone.</summary>
    internal static DateTimeOffset ResolveStart(string? start, CameraConfig camera, VideoInfo video)
    {
        if (start is null) return video.CreationTime ?? DateTimeOffset.UnixEpoch;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(camera.TimeZoneId);
        bool hasOffset = start.EndsWith('Z') || start.EndsWith('z') || System.Text.RegularExpressions.Regex.IsMatch(start, @"[+-]\d{2}:?\d{2}$");
        if (hasOffset && DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
            return withOffset;
        if (!hasOffset && DateTime.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.GetUtcOffset(local));
        throw new UsageException($"--start '{start}' is not an ISO-8601 time: write e.g. 2026-11-23T08:30:00+08:00 (or without offset, read in {camera.TimeZoneId})");
    }

    private static IAnalysedFrameObserver[] Observers(params IAnalysedFrameObserver?[] observers) =>
        observers.OfType<IAnalysedFrameObserver>().ToArray();
}
