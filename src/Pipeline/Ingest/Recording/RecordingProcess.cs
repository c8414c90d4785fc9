using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// One ffmpeg child that stream-copies a camera's record stream into a <see cref="RecordingRun"/> of its ring: no
/// decode, so it costs the demux and the writes only. ffmpeg reports how far it has written (<c>-progress</c>, the
/// stream time of the last packet muxed, twice a second) on stderr with its errors; both are read on a thread of
/// its own (see <see cref="DedicatedPipeReader"/> for why not the pool).
/// </summary>
internal sealed class RecordingProcess : IAsyncDisposable
{
    private readonly ToolProcess _child;
    private readonly Channel<TimeSpan> _progress = Channel.CreateBounded<TimeSpan>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
        SingleWriter = true,
    });
    private readonly FfmpegErrorTail _errorTail = new();
    private readonly Task _stderrPump;

    private RecordingProcess(ToolProcess child)
    {
        _child = child;
        _stderrPump = Task.Factory.StartNew(PumpStderr, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Starts ffmpeg as a child of <paramref name="children"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> is cancelled or <paramref name="children"/> stopped: ffmpeg was not started.</exception>
    public static RecordingProcess Start(string source, RecordingRun run, TimeSpan segmentLength, TimeSpan socketTimeout, ChildProcesses children, CancellationToken ct)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in BuildArguments(source, run, segmentLength, socketTimeout)) info.ArgumentList.Add(arg);
        try
        {
            return new RecordingProcess(children.Start(info, ct));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VideoSourceException("ffmpeg is not installed or not on PATH: install Debian's ffmpeg package (apt-get install ffmpeg)", e);
        }
    }

    /// <summary>The ffmpeg command line (credentials are not redacted here: never log it raw).</summary>
    internal static IReadOnlyList<string> BuildArguments(string source, RecordingRun run, TimeSpan segmentLength, TimeSpan socketTimeout)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:2", "-stats_period", "0.5" };
        FfmpegStreamArguments.AddInput(args, source, socketTimeout, playFileAsLive: true);
        FfmpegStreamArguments.AddSegments(args, run.Pattern, run.FirstSequence, run.ListPath, segmentLength);
        return args;
    }

    /// <summary>The stream time written so far, each time ffmpeg reports it (only the latest report waits); completes when ffmpeg exits.</summary>
    public ChannelReader<TimeSpan> Progress => _progress.Reader;

    /// <summary>The last lines ffmpeg printed that were not progress, credentials removed.</summary>
    public string ErrorTail => _errorTail.ToString();

    /// <summary>Lowers ffmpeg's priority to <paramref name="niceness"/> (all its threads); false where it could not be set.</summary>
    public bool LowerPriority(int niceness)
    {
        try { return !_child.Process.HasExited && ProcessPriority.Lower(_child.Id, niceness); }
        catch (InvalidOperationException) { return false; }
    }

    public int ProcessId => _child.Id;

    private void PumpStderr()
    {
        var reader = _child.Process.StandardError;
        try
        {
            while (reader.ReadLine() is { } line)
            {
                if (TryParseProgress(line, out var written))
                {
                    _progress.Writer.TryWrite(written);
                    continue;
                }
                if (IsProgressLine(line)) continue;
                _errorTail.Add(line);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _progress.Writer.TryComplete();
        }
    }

    /// <summary>ffmpeg's <c>out_time_us=</c> line: microseconds of stream time written; "N/A" before the first packet.</summary>
    internal static bool TryParseProgress(string line, out TimeSpan written)
    {
        written = TimeSpan.Zero;
        const string key = "out_time_us=";
        if (!line.StartsWith(key, StringComparison.Ordinal)) return false;
        if (!long.TryParse(line.AsSpan(key.Length).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long micros)) return false;
        written = TimeSpan.FromMicroseconds(Math.Max(0, micros));
        return true;
    }

    /// <summary>The other <c>key=value</c> lines of a progress block (frame=, bitrate=, progress=continue, …).</summary>
    private static bool IsProgressLine(string line)
    {
        int eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || line.Contains(' ', StringComparison.Ordinal)) return false;
        for (int i = 0; i < eq; i++)
            if (!(char.IsAsciiLetterLower(line[i]) || char.IsAsciiDigit(line[i]) || line[i] == '_')) return false;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _child.Kill();
        try { await _stderrPump.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await _child.DisposeAsync().ConfigureAwait(false);
    }
}
