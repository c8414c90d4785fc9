using Vision.Pipeline.Detect;
using Vision.Pipeline.Tracking;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;
using Vision.Rules.Schedules;
using Vision.Rules.Truth;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>
/// Tracking and rules again over a clip's recorded detections, for any camera and tracker setting: the cases a replay
/// with that setting would raise (same ids, times and boxes), without decoding, detecting, pixels or evidence.
/// </summary>
internal static class RulesRerun
{
    /// <summary>The cases confirmed over <paramref name="recording"/>, times as offsets from its first frame and boxes normalised to the frame.</summary>
    /// <param name="plateTurnover">
    /// As in the replay when the config reads plates: a new occupant of a reported spot is confirmed. The replay then drops
    /// it when its plate is the one already reported; no plates are read here, so such a candidate stays a case.
    /// </param>
    public static List<RaisedCase> Run(DetectionRecording recording, CameraConfig camera, TrackerConfig tracker, IReadOnlyDictionary<string, Schedule> schedules,
        bool plateTurnover = false)
    {
        var tracking = new CameraTracking(camera, tracker, schedules, recording.ClassNames, recording.Start, plateTurnover);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(camera.TimeZoneId);
        var events = new List<EpisodeEvent>();
        // As the analyser keeps snapshots only for so many open episodes, so only those can confirm here too.
        var open = new HashSet<long>();
        var cases = new List<RaisedCase>();
        foreach (var frame in recording.Frames)
        {
            events.Clear();
            if (!tracking.Analyse(frame.CapturedAt, frame.Width, frame.Height, frame.Detections, frame.Looks, events)) continue;
            foreach (var e in events)
            {
                switch (e.Kind)
                {
                    case EpisodeEventKind.Started:
                        if (open.Count >= CameraAnalyzer.MaxOpenEpisodes) open.Remove(open.Min());
                        open.Add(e.EpisodeId);
                        break;
                    case EpisodeEventKind.Confirmed:
                        if (open.Remove(e.EpisodeId)) cases.Add(ToCase(e, frame, camera.Id, recording.Start, zone));
                        break;
                    case EpisodeEventKind.Ended:
                        open.Remove(e.EpisodeId);
                        break;
                }
            }
        }
        return cases;
    }

    private static RaisedCase ToCase(EpisodeEvent e, RecordedFrame frame, string cameraId, DateTimeOffset start, TimeZoneInfo zone)
    {
        string caseId = CaseIds.For(cameraId, e.Rule.Id, e.TrackId, e.EpisodeId, e.StartedAt, e.At, zone);
        double w = frame.Width, h = frame.Height;
        var box = new NormalisedBox(e.Box.X / w, e.Box.Y / h, e.Box.Width / w, e.Box.Height / h);
        return new RaisedCase(caseId, e.Rule.Id, e.StartedAt - start, e.At - start, box);
    }
}
