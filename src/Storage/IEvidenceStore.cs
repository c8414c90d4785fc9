namespace Vision.Storage;

/// <summary>One evidence file to put into the store under its object key.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the file; stored as object metadata so a later stat can tell an identical object without downloading it.</param>
/// <param name="Metadata">Case facts stored with the object (case id, camera, rule); plain ASCII keys, values may be any text.</param>
public sealed record EvidenceObject(string Key, string SourcePath, string ContentType, string Sha256, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What the store knows about one object without fetching it.</summary>
/// <param name="Sha256">The SHA-256 recorded in the object's metadata when it was put; null if it has none.</param>
public sealed record StoredObjectInfo(string Key, long Size, string? Sha256, string? ContentType, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Durable storage for evidence objects (photos, clips, signed manifests), shared by every node. Keys are
/// '/'-separated paths such as <c>2026/11/23/cam-1/cam-1-20261123T101500-1a2b3c4d/clip.mp4</c>. Every
/// operation is idempotent: putting the same key twice leaves one object, deleting a missing key is not an error.
/// </summary>
public interface IEvidenceStore : IDisposable
{
    /// <summary>Where the store is, for logs and errors; never holds a secret.</summary>
    string Description { get; }

    /// <summary>
    /// Proves the store is usable: reachable, credentials accepted, bucket present (created when missing) and writable.
    /// </summary>
    /// <exception cref="EvidenceStoreException">with a message that says what is wrong and what to do</exception>
    Task CheckAsync(CancellationToken ct);

    /// <summary>Uploads a file under its key with its content type and metadata (multipart when large).</summary>
    Task PutAsync(EvidenceObject item, CancellationToken ct);

    /// <summary>Size and metadata of an object; null when there is no object under the key.</summary>
    Task<StoredObjectInfo?> StatAsync(string key, CancellationToken ct);

    /// <summary>Copies an object's bytes into <paramref name="destination"/>.</summary>
    /// <exception cref="EvidenceStoreException">Kind NotFound when there is no such object</exception>
    Task GetAsync(string key, Stream destination, CancellationToken ct);

    /// <summary>Removes an object; no error when it is already gone.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>
    /// A URL anyone holding it can GET the object with until <paramref name="expiry"/> passes; null when the store
    /// has no such URLs (the local folder: the host serves those objects itself).
    /// </summary>
    Task<Uri?> PresignGetAsync(string key, TimeSpan expiry, CancellationToken ct);
}

public enum EvidenceStoreFailure
{
    /// <summary>Cannot connect: wrong endpoint, server down, network.</summary>
    Unreachable,
    /// <summary>The store refused the credentials (unknown access key, bad signature).</summary>
    Unauthorized,
    /// <summary>Credentials accepted but not allowed to do this (bucket policy).</summary>
    Forbidden,
    /// <summary>No such object.</summary>
    NotFound,
    /// <summary>The local disk or folder failed (full, read-only).</summary>
    LocalIo,
    /// <summary>Anything else the server answered.</summary>
    Other,
}

/// <summary>An evidence store operation failed; the message names the store (never a secret) and what to do.</summary>
public sealed class EvidenceStoreException(EvidenceStoreFailure kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public EvidenceStoreFailure Kind { get; } = kind;

    /// <summary>Worth retrying later as is: the store was unreachable or answered with a server error. Credential and permission errors need a person.</summary>
    public bool Transient => Kind is EvidenceStoreFailure.Unreachable or EvidenceStoreFailure.Other or EvidenceStoreFailure.LocalIo;
}
