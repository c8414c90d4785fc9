using System.Globalization;
using Vision.Rules.Config;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// One complete recorded piece of a camera's original stream: starts at a keyframe. <see cref="Sequence"/> orders
/// segments (it only grows, whatever the wall clock does); <see cref="Run"/> is the recording run (one ffmpeg
/// connection) it belongs to: segments of one run follow each other without a gap, runs have gaps between them.
/// Start and end are in the camera's analysis time (<see cref="Live.CameraTimeline"/>), so clips line up with cases.
/// </summary>
internal sealed record Segment(string Path, long Sequence, long Run, DateTimeOffset Start, DateTimeOffset End, long Bytes);

/// <summary>
/// A camera's rolling recording on local disk. ffmpeg writes short stream-copied segments here (no re-encode),
/// numbered by a sequence that only grows, and lists each segment once it is complete in the run's list
/// (<c>list-RUN.csv</c>: file, start, end in stream seconds). The camera writes the run's anchors
/// (<c>run-RUN.anchor</c>: stream seconds → analysis time), so a segment's true span survives a restart.
/// Only listed, non-empty segments of anchored runs are segments: the one being written, and one cut short by a
/// kill or a power cut, never are. This ring keeps the last <see cref="RecordingConfig.Keep"/> seconds and at most
/// <see cref="RecordingConfig.MaxBytesPerCamera"/> bytes; segments a pending clip still needs are held until it is cut.
/// </summary>
internal sealed class SegmentRing
{
    private const string SegmentPrefix = "seg-";
    private const string ListPrefix = "list-";
    private const string AnchorPrefix = "run-";

    private readonly RecordingConfig _config;
    private readonly object _gate = new();
    private readonly List<(DateTimeOffset From, DateTimeOffset To)> _holds = new();
    private long _activeRun = -1;

    public SegmentRing(string directory, RecordingConfig config)
    {
        Directory = directory;
        _config = config;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

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

    /// <summary>
    /// Starts a recording run (one ffmpeg connection): its segments are numbered on from every number on disk, so
    /// leftovers of an earlier run or process are never overwritten and always sort before it.
    /// </summary>
    public RecordingRun BeginRun()
    {
        long next = 0;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            if (TryNumber(file.Name, SegmentPrefix, ".ts", out long n)
                || TryNumber(file.Name, ListPrefix, ".csv", out n)
                || TryNumber(file.Name, AnchorPrefix, ".anchor", out n))
                next = Math.Max(next, n + 1);
        }
        lock (_gate) _activeRun = next;
        return new RecordingRun(
            next,
            Path.Combine(Directory, SegmentPrefix + "%010d.ts"),
            Path.Combine(Directory, Name(ListPrefix, next, ".csv")),
            Path.Combine(Directory, Name(AnchorPrefix, next, ".anchor")));
    }

    /// <summary>The run being recorded has ended (ffmpeg exited): its unlisted last segment is now garbage.</summary>
    public void EndRun(RecordingRun run)
    {
        lock (_gate) if (_activeRun == run.FirstSequence) _activeRun = -1;
    }

