using System.Globalization;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Cuts live clips from a camera's <see cref="SegmentRing"/>: waits until the post-roll has been
/// recorded, then joins the segments covering the span with ffmpeg's concat demuxer, stream copy.
/// Segments start at keyframes, so the clip starts at most one segment before the asked start; it is never spliced across a gap.
/// </summary>
internal sealed class RingClipSource(SegmentRing ring, TimeProvider clock, ChildProcesses children) : IClipSource
{
    public async Task<ClipInfo> CutAsync(DateTimeOffset from, DateTimeOffset to, string outputPath, CancellationToken ct)
    {
        ring.Hold(from, to);
        try
        {
            // The post-roll exists once the segment holding `to` is complete (listed by ffmpeg with its end).
            var giveUp = to + ring.SegmentLength * 3 + TimeSpan.FromSeconds(15);
            while (true)
            {
                var segments = ring.Segments();
                if (segments.Count > 0 && segments[^1].End >= to) break;
                if (clock.GetUtcNow() > giveUp)
                    throw new IOException($"the recording did not reach {to:O} (camera offline or recording stopped): the case keeps its photos");
                await Task.Delay(TimeSpan.FromMilliseconds(500), clock, ct).ConfigureAwait(false);
            }

            // A ring shorter than the episode gives a clip from its oldest segment: less pre-event video, never none.
            var covering = Contiguous(ring.Segments(), from, to);
            if (covering.Count == 0)
                throw new IOException($"the recording holds nothing between {from:O} and {to:O} (camera offline, or raise recording.keep / max_bytes_per_camera)");

            string list = outputPath + ".segments.txt";
            await File.WriteAllLinesAsync(list, covering.Select(s => $"file '{s.Path.Replace("'", "'\\''", StringComparison.Ordinal)}'"), ct).ConfigureAwait(false);
            try
            {
                await RunNicelyAsync("ffmpeg", ["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-map", "0:v:0", "-c", "copy",
                    "-map_metadata", "-1", "-fflags", "+bitexact", "-movflags", "+faststart", outputPath], ct).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(list);
            }
            string seconds = await RunNicelyAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", outputPath], ct).ConfigureAwait(false);
            if (!double.TryParse(seconds.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double length))
                throw new IOException($"the cut clip {outputPath} has no readable length (ffprobe said '{seconds.Trim()}')");
            var duration = TimeSpan.FromSeconds(length);
            var start = covering[0].Start;
            return new ClipInfo(start, start + duration, duration);
        }
        finally
        {
            ring.Release(from, to);
        }
    }

    /// <summary>
    /// The segments covering [from, to] that follow each other without a gap, ending with the latest one: a clip
    /// never splices two recording runs (a reconnect or a restart lies between them), so its times stay true.
    /// </summary>
    internal static List<Segment> Contiguous(IReadOnlyList<Segment> segments, DateTimeOffset from, DateTimeOffset to)
    {
        var chain = new List<Segment>();
        for (int i = segments.Count - 1; i >= 0; i--)
        {
            var s = segments[i];
            if (s.Start >= to) continue;
            if (s.End <= from) break;
            if (chain.Count > 0 && (s.Run != chain[^1].Run || s.Sequence != chain[^1].Sequence - 1)) break;
            chain.Add(s);
        }
        chain.Reverse();
        return chain;
    }

    private async Task<string> RunNicelyAsync(string tool, IReadOnlyList<string> args, CancellationToken ct) =>
        System.Text.Encoding.UTF8.GetString((await NicedTool.RunAsync(children, tool, args, "joining recorded segments", ct).ConfigureAwait(false)).Output);
}
