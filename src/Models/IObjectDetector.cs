namespace Vision.Models;

/// <summary>Finds objects in batches of BGR frames; one instance is used by one thread at a time.</summary>
public interface IObjectDetector : IDisposable
{
    /// <summary>Class names, index = <see cref="Detection.ClassId"/>.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>How many frames one inference call takes at most; <see cref="Detect"/> splits larger spans.</summary>
    int MaxBatch { get; }

    /// <summary>
    /// Detects objects in each frame (CV_8UC3 BGR, any size). Each <paramref name="results"/>[i] is cleared and
    /// filled with the detections of <paramref name="frames"/>[i] in that frame's pixel coordinates, best score first.
    /// </summary>
    void Detect(ReadOnlySpan<OpenCvSharp.Mat> frames, ReadOnlySpan<List<Detection>> results);
}
