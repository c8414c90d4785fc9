using OpenCvSharp;
using Vision.Models;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// Class-agnostic new-object detection for one camera: a slowly learned model of its empty scene, against which
/// whatever appears and stays (a pile of garbage, a dumped bag, a stall's tarp and goods, a cart, a tent) becomes a
/// <see cref="NewObject"/> with a box, whatever its class. Fed every analysed frame, in order, with the detector's boxes
/// of that frame: what the detector sees (a parked car, a standing person) is its object, not a new one.
/// </summary>
/// <remarks>
/// <para>Method (docs/new-objects.md has the reasoning and the literature). The frame is reduced to a grey working
/// picture (<see cref="LumaPlane"/>: 2x2 averaged and lightly blurred), cut into blocks (<see cref="BlockGrid"/>), and
/// each block is compared with the previous frame and with a learned reference by the structure of its gradients
/// (<see cref="BlockComparison"/>): a noise-regularised cosine of the two gradient fields, which a change of gain or
/// offset does not move, so daylight drifting over hours, a cloud's shadow, the auto-exposure and a soft headlight pool
/// are not changes, while texture appearing on the road or vanishing from it is. The regulariser is the camera's own
/// frame-to-frame noise (<see cref="TemporalNoise"/>), so the same thresholds hold for a clean daylight picture and a
/// noisy night one.</para>
/// <para>As with Porikli's dual backgrounds, a block must differ from the long-term reference while matching the short
/// term (here the previous frame: still) for time to count, and it must keep the look it had when the change was first
/// seen (leaves in the wind and a creeping shadow do not); that time is evidence, which a moving occluder drains slowly
/// and seeing the reference again clears (<see cref="BlockEvidence"/>). The reference follows a block only while the
/// block looks like it, so an object that stays is not learned away before <see cref="NewObjectOptions.AbsorbAfter"/>.
/// A block's reference is trusted only after it was seen empty and still for <see cref="NewObjectOptions.LearnTime"/>;
/// blocks under a detector's box are not learned, so a car parked at start-up leaves no ghost when it drives away.</para>
/// <para>The view moving is not an object: a block whose change the reference moved by half a working pixel or one
/// explains is re-aligned (a pole swaying, a preset drifting by a pixel), and a change of the whole view
/// (<see cref="WholeViewChange"/>: many textured blocks changed and still, with a shift of the picture or without) makes
/// the model drop what it learned and learn again, reporting it in <see cref="Status"/>, instead of raising a burst of
/// candidates.</para>
/// <para>Cost and memory: a few passes over the working picture (a quarter of the frame's pixels) per frame, no
/// allocation in the steady state. Memory is fixed by the analysis size (<see cref="StateBytes"/>): 2.1 MB for 640x360
/// with the default options, of which 0.7 MB is the colour reference picture; four times that at 1280x720.</para>
/// Not thread-safe: one camera's frames come from one loop.
/// </remarks>
internal sealed class SceneModel : IDisposable
{
    private readonly NewObjectOptions _options;
    private readonly BlockGrid _grid;
    private readonly ReferenceScene _reference;
    private readonly BlockComparison _comparison;
    private readonly TemporalNoise _noise;
    private readonly BlockEvidence _evidence;
    private readonly CandidateRegions _regions;
    private readonly WholeViewChange _wholeView;
    private readonly bool[] _excluded, _coveredNow, _occluded, _member, _changed, _still, _shifted, _changedStill;
    private readonly float[] _coverage;
    private readonly List<NewObject> _candidates = new();
    private readonly int _eligible;
    private readonly LumaPlane _changeLook;
    private LumaPlane _current, _previous;
    private long _lastFrame;
    private bool _started;
    private SceneStatus _status;

    /// <param name="frameWidth">Analysis frame width in pixels; every frame must have this size.</param>
    /// <param name="excluded">Areas (analysis pixels) never watched, e.g. the camera's on-screen clock and name.</param>
    public SceneModel(int frameWidth, int frameHeight, NewObjectOptions? options = null, IReadOnlyList<BoundingBox>? excluded = null)
    {
        _options = options ?? NewObjectOptions.Default;
        _options.Validate();
        _grid = new BlockGrid(frameWidth, frameHeight, _options.BlockSize, _options.Downscale);
        int blocks = _grid.Count;
        _current = new LumaPlane(_grid.Width, _grid.Height);
        _previous = new LumaPlane(_grid.Width, _grid.Height);
        _changeLook = new LumaPlane(_grid.Width, _grid.Height);
        _reference = new ReferenceScene(_grid);
        _comparison = new BlockComparison(_grid);
        _noise = new TemporalNoise(blocks, _options);
        _evidence = new BlockEvidence(blocks, _options);
        _regions = new CandidateRegions(_grid);
        _wholeView = new WholeViewChange(_options, _grid.Width, _grid.Height);
        _excluded = new bool[blocks];
        _coveredNow = new bool[blocks];
        _occluded = new bool[blocks];
        _member = new bool[blocks];
        _changed = new bool[blocks];
        _still = new bool[blocks];
        _shifted = new bool[blocks];
        _changedStill = new bool[blocks];
        _coverage = new float[blocks];
        if (excluded is not null)
            foreach (var area in excluded) _grid.MarkCovered(area, _options.CoveredFraction, _excluded);
        _eligible = Math.Max(1, blocks - Count(_excluded));
    }

