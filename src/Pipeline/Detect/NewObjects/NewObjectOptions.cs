using Vision.Rules.Config;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// How a <see cref="SceneModel"/> learns a camera's empty scene and when something new in it becomes a candidate.
/// The defaults hold for any street camera: similarities are measured against the camera's own noise (so no
/// threshold is in grey levels), sizes are in analysis pixels, and times are in seconds of the scene, not frames,
/// so they mean the same at 0.5 and at 5 analysed frames per second.
/// </summary>
internal sealed record NewObjectOptions
{
    /// <summary>
    /// Side of one block in analysis pixels: the unit of comparison and of a candidate's box. 16 px of a 640-px frame
    /// is about half a metre at 20–30 m, the size of a bag; smaller blocks hold too few pixels to tell texture from noise.
    /// </summary>
    public int BlockSize { get; init; } = 16;

    /// <summary>
    /// Analysis pixels averaged into one working pixel per side. Averaging 2x2 halves sensor and compression noise and
    /// makes a sub-pixel sway of the pole invisible, at a quarter of the cost.
    /// </summary>
    public int Downscale { get; init; } = 2;

    /// <summary>
    /// How many times the camera's own frame-to-frame gradient noise a block's texture must exceed to count as structure.
    /// At 6, noise alone keeps two looks of an unchanged block above 0.86 similar (and above 0.92 against the averaged
    /// reference), clear of <see cref="SameAbove"/>.
    /// </summary>
    public float NoiseMargin { get; init; } = 6f;

    /// <summary>
    /// The least gradient noise (squared grey levels per pixel) assumed. An encoder that copies static areas from frame to
    /// frame makes consecutive pictures identical there, which would read as no noise at all, while the reference still
    /// differs from them by the artefacts of other keyframes; half a squared level is about what 8-bit rounding and a
    /// good encoder leave in the working picture.
    /// </summary>
    public float MinNoise { get; init; } = 0.5f;

    /// <summary>Time constant of the noise estimate: slow enough to ignore a passing car, quick enough to follow dusk and rain.</summary>
    public TimeSpan NoiseTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A block whose structure similarity to the reference falls below this has changed. Similarity is the cosine of the
    /// two gradient fields regularised by the noise, so a change of gain or offset (daylight, a cloud, a soft shadow) leaves it near 1.
    /// </summary>
    public float ChangedBelow { get; init; } = 0.6f;

    /// <summary>Two looks at least this similar are the same: a block is still (matches the previous frame) or clean (matches the reference).</summary>
    public float SameAbove { get; init; } = 0.8f;

    /// <summary>
    /// How long a block must be seen still and unoccluded, looking the same, before its reference is trusted. A minute
    /// outlasts a pedestrian's pause and a car waiting at a light that the detector misses.
    /// </summary>
    public TimeSpan LearnTime { get; init; } = NewObjectsConfig.Default.LearnTime;

    /// <summary>Share of the frame's blocks that must be learned before the model says it is ready (busy lanes may never be, so it is also ready after four learning times).</summary>
    public float ReadyFraction { get; init; } = 0.8f;

    /// <summary>
    /// How long a change must be seen staying before it is a candidate. Two minutes outlasts a red light (a queued car the
    /// detector missed), a person stopping to talk, a delivery; rules add their own dwell on top.
    /// </summary>
    public TimeSpan StayTime { get; init; } = NewObjectsConfig.Default.StayTime;

    /// <summary>
    /// Evidence lost per second while a changed block is hidden by something moving: 0.5 keeps a pile that passers-by
    /// hide half the time growing, while a busy crossing where a different person stands still now and then never adds up.
    /// </summary>
    public float OccludedDecay { get; init; } = 0.5f;

    /// <summary>How long the reference must be seen again, unbroken, before a change is gone (its candidate ends).</summary>
    public TimeSpan ClearAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time constant with which a clean block's reference follows what it sees: it carries the slow changes that are not a
    /// gain (the sun's angle, dusk, a lamp coming on) into the reference well before <see cref="StayTime"/> could run out.
    /// </summary>
    public TimeSpan ReferenceTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A change that stays this long becomes part of the scene (a new kiosk, a fence): longer than any dwell a rule sets,
    /// shorter than a day. If it is later removed, the old look is recognised and restored without a candidate.
    /// </summary>
    public TimeSpan AbsorbAfter { get; init; } = NewObjectsConfig.Default.AbsorbAfter;

