using System.Diagnostics;
using System.Globalization;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tools.TraceVideo;

/// <summary>
/// Debian's ffmpeg as a child process turning raw BGR frames on its stdin into an H.264 MP4 (yuv420p, the index at the
/// front so a browser plays it while it loads). Frames are written from one thread.
/// </summary>
internal sealed class TraceVideoEncoder : IDisposable
{
    private readonly ToolProcess _child;
    private readonly Stream _stdin;
    private readonly FfmpegErrorTail _errorTail = new();
    private readonly Thread _stderrPump;

    private TraceVideoEncoder(ToolProcess child)
    {
        _child = child;
        _stdin = child.Process.StandardInput.BaseStream;
        _stderrPump = new Thread(PumpStderr) { IsBackground = true, Name = "trace video ffmpeg stderr" };
        _stderrPump.Start();
    }

    /// <param name="children">Where the encoder is registered (killed when they stop).</param>
    /// <param name="tool">The encoder to run; tests put a failing stand-in here.</param>
    public static TraceVideoEncoder Start(string path, int width, int height, double fps, ChildProcesses children, string tool = "ffmpeg")
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in BuildArguments(path, width, height, fps)) info.ArgumentList.Add(arg);
        try
        {
            return new TraceVideoEncoder(children.Start(info, CancellationToken.None));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"{tool} is not installed or not on PATH: install Debian's ffmpeg package (apt-get install ffmpeg)", e);
        }
    }

    /// <summary>The ffmpeg command line: rawvideo bgr24 in at the analysis rate, libx264 yuv420p MP4 out.</summary>
    public static IReadOnlyList<string> BuildArguments(string path, int width, int height, double fps) =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", string.Create(CultureInfo.InvariantCulture, $"{width}x{height}"),
        "-framerate", fps.ToString("0.######", CultureInfo.InvariantCulture), "-i", "pipe:0",
        "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-f", "mp4", "-y", path,
    ];

    /// <summary>The last lines ffmpeg printed (it prints only errors).</summary>
    public string ErrorTail => _errorTail.ToString();

    /// <summary>Hands one frame to ffmpeg; an <see cref="IOException"/> when ffmpeg has stopped reading (it failed).</summary>
    public void Write(ReadOnlySpan<byte> bgr) => _stdin.Write(bgr);

    /// <summary>Ends the input and waits for ffmpeg to write the file's index; returns its exit code.</summary>
    public async Task<int> FinishAsync()
    {
        try { _stdin.Dispose(); }
        catch (IOException) { }
        await _child.Process.WaitForExitAsync().ConfigureAwait(false);
        _stderrPump.Join();
        return _child.Process.ExitCode;
    }

    /// <summary>Waits a little for ffmpeg to exit after it stopped reading, so its exit code and last words can be reported.</summary>
    public int? ExitCodeAfterFailure()
    {
        try
        {
            if (!_child.Process.WaitForExit(TimeSpan.FromSeconds(5))) return null;
            _stderrPump.Join(TimeSpan.FromSeconds(1));
            return _child.Process.ExitCode;
        }
        catch (InvalidOperationException) { return null; }
    }

    private void PumpStderr()
    {
        try
        {
            while (_child.Process.StandardError.ReadLine() is { } line)
                if (line.Length > 0) _errorTail.Add(line);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _child.Kill();
        try { _stdin.Dispose(); }
        catch (IOException) { }
        _child.Dispose();
    }
}
