using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace Vision.Pipeline.Ingest;

/// <summary>Reads a source's codec, size, frame rate, duration and start time with ffprobe.</summary>
internal static class VideoProbe
{
    public static async Task<VideoInfo> ProbeAsync(string source, CancellationToken ct, TimeSpan? networkTimeout = null)
    {
        bool isUrl = source.Contains("://", StringComparison.Ordinal);
        if (!isUrl)
        {
            if (Directory.Exists(source))
                throw new VideoSourceException($"source '{source}' is a folder, not a video file: pass the path of an .mp4/.mkv/.ts file");
            if (!File.Exists(source))
                throw new VideoSourceException($"source '{source}' does not exist: check the path (relative paths start from {Environment.CurrentDirectory})");
            try { using var _ = File.OpenRead(source); }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new VideoSourceException($"source '{source}' cannot be read ({e.Message}): check its permissions", e);
            }
        }

        IMediaAnalysis analysis;
        // FFMpegCore starts ffprobe even for a cancelled token (and kills it at once): a stopped camera starts none.
        ct.ThrowIfCancellationRequested();
        try
        {
            analysis = isUrl
                ? await FFProbe.AnalyseAsync(new Uri(source), customArguments: NetworkArguments(source, networkTimeout ?? TimeSpan.FromSeconds(10)), cancellationToken: ct).ConfigureAwait(false)
                : await FFProbe.AnalyseAsync(source, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FFMpegException or FFProbeProcessException or FormatNullException or InvalidOperationException or UriFormatException)
        {
            throw new VideoSourceException($"source '{SecretRedactor.Redact(source)}' is not a readable video ({SecretRedactor.Redact(Reason(e.Message))}): pass an H.264/H.265 video file or stream; a file still being written or cut short has no index yet", e);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VideoSourceException("ffprobe is not installed or not on PATH: install Debian's ffmpeg package (apt-get install ffmpeg)", e);
        }

        var video = analysis.PrimaryVideoStream
            ?? throw new VideoSourceException($"source '{SecretRedactor.Redact(source)}' has no video stream: pass a video file, not audio or data");
        if (video.Width is not > 0 || video.Height is not > 0)
            throw new VideoSourceException($"source '{SecretRedactor.Redact(source)}' has a video stream without a frame size: the file is probably damaged");

        double frameRate = video.AverageFrameRate > 0 ? video.AverageFrameRate : video.FrameRate();
        // ffmpeg turns frames upright when it decodes (phone clips carry a rotation), so a quarter
        // turn swaps the size the frames arrive in.
        bool quarterTurn = Math.Abs(video.Rotation % 180) == 90;
        int width = video.Width ?? 0, height = video.Height ?? 0;
        return new VideoInfo(
            source,
            video.CodecName ?? "unknown",
            quarterTurn ? height : width,
            quarterTurn ? width : height,
            frameRate,
            analysis.Duration,
            analysis.Format.StartTime,
            CreationTime(analysis));
    }

    private static string NetworkArguments(string source, TimeSpan timeout)
    {
        string micros = ((long)timeout.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
        return source.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase) ? $"-rtsp_transport tcp -timeout {micros}" : $"-rw_timeout {micros}";
    }

    private static double FrameRate(this VideoStream video) => video.RealFrameRate > 0 ? video.RealFrameRate : 25;

    private static DateTimeOffset? CreationTime(IMediaAnalysis analysis)
    {
        if (analysis.Format.Tags is { } tags && tags.TryGetValue("creation_time", out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            && value.Year > 1970)
            return value;
        return null;
    }

    /// <summary>ffprobe's own words without FFMpegCore's wrapper and the demuxer's address prefix.</summary>
    internal static string Reason(string message)
    {
        string line = FirstLine(message);
        int dash = line.IndexOf(" - ", StringComparison.Ordinal);
        if (dash >= 0) line = line[(dash + 3)..];
        line = System.Text.RegularExpressions.Regex.Replace(line, @"\[[^\]]*@ 0x[0-9a-f]+\]\s*", "");
        line = line.TrimEnd(')', ' ', '.');
        int colon = line.LastIndexOf(": ", StringComparison.Ordinal);
        return colon >= 0 && line.StartsWith('/') ? line[(colon + 2)..] : line;
    }

    private static string FirstLine(string text)
    {
        int cut = text.IndexOf('\n');
        return (cut < 0 ? text : text[..cut]).Trim();
    }
}
