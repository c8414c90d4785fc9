using Vision.Pipeline.Detect.NewObjects;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Tracking;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>New-object detection inside a camera's analyser, on the real street film: it runs only for a camera whose rules name it, and tells of a moved view once.</summary>
public sealed class NewObjectWatchTests
{
    private const int Knocked = 50;

    [SharedDataFact]
    public void A_camera_knocked_by_ten_pixels_is_reported_moved_once_and_a_camera_without_new_object_rules_watches_nothing()
    {
        var film = StreetFilm.StreetParking();
        var moves = new ViewChanges();
        var watching = Analyzer(film, "classes: [new_object]", moves);
        var notWatching = Analyzer(film, "classes: [bottle]");

        using var pool = new FramePool("hillside-street", film.Width, film.Height, 1);
        var confirmed = new List<ViolationCase>();
        for (int i = 0; i < Knocked + 15; i++)
        {
            Assert.True(pool.TryRent(out var frame));
            using (var picture = film.Frame(i))
            {
                if (i >= Knocked) CameraShift.Apply(picture, 10, 0);
                picture.CopyTo(frame.Buffer.Image);
            }
            frame.CapturedAt = StreetFilm.TimeOf(i);
            frame.Detections.Clear();
            Assert.True(watching.Process(frame, confirmed));
            Assert.True(notWatching.Process(frame, confirmed));
            frame.Release();
        }

        var (camera, change) = Assert.Single(moves.Seen);
        Assert.Equal("hillside-street", camera);
        Assert.Equal(GlobalChangeKind.CameraMoved, change.Kind);
        Assert.InRange(change.ShiftX, 8, 12);
        Assert.InRange(change.At, StreetFilm.TimeOf(Knocked), StreetFilm.TimeOf(Knocked + 10));
        Assert.Equal(SceneState.Relearning, watching.NewObjectStatus!.Value.State);
        Assert.Null(notWatching.NewObjectStatus);
        Assert.Empty(confirmed);
    }

    private static CameraAnalyzer Analyzer(StreetFilm film, string classes, ISceneChangeObserver? observer = null)
    {
        var config = VisionConfigLoader.Parse($$"""
            detector: { model: yolox_nano }
            cameras:
              - id: hillside-street
                analysis: { fps: 0.5 }
                zones: [ { id: street, polygon: [[0.0, 0.3], [1.0, 0.3], [1.0, 0.9], [0.0, 0.9]] } ]
                rules: [ { id: waste, type: litter, zones: [street], {{classes}} } ]
            """, "watch-test.yaml");
        return new CameraAnalyzer(config.Cameras[0], config.Tracker, config.Schedules, ClassNames, StreetFilm.Start, film.Width, film.Height) { SceneChanges = observer };
    }

    private static readonly string[] ClassNames = ["person", "car", "bottle"];

    private sealed class ViewChanges : ISceneChangeObserver
    {
        public List<(string Camera, GlobalChange Change)> Seen { get; } = [];

        public void ViewChanged(string cameraId, GlobalChange change) => Seen.Add((cameraId, change));
    }
}