    /// <summary>The complete segments, in sequence order.</summary>
    public IReadOnlyList<Segment> Segments()
    {
        var segments = new List<Segment>();
        foreach (var list in new DirectoryInfo(Directory).EnumerateFiles(ListPrefix + "*.csv"))
        {
            if (!TryNumber(list.Name, ListPrefix, ".csv", out long run)) continue;
            var anchors = ReadAnchors(Path.Combine(Directory, Name(AnchorPrefix, run, ".anchor")));
            if (anchors.Count == 0) continue; // no frame came on that run: its segments have no known time
            foreach (var line in ReadLines(list.FullName))
            {
                // ffmpeg's csv list: "seg-0000000012.ts,4.022344,6.033522"
                var parts = line.Split(',');
                if (parts.Length < 3 || !TryNumber(parts[0], SegmentPrefix, ".ts", out long sequence)) continue;
                if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double start)
                    || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double end) || end <= start) continue;
                var file = new FileInfo(Path.Combine(Directory, parts[0]));
                if (!file.Exists || file.Length == 0) continue;
                segments.Add(new Segment(file.FullName, sequence, run, ToTime(anchors, start), ToTime(anchors, end), file.Length));
            }
        }
        segments.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
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

    /// <summary>
    /// Deletes the oldest segments beyond the time and byte limits (except held ones and the newest), files that
    /// are no segment (an unlisted one left by a stopped or killed run, a 0-byte one, an older version's), and the
    /// lists and anchors of runs with no segment left.
    /// </summary>
    public void Trim()
    {
        TrimSegments(Segments());
        DeleteGarbage(Segments());
    }

    private void TrimSegments(IReadOnlyList<Segment> segments)
    {
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
            if (TryDelete(s.Path)) bytes -= s.Bytes;
        }
    }

    private void DeleteGarbage(IReadOnlyList<Segment> segments)
    {
        long active;
        lock (_gate) active = _activeRun;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var runsWithSegments = new HashSet<long>();
        foreach (var s in segments)
        {
            listed.Add(Path.GetFileName(s.Path));
            runsWithSegments.Add(s.Run);
        }
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            string name = file.Name;
            if (TryNumber(name, SegmentPrefix, ".ts", out long sequence))
            {
                // The active run's newest file is still being written: not listed yet, but not garbage.
                if (!listed.Contains(name) && (active < 0 || sequence < active)) TryDelete(file.FullName);
            }
            else if (name.EndsWith(".ts", StringComparison.Ordinal))
            {
                TryDelete(file.FullName); // named by wall-clock seconds by an older version: no known span
            }
            else if (TryNumber(name, ListPrefix, ".csv", out long run) || TryNumber(name, AnchorPrefix, ".anchor", out run))
            {
                if (run != active && !runsWithSegments.Contains(run) && !HasSegmentFiles(run)) TryDelete(file.FullName);
            }
        }
    }

    /// <summary>True while a file of the run is still on disk (a run whose anchor is not yet written has unmapped segments).</summary>
    private bool HasSegmentFiles(long run)
    {
        foreach (var line in ReadLines(Path.Combine(Directory, Name(ListPrefix, run, ".csv"))))
        {
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma > 0 && File.Exists(Path.Combine(Directory, line[..comma]))) return true;
        }
        return false;
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

    /// <summary>Maps a stream time of a run to analysis time with the last anchor in force at it (anchors only move forward).</summary>
    private static DateTimeOffset ToTime(List<(double From, DateTimeOffset Anchor)> anchors, double streamSeconds)
    {
        var anchor = anchors[0].Anchor;
        foreach (var (from, a) in anchors)
        {
            if (from > streamSeconds) break;
            anchor = a;
        }
        return anchor + TimeSpan.FromSeconds(streamSeconds);
    }

    private static List<(double From, DateTimeOffset Anchor)> ReadAnchors(string path)
    {
        var anchors = new List<(double, DateTimeOffset)>();
        foreach (var line in ReadLines(path))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double from)
                && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long unixMicros))
                anchors.Add((from, DateTimeOffset.UnixEpoch.AddTicks(unixMicros * 10)));
        }
        return anchors;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return [];
        }
        // A line still being written has no newline yet: skip it until it is complete.
        int end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static string Name(string prefix, long number, string extension) =>
        prefix + number.ToString("D10", CultureInfo.InvariantCulture) + extension;

    private static bool TryNumber(string name, string prefix, string extension, out long number)
    {
        number = 0;
        return name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(extension, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - extension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>
/// One recording run of a ring: where ffmpeg writes its segments (<see cref="Pattern"/> numbered from
/// <see cref="FirstSequence"/>) and its list, and where the camera writes the run's anchors.
/// </summary>
internal sealed class RecordingRun(long firstSequence, string pattern, string listPath, string anchorPath)
{
    public long FirstSequence { get; } = firstSequence;
    public string Pattern { get; } = pattern;
    public string ListPath { get; } = listPath;
    public string AnchorPath { get; } = anchorPath;

    /// <summary>
    /// From <paramref name="fromStreamTime"/> of this run on, stream time t is analysis time <paramref name="anchor"/> + t.
    /// False when it could not be written (a full disk): that run's segments then have no known time and are never used.
    /// </summary>
    public bool Anchor(TimeSpan fromStreamTime, DateTimeOffset anchor)
    {
        long micros = (anchor - DateTimeOffset.UnixEpoch).Ticks / 10;
        try
        {
            // One short line per anchor (once per connection, and per clock step): not per frame.
            File.AppendAllText(AnchorPath, string.Create(CultureInfo.InvariantCulture, $"{fromStreamTime.TotalSeconds:0.######} {micros}\n"));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