    public NewObjectOptions Options => _options;

    /// <summary>After the latest frame; <see cref="SceneState.Learning"/> before the first.</summary>
    public SceneStatus Status => _status;

    /// <summary>The candidates after the latest frame; the list is reused, so copy what must outlive the next frame.</summary>
    public IReadOnlyList<NewObject> Candidates => _candidates;

    /// <summary>Bytes of state this camera's model holds; fixed at construction (the analysis size and block size set it).</summary>
    public long StateBytes =>
        _current.Bytes + _previous.Bytes + _changeLook.Bytes + _reference.Bytes + _comparison.Bytes + _noise.Bytes + _evidence.Bytes + _regions.Bytes
        + _wholeView.Bytes + _excluded.Length * (8L * sizeof(bool) + sizeof(long));

    /// <summary>Copies the learned empty scene, in colour at analysis size, into <paramref name="destination"/> (for evidence: the region beside its reference).</summary>
    public void CopyReferenceTo(Mat destination) => _reference.CopyPictureTo(destination);

    /// <summary>Whether frames of this size are the model's (a camera whose analysis size changed needs a new one).</summary>
    public bool Fits(int frameWidth, int frameHeight) => frameWidth == _grid.FrameWidth && frameHeight == _grid.FrameHeight;

    /// <summary>Takes one analysed frame and the detector's boxes for it (analysis pixels) and returns the status and candidates after it.</summary>
    /// <param name="frame">BGR, 8 bits, the analysis size the model was made for.</param>
    /// <param name="capturedAt">The frame's time; frames must come in order (an earlier time counts as no time passed).</param>
    public SceneReading Observe(Mat frame, DateTimeOffset capturedAt, ReadOnlySpan<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Cols != _grid.FrameWidth || frame.Rows != _grid.FrameHeight || frame.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"expected a BGR frame of {_grid.FrameWidth}x{_grid.FrameHeight}, got {frame.Type()} {frame.Cols}x{frame.Rows}: a camera whose analysis size changed needs a new model", nameof(frame));
        _current.ReadFrom(frame, _grid.Downscale);
        _current.Smooth();
        long now = capturedAt.UtcTicks;
        if (!_started)
        {
            _started = true;
            _reference.Reset(_current, frame);
            _status = new SceneStatus(SceneState.Learning, capturedAt, 0, null);
            return Finish(now);
        }

        float seconds = (float)Math.Clamp((double)(now - _lastFrame) / TimeSpan.TicksPerSecond, 0, _options.MaxFrameGap.TotalSeconds);
        MarkOccluded(detections, seconds);
        _comparison.Measure(_current, _previous, _reference.Luma);
        _noise.Update(_comparison, _occluded, seconds);
        float noise = _noise.Regulariser;
        _comparison.Score(noise);
        SettleOcclusion();
        Classify(noise);

        var change = TestWholeView(noise, capturedAt);
        if (change is not null)
        {
            _evidence.Reset();
            _reference.Reset(_current, frame);
            _regions.Clear();
            _candidates.Clear();
            _status = new SceneStatus(SceneState.Relearning, capturedAt, 0, change);
            return Finish(now);
        }

