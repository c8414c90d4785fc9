using System.Globalization;
using Vision.Rules.Config;

namespace Vision.Pipeline.Recording;

/// <summary>One recorded piece of a camera's original stream: starts at a keyframe, named by its wall-clock start (Unix seconds).</summary>
public sealed record Segment(string Path, DateTimeOffset Start, DateTimeOffset End, long Bytes);

/// <summary>
/// A camera's rolling recording on local disk: ffmpeg writes short stream-copied segments here (no
/// re-encode), named by Unix time, and this ring keeps only the last <see cref="RecordingConfig.Keep"/>
/// seconds and at most <see cref="RecordingConfig.MaxBytesPerCamera"/> bytes. Segments a pending clip
/// still needs are held until it is cut.
/// </summary>
public sealed class SegmentRing
{
    private readonly RecordingConfig _config;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private readonly List<(DateTimeOffset From, DateTimeOffset To)> _holds = new();

    public SegmentRing(string directory, RecordingConfig config, TimeProvider clock)
    {
        Directory = directory;
        _config = config;
        _clock = clock;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    /// <summary>The ffmpeg output pattern: strftime's %s is Unix seconds, free of time zones.</summary>
    public string OutputPattern => Path.Combine(Directory, "%s.ts");

    public TimeSpan SegmentLength => _config.SegmentLength;

    /// <summary>Segments deleted while a clip still needed them (the byte cap won over a waiting clip).</summary>
    public long Overruns { get; private set; }

    /// <summary>Raised for each overrun, so the camera's health and metrics count it.</summary>
    public event Action? Overrun;

    /// <summary>False when the disk holding the ring is nearly full: the camera then runs without recording (photos only).</summary>
    public bool HasFreeSpace()
    {
        try { return new DriveInfo(Path.GetFullPath(Directory)).AvailableFreeSpace >= _config.MinFreeBytes; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The segments on disk, oldest first; the last one may still be being written.</summary>
    public IReadOnlyList<Segment> Segments()
    {
        var found = new List<(long Start, string Path, long Bytes)>();
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*.ts"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file.Name), NumberStyles.None, CultureInfo.InvariantCulture, out long start))
                found.Add((start, file.FullName, file.Length));
        }
        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var now = _clock.GetUtcNow();
        var segments = new List<Segment>(found.Count);
        for (int i = 0; i < found.Count; i++)
        {
            var start = DateTimeOffset.FromUnixTimeSeconds(found[i].Start);
            var end = i + 1 < found.Count ? DateTimeOffset.FromUnixTimeSeconds(found[i + 1].Start) : now;
            segments.Add(new Segment(found[i].Path, start, end, found[i].Bytes));
        }
        return segments;
    }

    /// <summary>Keeps the segments covering [from, to] until <see cref="Release"/>, so a clip waiting for its post-roll finds its pre-roll.</summary>
    public void Hold(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate) _holds.Add((from, to));
    }

    public void Release(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate) _holds.Remove((from, to));
    }

    /// <summary>Deletes the oldest segments beyond the time and byte limits, except held ones and the one being written.</summary>
    public void Trim()
    {
        var segments = Segments();
        if (segments.Count <= 1) return;
        var newest = segments[^1];
        long bytes = 0;
        foreach (var s in segments) bytes += s.Bytes;
        var keepFrom = newest.End - _config.Keep;

        for (int i = 0; i < segments.Count - 1; i++)
        {
            var s = segments[i];
            bool tooOld = s.End < keepFrom;
            bool tooBig = bytes > _config.MaxBytesPerCamera;
            if (!tooOld && !tooBig) break;
            if (IsHeld(s))
            {
                if (!tooBig) continue;
                Overruns++; // the byte limit wins over a waiting clip: disk is bounded
                Overrun?.Invoke();
            }
            try
            {
                File.Delete(s.Path);
                bytes -= s.Bytes;
            }
            catch (IOException)
            {
            }
        }
    }

    private bool IsHeld(Segment s)
    {
        lock (_gate)
        {
            foreach (var (from, to) in _holds)
                if (s.Start <= to && s.End >= from) return true;
        }
        return false;
    }
}