    /// <summary>
    /// Share of the textured, learned, unoccluded blocks that must have changed and be still at once for the whole view to
    /// count as changed (camera moved, PTZ preset drifted, day/night switch): the model then re-learns instead of raising
    /// candidates. Half the view is more than any object standing in a street covers, short of one that the detector sees.
    /// </summary>
    public float GlobalChangeFraction { get; init; } = 0.5f;

    /// <summary>Share of a block a detector's box must cover for the block to be the detector's object, not a new one.</summary>
    public float CoveredFraction { get; init; } = 0.25f;

    /// <summary>Each detector box is grown by this share of its size on every side, for the object's shadow and the box's jitter.</summary>
    public float CoverMargin { get; init; } = 0.1f;

    /// <summary>
    /// The time over which a still block's share of frames covered by a detector's box is followed: covered in most of
    /// them, it is the detector's object (a parked car whose score flickers around the threshold); covered now and then,
    /// it is not (a pile the detector sometimes guesses is a car). A moving box (a car driving past) covers a block only
    /// in its own frame.
    /// </summary>
    public TimeSpan CoverTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest gap between two frames that counts as time seen; a longer one (a stalled stream) counts as this much.</summary>
    public TimeSpan MaxFrameGap { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The defaults.</summary>
    public static NewObjectOptions Default { get; } = new();

    /// <summary>The defaults with a camera's timing (<c>analysis.new_objects</c>).</summary>
    public static NewObjectOptions For(NewObjectsConfig camera) =>
        camera == NewObjectsConfig.Default ? Default : Default with { StayTime = camera.StayTime, LearnTime = camera.LearnTime, AbsorbAfter = camera.AbsorbAfter };

    /// <summary>Throws naming the first option out of range.</summary>
    public void Validate()
    {
        Positive(BlockSize, nameof(BlockSize));
        Positive(Downscale, nameof(Downscale));
        if (BlockSize % Downscale != 0 || BlockSize / Downscale < 2)
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, $"must be a multiple of {nameof(Downscale)} ({Downscale}) and at least twice it");
        Positive(NoiseMargin, nameof(NoiseMargin));
        Positive(MinNoise, nameof(MinNoise));
        Fraction(ChangedBelow, nameof(ChangedBelow));
        Fraction(SameAbove, nameof(SameAbove));
        if (SameAbove <= ChangedBelow)
            throw new ArgumentOutOfRangeException(nameof(SameAbove), SameAbove, $"must be above {nameof(ChangedBelow)} ({ChangedBelow})");
        Fraction(ReadyFraction, nameof(ReadyFraction));
        Fraction(GlobalChangeFraction, nameof(GlobalChangeFraction));
        Fraction(CoveredFraction, nameof(CoveredFraction));
        if (OccludedDecay < 0) throw new ArgumentOutOfRangeException(nameof(OccludedDecay), OccludedDecay, "must not be negative");
        if (CoverMargin < 0) throw new ArgumentOutOfRangeException(nameof(CoverMargin), CoverMargin, "must not be negative");
        Positive(NoiseTime, nameof(NoiseTime));
        Positive(LearnTime, nameof(LearnTime));
        Positive(StayTime, nameof(StayTime));
        Positive(ClearAfter, nameof(ClearAfter));
        Positive(ReferenceTime, nameof(ReferenceTime));
        Positive(MaxFrameGap, nameof(MaxFrameGap));
        Positive(CoverTime, nameof(CoverTime));
        if (AbsorbAfter <= StayTime)
            throw new ArgumentOutOfRangeException(nameof(AbsorbAfter), AbsorbAfter, $"must be longer than {nameof(StayTime)} ({StayTime})");
    }

    private static void Positive(float value, string name)
    {
        if (!(value > 0)) throw new ArgumentOutOfRangeException(name, value, "must be positive");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, value, "must be positive");
    }

    private static void Fraction(float value, string name)
    {
        if (!(value > 0 && value < 1)) throw new ArgumentOutOfRangeException(name, value, "must be between 0 and 1");
    }
}
