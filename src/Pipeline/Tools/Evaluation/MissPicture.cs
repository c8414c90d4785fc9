using System.Globalization;
using OpenCvSharp;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tools.Evaluation;

/// <summary>A missed violation and the frame that shows it (the middle of its window, the labelled box or point drawn), or why there is none.</summary>
internal sealed record MissPicture(MatchOutcome Outcome, string? File, string? Problem)
{
    private static readonly Scalar TruthColor = new(0, 200, 255); // amber (BGR): not the red of a case's box
    private const int JpegQuality = 85;

    /// <summary>Decodes the clip's frame at the middle of each missed violation's window with ffmpeg and writes it, marked, under <paramref name="directory"/>.</summary>
    public static async Task<List<MissPicture>> WriteAsync(string clip, IReadOnlyList<MatchOutcome> misses, string directory, CancellationToken ct)
    {
        var pictures = new List<MissPicture>(misses.Count);
        if (misses.Count == 0) return pictures;
        VideoInfo video;
        try
        {
            video = await VideoProbe.ProbeAsync(clip, ct).ConfigureAwait(false);
        }
        catch (VideoSourceException e)
        {
            foreach (var miss in misses) pictures.Add(new MissPicture(miss, null, e.Message));
            return pictures;
        }
        Directory.CreateDirectory(directory);
        await using var children = new ChildProcesses();
        var halfFrame = TimeSpan.FromSeconds(video.FrameRate > 0 ? 0.5 / video.FrameRate : 0.02);
        for (int i = 0; i < misses.Count; i++)
        {
            var miss = misses[i];
            var truth = miss.Truth!;
            var middle = truth.From + (truth.To - truth.From) / 2;
            var file = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"miss-{i + 1:00}-{miss.RuleId}-{middle.TotalSeconds:0.0}s.jpg"));
            try
            {
                var keyframe = await RecordedFrameDecoder.KeyframeBeforeAsync(children, video.Source, video.StartTime, middle, halfFrame, ct).ConfigureAwait(false);
                using var frame = await RecordedFrameDecoder.DecodeAsync(children, video.Source, middle, halfFrame, keyframe, ct).ConfigureAwait(false);
                Mark(frame, truth);
                Cv2.ImEncode(".jpg", frame, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, JpegQuality));
                await System.IO.File.WriteAllBytesAsync(file, jpeg, ct).ConfigureAwait(false);
                pictures.Add(new MissPicture(miss, file, null));
            }
            catch (RecordingUnavailableException e)
            {
                pictures.Add(new MissPicture(miss, null, e.Message));
            }
        }
        return pictures;
    }

    private static void Mark(Mat frame, TruthViolation truth)
    {
        int w = frame.Width, h = frame.Height;
        int thickness = Math.Max(2, (int)Math.Round(h / 240.0));
        if (truth.Box is { } box)
            Cv2.Rectangle(frame, new Point((int)Math.Round(box.X * w), (int)Math.Round(box.Y * h)),
                new Point((int)Math.Round((box.X + box.Width) * w), (int)Math.Round((box.Y + box.Height) * h)), TruthColor, thickness, LineTypes.AntiAlias);
        else if (truth.Point is { } point)
        {
            var centre = new Point((int)Math.Round(point.X * w), (int)Math.Round(point.Y * h));
            Cv2.Circle(frame, centre, Math.Max(8, h / 40), TruthColor, thickness, LineTypes.AntiAlias);
            Cv2.Circle(frame, centre, thickness, TruthColor, -1, LineTypes.AntiAlias);
        }
    }
}
