using System.Globalization;

namespace Vision.Pipeline.Ingest;

/// <summary>The ffmpeg arguments the analysis reader and the stream recorder share: how a camera's source is opened, and how the ring's segments are written.</summary>
internal static class FfmpegStreamArguments
{
    /// <summary>RTSP over TCP with a socket timeout, other URLs with an I/O timeout, a file played in real time and looped (a stand-in camera); then <c>-i</c>.</summary>
    public static void AddInput(List<string> args, string source, TimeSpan socketTimeout, bool playFileAsLive)
    {
        string timeoutMicros = ((long)socketTimeout.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
        bool isUrl = source.Contains("://", StringComparison.Ordinal);
        if (source.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
            args.AddRange(["-rtsp_transport", "tcp", "-timeout", timeoutMicros]);
        else if (isUrl)
            args.AddRange(["-rw_timeout", timeoutMicros]);
        if (playFileAsLive && !isUrl) args.AddRange(["-re", "-stream_loop", "-1"]);
        args.AddRange(["-i", source]);
    }

    /// <summary>The input's first video stream, stream-copied into numbered mpegts segments at <paramref name="pattern"/> (<c>%010d</c>), each listed once complete.</summary>
    public static void AddSegments(List<string> args, string pattern, long startNumber, string? list, TimeSpan segmentLength)
    {
        string seconds = segmentLength.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        // Numbered, not named by the wall clock (which can step back); ffmpeg lists a segment only once it is
        // complete, with its span in stream time, so the one being written is never taken for a finished one.
        args.AddRange(["-map", "0:v:0", "-c:v", "copy", "-f", "segment", "-segment_time", seconds, "-segment_format", "mpegts",
            "-reset_timestamps", "1", "-segment_start_number", startNumber.ToString(CultureInfo.InvariantCulture)]);
        if (list is not null) args.AddRange(["-segment_list", list, "-segment_list_type", "csv"]);
        args.Add(pattern);
    }
}
