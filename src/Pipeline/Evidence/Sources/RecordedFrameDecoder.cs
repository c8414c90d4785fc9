using System.Globalization;
using OpenCvSharp;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Decodes ONE frame of a video file at full resolution with ffmpeg (niced like a clip cut) to raw BGR: the first frame
/// at or after the moment, counted on the same timeline as the analysis reader (the file's start is 0). Decoding starts
/// at a given keyframe (found in the replayed file's index) or at the file's start (a recording segment, which starts
/// with a keyframe). ffmpeg's own seek to a moment is not used: on some camera files it lands past the keyframe and
/// gives grey frames. The search starts half a frame early, so a time printed with a few digits fewer than the stream's
/// own still lands on its frame.
/// </summary>
internal static class RecordedFrameDecoder
{
    /// <param name="children">Where the ffmpeg it runs is registered (killed when they stop).</param>
    /// <param name="path">A video file (the replay source, or a recording segment).</param>
    /// <param name="offset">The frame's time from the file's start.</param>
    /// <param name="halfFrame">Half the frame interval: how early the search starts.</param>
    /// <param name="keyframe">A keyframe at or before <paramref name="offset"/> (from the file's start) to decode from; null decodes from the start.</param>
    public static async Task<Mat> DecodeAsync(ChildProcesses children, string path, TimeSpan offset, TimeSpan halfFrame, TimeSpan? keyframe, CancellationToken ct)
    {
        var from = offset - halfFrame - (keyframe ?? TimeSpan.Zero);
        string at = offset.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
        var args = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info" };
        if (keyframe is { } k) args.AddRange(["-noaccurate_seek", "-ss", k.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture)]);
        args.AddRange(["-i", path, "-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1",
            "-vf", string.Create(CultureInfo.InvariantCulture, $"select='gte(t,{from.TotalSeconds:0.000000})',showinfo"),
            "-fps_mode", "passthrough", "-pix_fmt", "bgr24", "-f", "rawvideo", "pipe:1"]);
        (byte[] pixels, string errors) result;
        try
        {
            result = await NicedTool.RunAsync(children, "ffmpeg", args, $"decoding the frame at {at} s of '{path}'", ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RecordingUnavailableException(e.Message, e);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RecordingUnavailableException("ffmpeg is not installed (apt-get install ffmpeg): " + e.Message, e);
        }

        var (pixels, errors) = result;
        if (!TryFrameSize(errors, out int width, out int height) || pixels.Length < width * height * 3)
            throw new RecordingUnavailableException(string.Create(CultureInfo.InvariantCulture,
                $"'{Path.GetFileName(path)}' has no frame at {offset.TotalSeconds:0.000} s (the recording is shorter)"));
        var frame = new Mat(height, width, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, frame.Data, width * height * 3);
        return frame;
    }

    /// <summary>
    /// The last keyframe at or before <paramref name="offset"/> of an indexed file (from its start, which is at
    /// <paramref name="fileStart"/> on the container's clock), read from its packet index without decoding; null when
    /// none lies in the 20 s before it (a longer GOP: the caller decodes from the start).
    /// </summary>
    public static async Task<TimeSpan?> KeyframeBeforeAsync(ChildProcesses children, string path, TimeSpan fileStart, TimeSpan offset, TimeSpan halfFrame, CancellationToken ct)
    {
        double target = (fileStart + offset + halfFrame).TotalSeconds;
        string window = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, target - 20):0.000000}%{target:0.000000}");
        byte[] listing;
        try
        {
            (listing, _) = await NicedTool.RunAsync(children, "ffprobe", ["-v", "error", "-select_streams", "v:0", "-read_intervals", window,
                "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", path], $"finding the keyframe before {offset.TotalSeconds:0.000} s of '{path}'", ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RecordingUnavailableException(e.Message, e);
        }
        double? best = null;
        foreach (var line in System.Text.Encoding.UTF8.GetString(listing).Split('\n'))
        {
            var parts = line.Trim().Split(',');
            if (parts.Length < 2 || !parts[1].StartsWith('K')) continue;
            if (double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double pts) && pts <= target && (best is null || pts > best)) best = pts;
        }
        return best is { } b ? TimeSpan.FromSeconds(Math.Max(0, b - fileStart.TotalSeconds)) : null;
    }

    /// <summary>The size of the first frame showinfo reported ("… s:1920x1080 …").</summary>
    internal static bool TryFrameSize(string errors, out int width, out int height)
    {
        width = height = 0;
        foreach (var line in errors.Split('\n'))
        {
            if (!line.Contains("Parsed_showinfo", StringComparison.Ordinal) || !line.Contains(" pts_time:", StringComparison.Ordinal)) continue;
            int s = line.IndexOf(" s:", StringComparison.Ordinal);
            if (s < 0) return false;
            int start = s + 3, end = start;
            while (end < line.Length && line[end] != ' ') end++;
            var size = line.AsSpan(start, end - start);
            int x = size.IndexOf('x');
            return x > 0
                && int.TryParse(size[..x], NumberStyles.None, CultureInfo.InvariantCulture, out width)
                && int.TryParse(size[(x + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out height)
                && width > 0 && height > 0;
        }
        return false;
    }
}
