using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Vision.Rules.Config;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// Decodes a source with Debian's ffmpeg as a child process: ffmpeg samples frames at the analysis rate
/// (or decodes keyframes only), scales them down, and writes raw BGR to stdout; each frame's own
/// timestamp comes from the showinfo filter on stderr. OpenCvSharp's bundled FFmpeg cannot open network
/// streams, so live and file sources share this one path.
/// </summary>
internal sealed class FfmpegFrameReader : IAsyncDisposable
{
    private readonly ToolProcess _child;
    private readonly DedicatedPipeReader _stdout;
    private readonly Channel<double> _timestamps = Channel.CreateBounded<double>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
    private readonly FfmpegErrorTail _errorTail = new();
    private readonly Task _stderrPump;
    private readonly FrameReaderOptions _options;
    private long _sequence;
    private TimeSpan _processorTime;
    private int _decodeErrors;
    private string? _truncationLine;

    /// <summary>Error lines ffmpeg printed while decoding (a damaged stretch of the file); frames there were skipped.</summary>
    public int DecodeErrors => Volatile.Read(ref _decodeErrors);

    /// <summary>The first line in which ffmpeg said the file's data ends before its index does (a file cut short); null if none.</summary>
    public string? TruncationLine => Volatile.Read(ref _truncationLine);

    private FfmpegFrameReader(ToolProcess child, FrameReaderOptions options)
    {
        _child = child;
        _options = options;
        _stdout = new DedicatedPipeReader(child.Process.StandardOutput.BaseStream, "ffmpeg stdout");
        // Like stdout, a pipe read parks its thread (see DedicatedPipeReader): a long-running task gets its own thread.
        _stderrPump = Task.Factory.StartNew(PumpStderr, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Starts ffmpeg as a child of <paramref name="children"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> is cancelled or <paramref name="children"/> stopped: ffmpeg was not started.</exception>
    public static FfmpegFrameReader Start(FrameReaderOptions options, ChildProcesses children, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(children);
        var info = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in BuildArguments(options)) info.ArgumentList.Add(arg);
        try
        {
            return new FfmpegFrameReader(children.Start(info, ct), options);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VideoSourceException("ffmpeg is not installed or not on PATH: install Debian's ffmpeg package (apt-get install ffmpeg)", e);
        }
    }

    /// <summary>The ffmpeg command line, exposed for tests and logs (credentials are not redacted here: never log it raw).</summary>
    public static IReadOnlyList<string> BuildArguments(FrameReaderOptions o)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "info", "-nostats" };
        if (o.DecoderThreads > 0) args.AddRange(["-threads", o.DecoderThreads.ToString(CultureInfo.InvariantCulture)]);
        if (o.Decode == DecodeMode.Keyframes) args.AddRange(["-skip_frame", "nokey"]);
        if (o.FastDecode) args.AddRange(["-skip_loop_filter", "nokey"]);
        FfmpegStreamArguments.AddInput(args, o.Source, o.SocketTimeout, o.PlayFileAsLive);
        if (o.RecordTo is not null) FfmpegStreamArguments.AddSegments(args, o.RecordTo, o.RecordStartNumber, o.RecordList, o.SegmentLength);
        args.AddRange(["-map", "0:v:0", "-an", "-sn", "-dn"]);

