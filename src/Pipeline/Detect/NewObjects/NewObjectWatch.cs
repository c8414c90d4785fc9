using Vision.Models;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>Told when a camera's whole view changed (it moved, or its picture changed everywhere) and new-object detection learns the scene again.</summary>
internal interface ISceneChangeObserver
{
    void ViewChanged(string cameraId, GlobalChange change);
}

/// <summary>
/// New-object detection as one more detector kind, for one camera: while one of the camera's rules names
/// <see cref="NewObjectClass.Name"/>, each analysed frame goes through the camera's <see cref="SceneModel"/> and every
/// candidate is added to the frame's detections as an object of that class, so the tracker and the rules treat it
/// like any detected object. A candidate's score is 1: the model reports only what has stayed
/// <see cref="NewObjectOptions.StayTime"/> and is not a detector object, so there is no weaker guess to filter.
/// Only the detector's objects that would start a track (at or above the camera's track-starting score) are its
/// objects; weaker guesses are not: a real pile of garbage is often guessed a "truck" at 0.2-0.3, and must stay a new
/// object. The model is made at the first frame (its size is the analysis size) and dropped when no rule needs it.
/// Not thread-safe: one camera's frames, in order.
/// </summary>
internal sealed class NewObjectWatch(int classId, NewObjectOptions? options = null) : IDisposable
{
    private SceneModel? _scene;
    private bool _enabled;
    private GlobalChange? _lastChange;
    private float _trackScore;
    private readonly List<Detection> _tracked = new(64);

    /// <summary>The class id new objects get: the one after the detector's classes.</summary>
    public int ClassId { get; } = classId;

    /// <summary>The scene model's state after the latest frame; null while the camera has no rule for new objects.</summary>
    public SceneStatus? Status => _scene?.Status;

    /// <summary>The colour reference picture (基准图) at analysis size, or false when the camera watches no new objects.</summary>
    public bool TryCopyReference(OpenCvSharp.Mat destination)
    {
        if (_scene is null) return false;
        _scene.CopyReferenceTo(destination);
        return true;
    }

    /// <summary>Follows the camera's rules: watching starts when a rule names new objects and stops (the model dropped) when none does.</summary>
    /// <param name="trackScore">The least detection score that starts a track on this camera: weaker detections do not cover a new object.</param>
    public void Configure(CameraConfig camera, float trackScore)
    {
        _trackScore = trackScore;
        _enabled = NewObjectClass.IsUsedBy(camera);
        if (!_enabled) Drop();
    }

    /// <summary>
    /// Adds the frame's new objects to its detections (after the detector's, which the model takes as covered).
    /// Returns the change of the whole view seen in this frame, if any.
    /// </summary>
    public GlobalChange? Observe(AnalysisFrame frame)
    {
        if (!_enabled) return null;
        var image = frame.Buffer.Image;
        if (_scene is null || !_scene.Fits(image.Cols, image.Rows))
        {
            Drop();
            _scene = new SceneModel(image.Cols, image.Rows, options);
        }
        _tracked.Clear();
        foreach (var detection in frame.Detections)
            if (detection.Score >= _trackScore) _tracked.Add(detection);
        var reading = _scene.Observe(image, frame.CapturedAt, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tracked));
        foreach (var candidate in reading.Candidates)
            frame.Detections.Add(new Detection(ClassId, 1f, candidate.Box));

        var change = reading.Status.LastGlobalChange;
        if (change is null || ReferenceEquals(change, _lastChange)) return null;
        _lastChange = change;
        return change;
    }

    private void Drop()
    {
        _scene?.Dispose();
        _scene = null;
        _lastChange = null;
    }

    public void Dispose() => Drop();
}
