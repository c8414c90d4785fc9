namespace Vision.Pipeline.Ingest;

/// <summary>Where a live camera stands. Wire names (lower snake case) appear in /api/cameras and metrics.</summary>
internal enum CameraState
{
    /// <summary>Opening the stream.</summary>
    Connecting,
    /// <summary>Frames are arriving.</summary>
    Online,
    /// <summary>The connection stayed open but no frame came within the stall timeout; reconnecting.</summary>
    Stalled,
    /// <summary>Unreachable, refused, or the stream ended; retrying with backoff.</summary>
    Offline,
    /// <summary>The camera refused the user name or password; retrying slowly, but a person must fix the URL.</summary>
    AuthFailed,
    /// <summary>The URL cannot work (no such path or host, unsupported scheme); retrying slowly, but a person must fix it.</summary>
    BadUrl,
    /// <summary>Removed from the config or the service is stopping.</summary>
    Stopped,
}

internal static class CameraStateNames
{
    public static string ToWire(this CameraState state) => state switch
    {
        CameraState.Connecting => "connecting",
        CameraState.Online => "online",
        CameraState.Stalled => "stalled",
        CameraState.Offline => "offline",
        CameraState.AuthFailed => "auth_failed",
        CameraState.BadUrl => "bad_url",
        CameraState.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static readonly CameraState[] All = Enum.GetValues<CameraState>();
}
