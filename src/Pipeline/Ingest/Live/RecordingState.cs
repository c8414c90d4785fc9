namespace Vision.Pipeline.Ingest;

/// <summary>Whether a camera's rolling recording (what clips are cut from) is being written. Wire names appear in /api/cameras and metrics.</summary>
internal enum RecordingState
{
    /// <summary><c>recording.enabled: false</c>: no clips for this camera.</summary>
    Off,
    /// <summary>Opening the recorded stream.</summary>
    Starting,
    /// <summary>Segments are being written.</summary>
    Ok,
    /// <summary>Not recording now (the record stream is down or refused, or the disk is nearly full); the reason says which. Cases keep their photos.</summary>
    Failing,
}

internal static class RecordingStateNames
{
    public static string ToWire(this RecordingState state) => state switch
    {
        RecordingState.Off => "off",
        RecordingState.Starting => "starting",
        RecordingState.Ok => "ok",
        RecordingState.Failing => "failing",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static readonly RecordingState[] All = Enum.GetValues<RecordingState>();
}
