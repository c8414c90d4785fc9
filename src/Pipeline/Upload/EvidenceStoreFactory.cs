using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Upload;

/// <summary>
/// Builds the configured evidence store. S3 credentials never come from the config file: they come from
/// <c>evidence.store.credentials_file</c> (lines <c>access_key=…</c> and <c>secret_key=…</c>, readable by the service
/// only) or from <c>VISION_S3_ACCESS_KEY</c> / <c>VISION_S3_SECRET_KEY</c>.
/// </summary>
internal static class EvidenceStoreFactory
{
    public const string AccessKeyVariable = "VISION_S3_ACCESS_KEY";
    public const string SecretKeyVariable = "VISION_S3_SECRET_KEY";

    /// <exception cref="UsageException">credentials missing or unreadable; the message says where they are looked for</exception>
    public static IEvidenceStore Create(EvidenceConfig config)
    {
        var store = config.Store;
        if (store.Type == EvidenceStoreType.Local) return new LocalFolderEvidenceStore(config.LocalStoreDirectory);
        var (access, secret) = Credentials(store);
        return new S3EvidenceStore(new S3StoreOptions(store.Host!, store.Port, store.Tls, store.Bucket, store.Region, access, secret));
    }

    private static (string Access, string Secret) Credentials(EvidenceStoreConfig store)
    {
        if (store.CredentialsFile is { } file)
        {
            string[] lines;
            try { lines = File.ReadAllLines(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"evidence.store.credentials_file '{file}' cannot be read ({e.GetType().Name}): check the path and that the service user may read it");
            }
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in lines)
            {
                string text = line.Trim();
                if (text.Length == 0 || text.StartsWith('#')) continue;
                int eq = text.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new UsageException($"evidence.store.credentials_file '{file}': every line must be name=value (access_key=… and secret_key=…)");
                values[text[..eq].Trim()] = text[(eq + 1)..].Trim();
            }
            string? a = values.GetValueOrDefault("access_key") ?? values.GetValueOrDefault(AccessKeyVariable);
            string? s = values.GetValueOrDefault("secret_key") ?? values.GetValueOrDefault(SecretKeyVariable);
            if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(s))
                throw new UsageException($"evidence.store.credentials_file '{file}' must set both access_key=… and secret_key=…");
            return (a, s);
        }
        string? access = Environment.GetEnvironmentVariable(AccessKeyVariable), secretKey = Environment.GetEnvironmentVariable(SecretKeyVariable);
        if (string.IsNullOrEmpty(access) || string.IsNullOrEmpty(secretKey))
            throw new UsageException($"the S3 evidence store needs credentials: set {AccessKeyVariable} and {SecretKeyVariable}, or evidence.store.credentials_file");
        return (access, secretKey);
    }
}
