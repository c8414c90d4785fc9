namespace Vision.Pipeline.Ingest;

/// <summary>A video source the user named cannot be used: missing, unreadable, not video, or broken. The message says what, where and what to do.</summary>
internal sealed class VideoSourceException(string message, Exception? inner = null) : Exception(message, inner);