        StepBlocks(frame, seconds, now, noise);
        for (int block = 0; block < _member.Length; block++)
            _member[block] = !_excluded[block] && _evidence.IsLearned(block) && _evidence.IsConfirmed(block);
        _regions.Find(_member, _evidence, _comparison.ToReference, capturedAt, _candidates);
        UpdateStatus(capturedAt);
        return Finish(now);
    }

    private SceneReading Finish(long now)
    {
        (_current, _previous) = (_previous, _current);
        _lastFrame = now;
        return new SceneReading(_status, _candidates);
    }

    /// <summary>
    /// Which blocks a detector's box covers now, and how much of the time they have been covered lately
    /// (<see cref="NewObjectOptions.CoverTime"/>). Until <see cref="SettleOcclusion"/>, every covered block counts as
    /// occluded, so the noise is measured on the open scene only.
    /// </summary>
    private void MarkOccluded(ReadOnlySpan<Detection> detections, float seconds)
    {
        Array.Clear(_coveredNow);
        foreach (var detection in detections)
            _grid.MarkCovered(detection.Box.Expand(_options.CoverMargin), _options.CoveredFraction, _coveredNow);
        float follow = 1f - MathF.Exp(-seconds / (float)_options.CoverTime.TotalSeconds);
        for (int block = 0; block < _occluded.Length; block++)
        {
            _coverage[block] += follow * ((_coveredNow[block] ? 1f : 0f) - _coverage[block]);
            _occluded[block] = _excluded[block] || _coveredNow[block] || _coverage[block] >= 0.5f;
        }
    }

    /// <summary>
    /// A still block is the detector's object when a box has covered it most of the time lately: a parked car whose
    /// score flickers under the threshold now and then stays the detector's, while a pile the detector only sometimes
    /// guesses is a vehicle stays a new object. A block that is not still is occluded only while a box covers it (a car
    /// driving past), or the traffic beside a kerb would hide what lies there.
    /// </summary>
    private void SettleOcclusion()
    {
        for (int block = 0; block < _occluded.Length; block++)
        {
            bool still = _comparison.ToPrevious[block] >= _options.SameAbove;
            _occluded[block] = _excluded[block] || (still ? _coverage[block] >= 0.5f : _coveredNow[block]);
        }
    }

    /// <summary>Which blocks changed, which are still, and which changed only because the picture moved by a pixel or so.</summary>
    private void Classify(float noise)
    {
        for (int block = 0; block < _changed.Length; block++)
        {
            bool changed = _comparison.ToReference[block] < _options.ChangedBelow;
            bool still = _comparison.ToPrevious[block] >= _options.SameAbove;
            // Only a still change of a learned block could add evidence; only those are worth the eight extra comparisons.
            bool shifted = changed && still && !_occluded[block] && _evidence.IsLearned(block)
                && _comparison.BestShifted(block, _current, _reference.Luma, noise) >= _options.SameAbove;
            _changed[block] = changed && !shifted;
            _changedStill[block] = changed && still;
            _still[block] = still;
            _shifted[block] = shifted;
        }
    }

    private GlobalChange? TestWholeView(float noise, DateTimeOffset now)
    {
        int telling = 0, changedStill = 0;
        for (int block = 0; block < _occluded.Length; block++)
        {
            if (_occluded[block] || !_evidence.IsLearned(block) || _comparison.ReferenceTexture(block) < noise) continue;
            telling++;
            // Blocks that a small shift explains count: many of them at once is the camera moving.
            if (_changedStill[block]) changedStill++;
        }
        return _wholeView.Test(telling, changedStill, _eligible, _reference.Luma, _current, _grid.Downscale, now);
    }

    private void StepBlocks(Mat frame, float seconds, long now, float noise)
    {
        float learnWeight = Weight(seconds, _options.LearnTime.TotalSeconds / 4);
        float followWeight = Weight(seconds, _options.ReferenceTime.TotalSeconds);
        for (int block = 0; block < _occluded.Length; block++)
        {
            bool changed = _changed[block], still = _still[block];
            bool seen = changed && still && !_occluded[block] && _evidence.IsLearned(block);
            bool sameChange = seen && _evidence.ChangedSince(block) != 0
                && _comparison.Compare(block, _current, _changeLook, noise) >= _options.SameAbove;
            bool oldSceneBack = seen && _evidence.HasAbsorbed(block)
                && _comparison.Compare(block, _current, _reference.BeforeAbsorb, noise) >= _options.SameAbove;
            bool clean = _comparison.ToReference[block] >= _options.SameAbove || _shifted[block];
            var look = new BlockLook(_occluded[block], changed, clean, still, _shifted[block], sameChange, oldSceneBack);
            switch (_evidence.Step(block, look, seconds, now))
            {
                case BlockUpdate.RememberChange: _changeLook.CopyRect(_current, _grid.WorkingRect(block)); break;
                case BlockUpdate.Learn: _reference.Follow(block, _current, frame, learnWeight); break;
                case BlockUpdate.Follow: _reference.Follow(block, _current, frame, followWeight); break;
                case BlockUpdate.Replace: _reference.Replace(block, _current, frame); break;
                case BlockUpdate.Absorb: _reference.Absorb(block, _current, frame); break;
            }
        }
    }

    private void UpdateStatus(DateTimeOffset now)
    {
        int learned = 0;
        for (int block = 0; block < _excluded.Length; block++)
            if (!_excluded[block] && _evidence.IsLearned(block)) learned++;
        float fraction = (float)learned / _eligible;
        var state = _status.State;
        var since = _status.Since;
        if (state != SceneState.Ready && (fraction >= _options.ReadyFraction || now - since >= 4 * _options.LearnTime))
        {
            state = SceneState.Ready;
            since = now;
        }
        _status = new SceneStatus(state, since, fraction, _status.LastGlobalChange);
    }

    private static float Weight(double seconds, double timeConstant) => (float)(1 - Math.Exp(-seconds / timeConstant));

    private static int Count(bool[] flags)
    {
        int n = 0;
        foreach (bool flag in flags) if (flag) n++;
        return n;
    }

    public void Dispose()
    {
        _reference.Dispose();
        _wholeView.Dispose();
    }
}
