using OpenCvSharp;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Something one full-resolution frame of a camera's original video can be read from, for evidence photos: the source
/// file in replay (the very frame the analysis saw), the recording ring live (the frame recorded at that moment).
/// </summary>
internal interface IFrameSource
{
    /// <summary>
    /// True when every frame up to a confirmation can be read at once (a file); false when the frame is there only
    /// once its recording segment is complete (live), so photos are first written from the analysis frames.
    /// </summary>
    bool ReadableAtConfirmation { get; }

    /// <summary>The frame shown at <paramref name="snapshot"/>'s moment, full resolution, 8-bit BGR (the caller disposes it).</summary>
    /// <exception cref="RecordingUnavailableException">The recording does not hold that moment; the message says why, for the case.</exception>
    Task<Mat> ReadFrameAsync(FrameSnapshot snapshot, CancellationToken ct);
}

/// <summary>The recording (or source file) has no frame at a photo's moment: missing, cut short, trimmed, or undecodable.</summary>
internal sealed class RecordingUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
