using System.Globalization;

namespace Vision.Pipeline.Ingest;

/// <summary>Reads what ffmpeg/ffprobe printed when a stream failed and says which state that is and why, in words an operator can act on.</summary>
internal static class StreamFailure
{
    public static (CameraState State, string Reason) Classify(string ffmpegOutput)
    {
        string text = ffmpegOutput;
        if (Has(text, "401 Unauthorized"))
            return (CameraState.AuthFailed, "the camera refused the user name or password (401): fix the credentials in the source URL");
        if (Has(text, "403 Forbidden"))
            return (CameraState.AuthFailed, "the camera refused access for this user (403): check the account's rights or the credentials in the source URL");
        if (Has(text, "404 Not Found") || Has(text, "454 Session Not Found"))
            return (CameraState.BadUrl, "the camera has no stream at this path (404): check the path in the source URL");
        if (Has(text, "Name or service not known") || Has(text, "Failed to resolve hostname") || Has(text, "Temporary failure in name resolution"))
            return (CameraState.BadUrl, "the host name does not resolve: check the host in the source URL");
        if (Has(text, "Protocol not found") || Has(text, "Invalid argument") || Has(text, "No such file or directory"))
            return (CameraState.BadUrl, "ffmpeg cannot open this URL (unknown scheme or malformed): check the source URL");
        if (Has(text, "Connection refused"))
            return (CameraState.Offline, "connection refused: the camera is down or the port is wrong");
        if (Has(text, "timed out") || Has(text, "Connection timed out"))
            return (CameraState.Offline, "no answer from the camera (timed out)");
        if (Has(text, "No route to host") || Has(text, "Network is unreachable"))
            return (CameraState.Offline, "no route to the camera's network");
        string last = LastLine(text);
        return (CameraState.Offline, last.Length == 0 ? "the stream ended" : $"the stream failed: {last}");
    }

    /// <summary>
    /// As <see cref="Classify(string)"/>, knowing how long the attempt took: a failure ffmpeg cannot name that came only
    /// after the socket timeout is a camera that accepted the connection and then said nothing (ffmpeg reports
    /// "Invalid data found when processing input" for that), so it is stalled, not offline.
    /// </summary>
    public static (CameraState State, string Reason) Classify(string ffmpegOutput, TimeSpan took, TimeSpan timeout)
    {
        var (state, reason) = Classify(ffmpegOutput);
        bool unnamed = state == CameraState.Offline && (reason.StartsWith("the stream failed", StringComparison.Ordinal) || reason == "the stream ended");
        if (unnamed && timeout > TimeSpan.Zero && took >= timeout * 0.8)
            return (CameraState.Stalled, string.Create(CultureInfo.InvariantCulture,
                $"connected but no answer from the camera for {timeout.TotalSeconds:0} s: check that the port is the camera's RTSP port and that the camera is not hung"));
        return (state, reason);
    }

    private static bool Has(string text, string what) => text.Contains(what, StringComparison.OrdinalIgnoreCase);

    private static string LastLine(string text)
    {
        var parts = text.Split(['\n', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? "" : parts[^1];
    }
}
