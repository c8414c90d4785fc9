using Vision.Rules.Config;

namespace Vision.Rules.Truth;

/// <summary>A parsed truth file (docs/truth.md): labelled clips, their violations and quiet windows; times are offsets from each clip's first frame.</summary>
public sealed record TruthFile(string Path, IReadOnlyList<TruthClip> Clips)
{
    /// <summary>Line/column of every key path read (e.g. <c>clips[0].violations[1].rule</c>), so checks against the config can still point at the line.</summary>
    public ConfigLocations Locations { get; init; } = new(Path);
}

/// <summary>One labelled clip: its video, the camera it comes from, which rules are labelled and what really happened.</summary>
public sealed record TruthClip(
    string Clip,
    string? CameraId,
    DateTimeOffset? Start,
    bool Complete,
    IReadOnlyList<string>? RuleIds,
    IReadOnlyList<TruthViolation> Violations,
    IReadOnlyList<QuietWindow> Quiet);

/// <summary>A box normalised to the frame: x, y of the top-left corner, width and height, each 0..1.</summary>
public sealed record NormalisedBox(double X, double Y, double Width, double Height)
{
    public NormalisedPoint Centre => new(X + Width / 2, Y + Height / 2);

    public bool Contains(NormalisedPoint point) =>
        point.X >= X && point.X <= X + Width && point.Y >= Y && point.Y <= Y + Height;

    /// <summary>A pixel box in a frame of the given size, normalised and clamped to the frame.</summary>
    public static NormalisedBox FromPixels(double x, double y, double width, double height, int frameWidth, int frameHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        double left = Math.Clamp(x / frameWidth, 0, 1), top = Math.Clamp(y / frameHeight, 0, 1);
        double right = Math.Clamp((x + width) / frameWidth, 0, 1), bottom = Math.Clamp((y + height) / frameHeight, 0, 1);
        return new NormalisedBox(left, top, right - left, bottom - top);
    }
}

/// <summary>A point on an object, normalised to the frame (0..1).</summary>
public readonly record struct NormalisedPoint(double X, double Y);

/// <summary>A violation that really happened: the object was there (and stopped) from..to, at this box or point.</summary>
public sealed record TruthViolation(string RuleId, TimeSpan From, TimeSpan To, NormalisedBox? Box, NormalisedPoint? Point, string? Note);

/// <summary>A window in which no violation happened, of one rule or (rule null) every labelled rule, in a box or (box null) the whole frame.</summary>
public sealed record QuietWindow(string? RuleId, TimeSpan From, TimeSpan To, NormalisedBox? Box, string? Note);
