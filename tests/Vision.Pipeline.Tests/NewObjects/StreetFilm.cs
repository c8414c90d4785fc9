using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Detect.NewObjects;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>What a <see cref="SceneModel"/> said after one frame of a <see cref="StreetFilm"/>.</summary>
internal sealed record FilmFrame(int Index, DateTimeOffset At, SceneStatus Status, NewObject[] Candidates);

/// <summary>
/// A real clip played to a <see cref="SceneModel"/> as a camera analysed every <see cref="Interval"/>: the clip's frames,
/// decoded at <see cref="ClipFps"/>, go forward then backward (no seam where everything jumps) for as long as the film
/// lasts, and each frame can be edited (a pile dropped in, the light changed, the picture shifted) before the model sees it.
/// Frames 0.5 s apart in the clip are presented 2 s apart, the default analysis rate's spacing, so the short clips last long
/// enough for the default learning and stay times: whatever moves in the clip moves four times slower than it did, which
/// makes passers-by and traffic look stiller to the model, a harder case for the tests that expect no candidate.
/// </summary>
internal sealed class StreetFilm(ClipFrames clip)
{
    public const double ClipFps = 2;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public static readonly DateTimeOffset Start = new(2026, 6, 1, 9, 0, 0, TimeSpan.FromHours(8));

    public static DateTimeOffset TimeOf(int frame) => Start + frame * Interval;

    /// <summary>The street-parking clip at 640x360: a real IP camera over a street with parked cars and some traffic.</summary>
    public static StreetFilm StreetParking() => new(ClipFrames.Of("street-parking-hevc.mp4", ClipFps, 640, 360));

    /// <summary>The street-parking clip's on-screen clock (bottom left), which a camera's zones would leave out.</summary>
    public static readonly BoundingBox StreetParkingClock = new(0, 328, 232, 32);

    public int Width => clip.Width;
    public int Height => clip.Height;

    /// <summary>Plays <paramref name="frames"/> frames to <paramref name="model"/>; <paramref name="edit"/> changes frame i in place, <paramref name="detections"/> gives the detector's boxes of frame i.</summary>
    public List<FilmFrame> Play(SceneModel model, int frames, Action<int, Mat>? edit = null, Func<int, Detection[]>? detections = null)
    {
        var said = new List<FilmFrame>(frames);
        for (int i = 0; i < frames; i++)
        {
            using var frame = clip.Frame(PingPong(i, clip.Count));
            edit?.Invoke(i, frame);
            var reading = model.Observe(frame, TimeOf(i), detections?.Invoke(i) ?? []);
            said.Add(new FilmFrame(i, TimeOf(i), reading.Status, [.. reading.Candidates]));
        }
        return said;
    }

    /// <summary>The film's frame <paramref name="i"/> (a copy the caller disposes and may draw on).</summary>
    public Mat Frame(int i) => clip.Frame(PingPong(i, clip.Count));

    /// <summary>Which of <paramref name="count"/> clip frames the film shows as its frame <paramref name="i"/>: forward, then backward, and again.</summary>
    public static int PingPong(int i, int count)
    {
        int period = 2 * count - 2;
        int k = i % period;
        return k < count ? k : period - k;
    }
}
