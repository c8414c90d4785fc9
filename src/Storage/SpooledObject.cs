namespace Vision.Storage;

/// <summary>One evidence file of a spooled case: its name in the case's spool folder and its object key in the store.</summary>
public sealed record SpooledObject(string Name, string Key, long Size, string Sha256, string ContentType, string Role);
