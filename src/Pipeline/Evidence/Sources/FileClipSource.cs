using FFMpegCore;
using FFMpegCore.Exceptions;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Cuts clips from a video file by stream copy (no re-encode): ffmpeg seeks to the keyframe at or before
/// the start, so the clip begins up to one GOP early and pre-event seconds are always there.
/// Wall-clock times map to file positions through the replay's start time.
/// </summary>
internal sealed class FileClipSource(VideoInfo video, DateTimeOffset fileStartsAt) : IClipSource
{
    public async Task<ClipInfo> CutAsync(DateTimeOffset from, DateTimeOffset to, string outputPath, CancellationToken ct)
    {
        var start = Clamp(from - fileStartsAt);
        var end = Clamp(to - fileStartsAt);
        if (end <= start) throw new ArgumentException($"clip end {to:O} is not after its start {from:O}");

        try
        {
            await FFMpegArguments
                .FromFileInput(video.Source, verifyExists: true, o => o.WithCustomArgument("-ss " + start.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))
                .OutputToFile(outputPath, overwrite: true, o => o
                    .WithDuration(end - start)
                    // Video only, stream copy, and no varying metadata, so the same cut gives the same bytes.
                    .WithCustomArgument("-map 0:v:0 -c copy -avoid_negative_ts make_zero -map_metadata -1 -fflags +bitexact -flags:v +bitexact -movflags +faststart"))
                .CancellableThrough(ct)
                .ProcessAsynchronously(throwOnError: true)
                .ConfigureAwait(false);
        }
        catch (FFMpegException e)
        {
            throw new IOException($"cutting a clip from '{video.Source}' failed: {e.Message.Split('\n')[0]}", e);
        }

        var clip = await FFProbe.AnalyseAsync(outputPath, cancellationToken: ct).ConfigureAwait(false);
        var duration = clip.Duration;
        var clipEnd = fileStartsAt + end;
        var clipStart = clipEnd - duration;
        return new ClipInfo(clipStart < fileStartsAt ? fileStartsAt : clipStart, clipEnd, duration);
    }

    private TimeSpan Clamp(TimeSpan offset) =>
        offset < TimeSpan.Zero ? TimeSpan.Zero : offset > video.Duration ? video.Duration : offset;
}
