using System.Text.Json;
using Vision.Models;

namespace Vision.Storage;

/// <summary>
/// The embedded default store: objects are files under a root folder at their key's path, written to a temporary
/// name and renamed into place so a reader never sees half an object. Metadata (content type, SHA-256, case facts)
/// lives in a sidecar <c>.meta.json</c> beside each object.
/// </summary>
public sealed class LocalFolderEvidenceStore(string root) : IEvidenceStore
{
    private const string MetaSuffix = ".meta.json";
    private readonly string _root = Path.GetFullPath(root);

    public string Description => $"local folder {_root}";

    public Task CheckAsync(CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(_root);
            string probe = Path.Combine(_root, $".probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvidenceStoreException(EvidenceStoreFailure.LocalIo, $"evidence store {Description} is not writable ({e.Message}): check the folder's permissions and free space, or set evidence.store.directory", e);
        }
    }

    public async Task PutAsync(EvidenceObject item, CancellationToken ct)
    {
        string path = PathOf(item.Key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await AtomicFile.WriteAsync(path, async (target, token) =>
            {
                await using (var source = File.OpenRead(item.SourcePath))
                    await source.CopyToAsync(target, token).ConfigureAwait(false);
                // The sidecar lands before the object is renamed into place: whoever finds the object finds its metadata.
                var meta = new Dictionary<string, string>(item.Metadata, StringComparer.Ordinal) { ["sha256"] = item.Sha256, ["content-type"] = item.ContentType };
                await File.WriteAllBytesAsync(path + MetaSuffix, JsonSerializer.SerializeToUtf8Bytes(meta), token).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvidenceStoreException(EvidenceStoreFailure.LocalIo, $"evidence store {Description}: cannot write {item.Key} ({e.Message}): check free space and permissions", e);
        }
    }

    public async Task<StoredObjectInfo?> StatAsync(string key, CancellationToken ct)
    {
        string path = PathOf(key);
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(path + MetaSuffix))
                meta = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllBytesAsync(path + MetaSuffix, ct).ConfigureAwait(false)) ?? meta;
        }
        catch (JsonException)
        {
            // A damaged sidecar only loses the metadata; the object itself is checked against the manifest.
        }
        meta.Remove("content-type", out var contentType);
        meta.TryGetValue("sha256", out var sha);
        return new StoredObjectInfo(key, info.Length, sha, contentType, meta);
    }

    public async Task GetAsync(string key, Stream destination, CancellationToken ct)
    {
        string path = PathOf(key);
        try
        {
            await using var source = File.OpenRead(path);
            await source.CopyToAsync(destination, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new EvidenceStoreException(EvidenceStoreFailure.NotFound, $"evidence store {Description}: no object {key}", e);
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        string path = PathOf(key);
        // Deleting what is not there is done (as in S3): a case past retention whose files were removed by hand, or
        // never uploaded, must not stop the retention sweep.
        if (!Directory.Exists(Path.GetDirectoryName(path))) return Task.CompletedTask;
        File.Delete(path);
        File.Delete(path + MetaSuffix);
        RemoveEmptyParents(Path.GetDirectoryName(path));
        return Task.CompletedTask;
    }

    public Task<Uri?> PresignGetAsync(string key, TimeSpan expiry, CancellationToken ct) => Task.FromResult<Uri?>(null);

    /// <summary>The file that holds an object.</summary>
    public string PathOf(string key)
    {
        EvidenceKeys.Validate(key);
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private void RemoveEmptyParents(string? dir)
    {
        while (dir is not null && dir.Length > _root.Length && dir.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any()) return;
                Directory.Delete(dir);
            }
            catch (IOException)
            {
                return; // another case was written into it meanwhile
            }
            dir = Path.GetDirectoryName(dir);
        }
    }

    public void Dispose()
    {
    }
}
