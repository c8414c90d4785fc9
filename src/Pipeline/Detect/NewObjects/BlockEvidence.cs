namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>What one frame showed of one block, as <see cref="BlockEvidence.Step"/> needs it.</summary>
/// <param name="Occluded">A detector's box covers it (while still: most of the time lately, see <see cref="NewObjectOptions.CoverTime"/>; while moving: now), or it is excluded.</param>
/// <param name="Changed">Its structure is unlike the reference (<see cref="NewObjectOptions.ChangedBelow"/>).</param>
/// <param name="Clean">It looks like the reference (<see cref="NewObjectOptions.SameAbove"/>).</param>
/// <param name="Still">It looks like the previous frame (<see cref="NewObjectOptions.SameAbove"/>).</param>
/// <param name="Shifted">It looks like the reference moved by a pixel or so: the camera drifted, nothing new is there.</param>
/// <param name="SameChange">It looks as it did when its change was first seen (see <see cref="BlockUpdate.RememberChange"/>).</param>
/// <param name="OldSceneBack">It had absorbed a change, and now looks like it did before that change.</param>
internal readonly record struct BlockLook(bool Occluded, bool Changed, bool Clean, bool Still, bool Shifted, bool SameChange, bool OldSceneBack);

/// <summary>What should be kept of a block's current look after a frame.</summary>
internal enum BlockUpdate
{
    None,

    /// <summary>A change is first seen, or seen with another look before it was confirmed: remember this look, to tell later whether the same thing stays.</summary>
    RememberChange,

    /// <summary>Learning: follow the current look quickly.</summary>
    Learn,

    /// <summary>Clean: follow the current look slowly (<see cref="NewObjectOptions.ReferenceTime"/>).</summary>
    Follow,

    /// <summary>Take the current look as it is (learning saw something else settle, the view drifted, or the old scene came back).</summary>
    Replace,

    /// <summary>A change stayed <see cref="NewObjectOptions.AbsorbAfter"/>: it becomes part of the scene.</summary>
    Absorb,
}

/// <summary>
/// Each block's life, in the spirit of the dual-background evidence of the abandoned-object literature: first its empty
/// look is learned; then time seen changed, still, and looking as it did when the change was first seen adds evidence,
/// being hidden by something moving drains it slowly, and seeing the reference again for
/// <see cref="NewObjectOptions.ClearAfter"/> clears it. A change whose look keeps changing (leaves in the wind, water, a
/// shadow creeping with the sun) starts again each time, so only what stays the same adds up. Evidence reaching
/// <see cref="NewObjectOptions.StayTime"/> confirms the block as part of a new object, until it clears or is absorbed.
/// State is a few arrays sized by the block count.
/// </summary>
internal sealed class BlockEvidence
{
    private readonly NewObjectOptions _options;
    private readonly float _learnTime, _stayTime, _clearAfter;
    private readonly long _absorbAfter;
    private readonly bool[] _learned, _confirmed, _absorbed;
    private readonly float[] _learnedFor, _evidence, _cleanFor;
    private readonly long[] _changedSince;

    public BlockEvidence(int blocks, NewObjectOptions options)
    {
        _options = options;
        _learnTime = (float)options.LearnTime.TotalSeconds;
        _stayTime = (float)options.StayTime.TotalSeconds;
        _clearAfter = (float)options.ClearAfter.TotalSeconds;
        _absorbAfter = options.AbsorbAfter.Ticks;
        _learned = new bool[blocks];
        _confirmed = new bool[blocks];
        _absorbed = new bool[blocks];
        _learnedFor = new float[blocks];
        _evidence = new float[blocks];
        _cleanFor = new float[blocks];
        _changedSince = new long[blocks];
    }

    public long Bytes => _learned.Length * (3L * sizeof(bool) + 3L * sizeof(float) + sizeof(long));

    public bool IsLearned(int block) => _learned[block];

    /// <summary>Part of a new object: its evidence reached <see cref="NewObjectOptions.StayTime"/> and has not cleared.</summary>
    public bool IsConfirmed(int block) => _confirmed[block];

    /// <summary>It absorbed a change, whose old look <see cref="ReferenceScene.BeforeAbsorb"/> keeps.</summary>
    public bool HasAbsorbed(int block) => _absorbed[block];

    /// <summary>UTC ticks of the frame in which its change was first seen still; 0 if it has none.</summary>
    public long ChangedSince(int block) => _changedSince[block];

    /// <summary>Forgets everything: every block is learned again.</summary>
    public void Reset()
    {
        Array.Clear(_learned);
        Array.Clear(_confirmed);
        Array.Clear(_absorbed);
        Array.Clear(_learnedFor);
        Array.Clear(_evidence);
        Array.Clear(_cleanFor);
        Array.Clear(_changedSince);
    }

    /// <summary>Advances one block by one frame <paramref name="seconds"/> after the previous one, at <paramref name="now"/> (UTC ticks).</summary>
    public BlockUpdate Step(int block, in BlockLook look, float seconds, long now)
    {
        if (!_learned[block]) return Learn(block, look, seconds);
        if (look.Occluded) return BlockUpdate.None;

        if (look.Changed)
        {
            _cleanFor[block] = 0;
            if (!look.Still)
            {
                // Hidden by something moving, or being changed: the change may still be there, but it is not seen staying.
                _evidence[block] -= seconds * _options.OccludedDecay;
                if (_evidence[block] <= 0) Clear(block);
                return BlockUpdate.None;
            }
            if (look.OldSceneBack)
            {
                // What was absorbed has gone again: the old scene is back, and nothing new is there.
                Clear(block);
                _absorbed[block] = false;
                return BlockUpdate.Replace;
            }
            // Still means the previous frame showed the same: the change was there since then.
            long since = now - (long)(seconds * TimeSpan.TicksPerSecond);
            if (_changedSince[block] == 0 || (!look.SameChange && !_confirmed[block]))
            {
                _changedSince[block] = since;
                _evidence[block] = seconds;
                return BlockUpdate.RememberChange;
            }
            // A confirmed object that changed its look (a bag added to the pile) is still there; follow its new look.
            if (!look.SameChange) return BlockUpdate.RememberChange;
            _evidence[block] = Math.Min(_stayTime, _evidence[block] + seconds);
            if (_evidence[block] >= _stayTime) _confirmed[block] = true;
            if (_confirmed[block] && now - _changedSince[block] >= _absorbAfter)
            {
                Clear(block);
                _absorbed[block] = true;
                return BlockUpdate.Absorb;
            }
            return BlockUpdate.None;
        }

        if (_evidence[block] > 0)
        {
            _cleanFor[block] += seconds;
            if (_cleanFor[block] >= _clearAfter) Clear(block);
            return BlockUpdate.None;
        }
        if (!look.Clean || !look.Still) return BlockUpdate.None;
        // A drifted view is taken as it now is, so the reference moves with the camera.
        return look.Shifted ? BlockUpdate.Replace : BlockUpdate.Follow;
    }

    private BlockUpdate Learn(int block, in BlockLook look, float seconds)
    {
        if (look.Occluded || !look.Still) return BlockUpdate.None;
        if (!look.Clean)
        {
            // Something else settled here: learn that instead.
            _learnedFor[block] = 0;
            return BlockUpdate.Replace;
        }
        _learnedFor[block] += seconds;
        if (_learnedFor[block] >= _learnTime) _learned[block] = true;
        return BlockUpdate.Learn;
    }

    private void Clear(int block)
    {
        _evidence[block] = 0;
        _cleanFor[block] = 0;
        _confirmed[block] = false;
        _changedSince[block] = 0;
    }
}
