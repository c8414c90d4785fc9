using Vision.Models;
using Vision.Pipeline.Detect.NewObjects;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>
/// <see cref="SceneModel"/> fed the real detector's boxes: people who walk in one at a time and stand at a high table
/// (one-by-one-person-detection, YOLOX-Nano persons at 0.3 or more) are the detector's objects, not new ones.
/// </summary>
public sealed class NewObjectPeopleTests
{
    [SharedDataFact]
    public void People_standing_still_are_new_objects_only_where_the_detector_does_not_box_them()
    {
        var clip = ClipFrames.Of("one-by-one-person-detection.mp4", StreetFilm.ClipFps, 640, 360);
        var film = new StreetFilm(clip);
        var boxes = DetectPeople(clip);
        int frames = clip.Count;

        using var withBoxes = new SceneModel(clip.Width, clip.Height);
        var said = film.Play(withBoxes, frames, detections: i => boxes[i]);
        foreach (var frame in said) Assert.True(frame.Candidates.Length == 0, $"frame {frame.Index}: {frame.Candidates.Length} candidates with the detector's boxes");

        // The same frames without the boxes: the people who stood longest are found, so it is the boxes that kept them out.
        using var withoutBoxes = new SceneModel(clip.Width, clip.Height);
        Assert.Contains(film.Play(withoutBoxes, frames), f => f.Candidates.Length > 0);
    }

    private static Detection[][] DetectPeople(ClipFrames clip)
    {
        var manifest = ModelLocator.LoadManifest("yolox_nano", null, [SharedData.ModelsDir, Path.Combine(AppContext.BaseDirectory, "models")]);
        using var detector = OnnxDetector.Load(manifest, new DetectorOptions(IntraOpThreads: 1));
        int person = IndexOf(detector.ClassNames, "person");
        var boxes = new Detection[clip.Count][];
        var results = new[] { new List<Detection>() };
        for (int i = 0; i < clip.Count; i++)
        {
            using var frame = clip.Frame(i);
            detector.Detect([frame], results);
            boxes[i] = results[0].Where(d => d.ClassId == person && d.Score >= 0.3f).ToArray();
        }
        return boxes;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        throw new InvalidOperationException($"the model has no class '{name}'");
    }
}
