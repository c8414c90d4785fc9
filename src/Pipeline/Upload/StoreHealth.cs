using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Upload;

/// <summary>Whether the evidence store answered the last time it was used, and if not, why (a message without secrets).</summary>
internal sealed record StoreHealth(bool Ok, string? Problem, DateTimeOffset Since)
{
    public static StoreHealth Unknown(DateTimeOffset now) => new(false, "not checked yet", now);
}