        // Pick the first frame of every 1/fps bucket of the stream's own timestamps: exact rate on
        // average, real timestamps, no duplicated frames (unlike the fps filter).
        string fps = o.Fps.ToString("0.######", CultureInfo.InvariantCulture);
        var filters = $"select='isnan(prev_selected_t)+gte(floor(t*{fps})-floor(prev_selected_t*{fps}),1)'";
        filters += $",scale={o.OutputWidth}:{o.OutputHeight}:flags=bilinear,showinfo";
        args.AddRange(["-vf", filters, "-fps_mode", "passthrough", "-pix_fmt", "bgr24", "-f", "rawvideo", "pipe:1"]);
        return args;
    }

    /// <summary>CPU time ffmpeg has used so far (decode cost), as last sampled: an exited process can no longer be asked.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            SampleProcessorTime();
            return _processorTime;
        }
    }

    private void SampleProcessorTime()
    {
        try
        {
            if (!_child.Process.HasExited) _processorTime = _child.Process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>The last lines ffmpeg printed that were not frame info, credentials removed.</summary>
    public string ErrorTail => _errorTail.ToString();

    /// <summary>Reads the next analysis frame into <paramref name="frame"/>; false at the end of the source.</summary>
    public async ValueTask<bool> ReadAsync(AnalysisFrame frame, CancellationToken ct)
    {
        var pixels = frame.Buffer.Pixels;
        int read = await _stdout.ReadAtLeastAsync(pixels, pixels.Length, ct).ConfigureAwait(false);
        if (read < pixels.Length) return false;

        double ptsSeconds;
        try
        {
            ptsSeconds = await _timestamps.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new VideoSourceException($"ffmpeg sent a frame without its timestamp (source '{SecretRedactor.Redact(_options.Source)}'): {ErrorTail}");
        }

        if ((_sequence & 7) == 0) SampleProcessorTime();
        frame.Sequence = _sequence++;
        // ffmpeg has already rebased timestamps to the source's start, as its -ss does for clips.
        frame.StreamTime = TimeSpan.FromSeconds(Math.Max(0, ptsSeconds));
        return true;
    }

    /// <summary>
    /// Reads past the next frame without keeping it (the camera had no free buffer: the analysis is
    /// behind). Uses a small reused buffer, so dropping costs no frame-sized memory. False at the end.
    /// </summary>
    public async ValueTask<bool> SkipAsync(int frameBytes, CancellationToken ct)
    {
        _skipBuffer ??= new byte[64 * 1024];
        int left = frameBytes;
        while (left > 0)
        {
            int chunk = Math.Min(left, _skipBuffer.Length);
            int read = await _stdout.ReadAtLeastAsync(_skipBuffer.AsMemory(0, chunk), chunk, ct).ConfigureAwait(false);
            if (read < chunk) return false;
            left -= read;
        }
        try { await _timestamps.Reader.ReadAsync(ct).ConfigureAwait(false); }
        catch (ChannelClosedException) { return false; }
        _sequence++;
        return true;
    }

    private byte[]? _skipBuffer;

    /// <summary>Lowers ffmpeg's priority to <paramref name="niceness"/> (all its threads); false where it could not be set.</summary>
    public bool LowerPriority(int niceness)
    {
        try { return !_child.Process.HasExited && ProcessPriority.Lower(_child.Process.Id, niceness); }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>ffmpeg's process id (for tests and diagnostics).</summary>
    public int ProcessId => _child.Id;

    /// <summary>Waits for ffmpeg to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        await _child.Process.WaitForExitAsync(ct).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        return _child.Process.ExitCode;
    }

    private void PumpStderr()
    {
        var reader = _child.Process.StandardError;
        try
        {
            while (reader.ReadLine() is { } line)
            {
                if (TryParsePtsTime(line, out double pts))
                {
                    // Full only while the frame reader is behind: this thread is ours to block.
                    if (!_timestamps.Writer.TryWrite(pts)) _timestamps.Writer.WriteAsync(pts).AsTask().GetAwaiter().GetResult();
                    continue;
                }
                if (line.Contains("Parsed_showinfo", StringComparison.Ordinal)) continue;
                if (line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("Invalid", StringComparison.Ordinal) || line.Contains("corrupt", StringComparison.OrdinalIgnoreCase))
                    Interlocked.Increment(ref _decodeErrors);
                // The mp4 demuxer's words for data that ends before the index says it should.
                if (line.Contains("partial file", StringComparison.Ordinal) || line.Contains("truncated", StringComparison.OrdinalIgnoreCase))
                    Interlocked.CompareExchange(ref _truncationLine, SecretRedactor.Redact(line.Trim()), null);
                _errorTail.Add(line);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _timestamps.Writer.TryComplete();
        }
    }

    internal static bool TryParsePtsTime(string line, out double seconds)
    {
        seconds = 0;
        int at = line.IndexOf(" pts_time:", StringComparison.Ordinal);
        if (at < 0 || !line.Contains("Parsed_showinfo", StringComparison.Ordinal)) return false;
        int start = at + " pts_time:".Length;
        int end = start;
        while (end < line.Length && line[end] != ' ') end++;
        return double.TryParse(line.AsSpan(start, end - start), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds);
    }

    public async ValueTask DisposeAsync()
    {
        _child.Kill();
        try { await _stderrPump.ConfigureAwait(false); } catch (OperationCanceledException) { }
        // A read cancelled by a stall may still be writing into a frame buffer: wait until the closed pipe has ended it.
        _stdout.Dispose();
        await _stdout.Exited.ConfigureAwait(false);
        await _child.DisposeAsync().ConfigureAwait(false);
    }
}
