namespace Vision.Pipeline.Ingest;

/// <summary>The recording rings of the cameras running now: where evidence clips and full-resolution photos are cut from.</summary>
internal interface IRecordings
{
    /// <summary>The camera's ring; null when it is not running here or records nothing (recording off, disk full).</summary>
    SegmentRing? RingOf(string cameraId);
}
