namespace Vision.Rules.Config;

/// <summary>What a rule of one violation type uses for every key the config leaves out.</summary>
public sealed record RuleTypeDefaults(
    IReadOnlyList<string> Classes,
    TimeSpan Dwell,
    TimeSpan Cooldown,
    float MinConfidence,
    float MinBoxSize,
    float MaxMotion,
    AnchorPoint Anchor,
    IReadOnlyList<string> NearClasses,
    float NearDistance,
    TimeSpan AttendTime)
{
    /// <summary>
    /// How long a near_classes object must stay near to count, for every type: a person walking past is near for two or
    /// three seconds at walking pace; one who stays ten is with the object (its owner, a vendor).
    /// </summary>
    private static readonly TimeSpan StayingNear = TimeSpan.FromSeconds(10);

    private static readonly RuleTypeDefaults IllegalParking = new(
        Classes: ["car", "bus", "truck", "motorcycle"],
        Dwell: TimeSpan.FromMinutes(3),
        Cooldown: TimeSpan.FromMinutes(30),
        MinConfidence: 0.3f,
        MinBoxSize: 0f,
        MaxMotion: 0.15f,
        Anchor: AnchorPoint.BottomCenter,
        NearClasses: [],
        NearDistance: 0f,
        AttendTime: StayingNear);

    private static readonly RuleTypeDefaults StreetStall = new(
        Classes: ["person"],
        Dwell: TimeSpan.FromMinutes(5),
        Cooldown: TimeSpan.FromMinutes(30),
        MinConfidence: 0.4f,
        MinBoxSize: 0f,
        MaxMotion: 0.5f,
        Anchor: AnchorPoint.BottomCenter,
        NearClasses: [],
        NearDistance: 1.0f,
        AttendTime: StayingNear);

    // Bags left behind are litter too, and the detector often flips a left bag between these three classes.
    private static readonly RuleTypeDefaults Litter = new(
        Classes: ["bottle", "cup", "backpack", "handbag", "suitcase"],
        Dwell: TimeSpan.FromMinutes(2),
        Cooldown: TimeSpan.FromMinutes(60),
        MinConfidence: 0.4f,
        MinBoxSize: 0f,
        MaxMotion: 0.2f,
        Anchor: AnchorPoint.Center,
        NearClasses: ["person"],
        NearDistance: 0.5f,
        AttendTime: StayingNear);

    /// <summary>The defaults for one violation type.</summary>
    public static RuleTypeDefaults For(ViolationType type) => type switch
    {
        ViolationType.IllegalParking => IllegalParking,
        ViolationType.StreetStall => StreetStall,
        ViolationType.Litter => Litter,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
