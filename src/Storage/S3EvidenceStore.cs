using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Vision.Storage;

/// <summary>
/// Evidence in an S3-compatible object store (MinIO, AWS S3, s3rver in tests) through the Minio .NET SDK, using only
/// standard S3 calls: HEAD/PUT bucket, PUT (multipart above 5 MiB), HEAD, GET and DELETE object, presigned GET.
/// Objects carry their content type and the item's metadata as <c>x-amz-meta-*</c> headers plus <c>x-amz-meta-sha256</c>;
/// values that are not plain printable ASCII (Chinese camera names) are stored RFC 2047 encoded (see <see cref="S3UserMetadata"/>).
/// Every failure surfaces as an <see cref="EvidenceStoreException"/> whose message names the store, never a secret.
/// </summary>
public sealed class S3EvidenceStore : IEvidenceStore
{
    private const string ProbePrefix = "_vision/probe-";
    private const int CopyBufferSize = 81920;
    private static readonly TimeSpan MaxPresignExpiry = TimeSpan.FromDays(7);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly S3StoreOptions _options;
    private readonly IMinioClient _client;

    public S3EvidenceStore(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _options = options;
        Description = $"s3 {new UriBuilder(options.Endpoint) { Path = options.Bucket }.Uri}";

        // Our own handler for a short connect timeout. Build() sets the HttpClient's own timeout to 30 min whatever it was;
        // WithTimeout is what bounds each request.
        var handler = new SocketsHttpHandler { ConnectTimeout = ConnectTimeout };
        _client = new MinioClient()
            .WithEndpoint(options.Host, options.Port)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithSSL(options.Tls)
            .WithRegion(options.Region) // known region: no GetBucketLocation round trip, which some S3 servers lack
            .WithTimeout((int)options.RequestTimeout.TotalMilliseconds)
            .WithHttpClient(new HttpClient(handler, disposeHandler: true), disposeHttpClient: true)
            .Build();
    }

    /// <summary><c>s3 http(s)://host:port/bucket</c>.</summary>
    public string Description { get; }

    private string Where => "evidence store " + Description;

    /// <summary>
    /// Finds or creates the bucket, then puts, stats and removes a small probe object (<c>_vision/probe-*</c>) to prove
    /// the credentials may write, read and delete there and that metadata survives the round trip.
    /// </summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        bool? exists;
        try
        {
            exists = await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(_options.Bucket), ct).ConfigureAwait(false);
        }
        catch (AccessDeniedException)
        {
            // A 403 to HEAD has no body, so it cannot say whether the key is unknown or just lacks s3:ListBucket; the probe put tells.
            exists = null;
        }
        catch (Exception e) when (IsFailure(e, ct))
        {
            throw Translate(e, $"look up bucket '{_options.Bucket}'", key: null);
        }

        if (exists == false)
        {
            try
            {
                await _client.MakeBucketAsync(new MakeBucketArgs().WithBucket(_options.Bucket).WithLocation(_options.Region), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBucketAlreadyThere(e))
            {
                // Another node created it meanwhile (s3rver also answers BucketAlreadyExists to its owner); the probe shows whether we may use it.
            }
            catch (Exception e) when (IsFailure(e, ct))
            {
                throw Translate(e, $"create bucket '{_options.Bucket}'", key: null);
            }
        }

        await ProbeAsync(ct).ConfigureAwait(false);
    }

    public async Task PutAsync(EvidenceObject item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckKey(item.Key);
        var headers = S3UserMetadata.ToHeaders(item.Metadata, item.Sha256);
        string contentType = string.IsNullOrWhiteSpace(item.ContentType) ? "application/octet-stream" : item.ContentType;

        FileStream file;
        try
        {
            file = new FileStream(item.SourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvidenceStoreException(EvidenceStoreFailure.LocalIo,
                $"cannot read '{item.SourcePath}' to put it into {Where} as '{item.Key}' ({e.Message}): check that the file exists and is readable", e);
        }

        await using (file.ConfigureAwait(false))
        {
            var args = new PutObjectArgs()
                .WithBucket(_options.Bucket)
                .WithObject(item.Key)
                .WithStreamData(file)
                .WithObjectSize(file.Length)
                .WithContentType(contentType)
                .WithHeaders(headers);
            try
            {
                await _client.PutObjectAsync(args, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IsFailure(e, ct))
            {
                throw Translate(e, $"put '{item.Key}' into bucket '{_options.Bucket}'", item.Key);
            }
        }
    }

    public async Task<StoredObjectInfo?> StatAsync(string key, CancellationToken ct)
    {
        CheckKey(key);
        Minio.DataModel.ObjectStat stat;
        try
        {
            stat = await _client.StatObjectAsync(new StatObjectArgs().WithBucket(_options.Bucket).WithObject(key), ct).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (IsFailure(e, ct))
        {
            throw Translate(e, $"stat '{key}' in bucket '{_options.Bucket}'", key);
        }
        var (sha256, metadata) = S3UserMetadata.FromStat(stat.MetaData);
        return new StoredObjectInfo(key, stat.Size, sha256, string.IsNullOrEmpty(stat.ContentType) ? null : stat.ContentType, metadata);
    }

    /// <summary>Streams the object into <paramref name="destination"/>; on failure part of it may already be written there.</summary>
    public async Task GetAsync(string key, Stream destination, CancellationToken ct)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(destination);
        var args = new GetObjectArgs()
            .WithBucket(_options.Bucket)
            .WithObject(key)
            .WithCallbackStream((body, token) => CopyToDestinationAsync(body, destination, key, token));
        try
        {
            await _client.GetObjectAsync(args, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e, ct))
        {
            throw Translate(e, $"read '{key}' from bucket '{_options.Bucket}'", key);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        CheckKey(key);
        try
        {
            // One object per request: multi-object delete is not needed here and some S3 servers get it wrong.
            await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_options.Bucket).WithObject(key), ct).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            // S3 answers 204 for a missing key; a server that says 404 instead means the same.
        }
        catch (Exception e) when (IsFailure(e, ct))
        {
            throw Translate(e, $"delete '{key}' from bucket '{_options.Bucket}'", key);
        }
    }

    /// <summary>
    /// A presigned GET URL, computed locally (no request; it does not check that the object exists). It carries the
    /// access key id (not the secret) and works for anyone until it expires: hand it out, do not log it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expiry"/> is under 1 s or over 7 days (the S3 limit)</exception>
    public async Task<Uri?> PresignGetAsync(string key, TimeSpan expiry, CancellationToken ct)
    {
        CheckKey(key);
        if (expiry < TimeSpan.FromSeconds(1) || expiry > MaxPresignExpiry)
            throw new ArgumentOutOfRangeException(nameof(expiry), expiry,
                $"a presigned URL for '{key}' must expire between 1 s and 7 days (S3's limit): pass an expiry in that range");
        ct.ThrowIfCancellationRequested();
        var args = new PresignedGetObjectArgs().WithBucket(_options.Bucket).WithObject(key).WithExpiry((int)expiry.TotalSeconds);
        try
        {
            return new Uri(await _client.PresignedGetObjectAsync(args).ConfigureAwait(false));
        }
        catch (Exception e) when (IsFailure(e, ct))
        {
            throw Translate(e, $"presign a GET of '{key}' in bucket '{_options.Bucket}'", key);
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task ProbeAsync(CancellationToken ct)
    {
        string key = ProbePrefix + Guid.NewGuid().ToString("N");
        byte[] content = Encoding.ASCII.GetBytes("vision evidence store probe " + DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        string path = Path.Combine(Path.GetTempPath(), $"vision-s3-probe-{Guid.NewGuid():N}");
        try
        {
            try
            {
                await File.WriteAllBytesAsync(path, content, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EvidenceStoreException(EvidenceStoreFailure.LocalIo,
                    $"cannot write the probe file '{path}' to check {Where} ({e.Message}): check the temp folder (TMPDIR)", e);
            }
            await PutAsync(new EvidenceObject(key, path, "text/plain", sha256, new Dictionary<string, string>()), ct).ConfigureAwait(false);
            var stat = await StatAsync(key, ct).ConfigureAwait(false);
            if (stat is null || stat.Size != content.Length || stat.Sha256 != sha256)
            {
                string seen = stat is null ? "nothing" : $"{stat.Size} bytes, sha256 {stat.Sha256 ?? "missing"}";
                throw new EvidenceStoreException(EvidenceStoreFailure.Other,
                    $"{Where} gave back {seen} for the probe '{key}' just put ({content.Length} bytes, sha256 {sha256}): check that the server and any proxy keep objects and x-amz-meta-* headers");
            }
            await DeleteAsync(key, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task CopyToDestinationAsync(Stream body, Stream destination, string key, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new EvidenceStoreException(EvidenceStoreFailure.LocalIo,
                        $"cannot write '{key}' to its local destination ({e.Message}): check the disk (space, permissions)", e);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The caller's own cancellation passes through untouched; our own exceptions too; everything else is translated.</summary>
    private static bool IsFailure(Exception e, CancellationToken ct) =>
        e is not EvidenceStoreException && !(e is OperationCanceledException && ct.IsCancellationRequested);

    private static bool IsBucketAlreadyThere(Exception e) => e switch
    {
        MinioException { Response.Code: "BucketAlreadyExists" or "BucketAlreadyOwnedByYou" } => true,
        // Minio 7.0.0 turns BucketAlreadyOwnedByYou into a plain ArgumentException.
        ArgumentException when e.Source == typeof(MinioClient).Assembly.GetName().Name
                               && e.Message.StartsWith("Bucket already owned by you", StringComparison.Ordinal) => true,
        _ => false,
    };

    /// <summary>
    /// The one place that turns what the SDK and HttpClient throw into an <see cref="EvidenceStoreException"/> (found
    /// against s3rver and a stub answering S3 errors, Minio 7.0.0). <paramref name="operation"/> completes "may not …"
    /// and "failed to …", e.g. <c>put 'k' into bucket 'b'</c>.
    /// </summary>
    private EvidenceStoreException Translate(Exception e, string operation, string? key)
    {
        string accessKey = $"access key '{_options.AccessKeyHint}'";
        string bucket = $"bucket '{_options.Bucket}'";
        string timeout = _options.RequestTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
        string? code = (e as MinioException)?.Response?.Code;

        var (kind, message, keepInner) = e switch
        {
            AuthorizationException => (EvidenceStoreFailure.Unauthorized,
                $"{Where} rejected the credentials ({accessKey}: {ServerText(e.Message)}): check VISION_S3_ACCESS_KEY and VISION_S3_SECRET_KEY or evidence.store.credentials_file", false),
            MinioException when code is "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken" => (EvidenceStoreFailure.Unauthorized,
                $"{Where} rejected the credentials ({accessKey}: {code}): check VISION_S3_ACCESS_KEY and VISION_S3_SECRET_KEY or evidence.store.credentials_file", false),
            MinioException when code is "AccessDenied" or "AllAccessDisabled" or "AccountProblem" => (EvidenceStoreFailure.Forbidden,
                $"{Where}: {accessKey} may not {operation} ({code}): grant it s3:PutObject, s3:GetObject and s3:DeleteObject on {bucket} (and s3:CreateBucket, or create the bucket)", false),
            // Minio's name for a 403 without a body (any HEAD): either unknown credentials or a missing permission.
            AccessDeniedException => (EvidenceStoreFailure.Forbidden,
                $"{Where} refused to {operation} (403 without details): check VISION_S3_ACCESS_KEY and VISION_S3_SECRET_KEY, and that {accessKey} may read and write {bucket}", false),
            ObjectNotFoundException => (EvidenceStoreFailure.NotFound,
                $"{Where} has no object '{key}': it was never put or has been deleted", false),
            BucketNotFoundException => (EvidenceStoreFailure.Other,
                $"{Where} has no {bucket} (answered 404 to {operation}): check evidence.store.bucket and that evidence.store.endpoint is the S3 server; the store check at start creates a missing bucket", false),
            MinioException when code is not null => (EvidenceStoreFailure.Other,
                $"{Where} failed to {operation}: the server answered {code} ({ServerText(e.Message)}): retry later; if it persists check the server's logs", false),
            // Minio 7.0.0 dereferences null on an error answer without a body other than 400/403/404 (a 5xx from a proxy, a HEAD).
            NullReferenceException when e.Source == typeof(MinioClient).Assembly.GetName().Name => (EvidenceStoreFailure.Other,
                $"{Where} failed to {operation}: the server answered an error without details: retry later; if it persists check the server's (or proxy's) logs", true),
            ConnectionException => (EvidenceStoreFailure.Unreachable,
                $"{Where} is unreachable ({ServerText(e.Message)}): check evidence.store.endpoint and that the server is running", false),
            MinioException => (EvidenceStoreFailure.Other,
                $"{Where} failed to {operation}: {ServerText(e.Message)}", false),
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => (EvidenceStoreFailure.Unreachable,
                $"{Where} failed the TLS handshake ({Innermost(e)}): check evidence.store.tls (false for a plain-http server) and that the server's certificate is trusted", true),
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse } => (EvidenceStoreFailure.Unreachable,
                $"{Where} dropped the connection without a valid answer while trying to {operation} ({Innermost(e)}): check evidence.store.tls (true for an https server) and that the server is running", true),
            HttpRequestException or SocketException or IOException => (EvidenceStoreFailure.Unreachable,
                $"{Where} is unreachable ({Innermost(e)}): check evidence.store.endpoint and that the server is running", true),
            // HttpClient.Timeout (the caller's own cancellation never gets here).
            OperationCanceledException => (EvidenceStoreFailure.Unreachable,
                $"{Where} did not answer within {timeout} while trying to {operation}: check evidence.store.endpoint, the network and the server's load", true),
            _ => (EvidenceStoreFailure.Other,
                $"{Where} failed to {operation}: {e.GetType().Name}: {e.Message}", true),
        };
        // The SDK's exceptions hold the signed request (its Authorization header names the whole access key), so they are
        // not attached; what they say is in the message. Transport exceptions carry no credentials and are kept.
        return new EvidenceStoreException(kind, Scrub(message), keepInner ? e : null);
    }

    /// <summary>Belt and braces: a server could echo a key in its error text.</summary>
    private string Scrub(string message)
    {
        if (_options.SecretKey.Length >= 4) message = message.Replace(_options.SecretKey, "***", StringComparison.Ordinal);
        if (_options.AccessKey.Length > 3) message = message.Replace(_options.AccessKey, _options.AccessKeyHint, StringComparison.Ordinal);
        return message;
    }

    private static string ServerText(string text)
    {
        const string prefix = "MinIO API responded with message=";
        string trimmed = text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
        trimmed = trimmed.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return trimmed.Length > 200 ? trimmed[..200] + "…" : trimmed;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return ServerText(e.Message);
    }

    /// <summary>Keys are '/'-separated relative paths; "." and ".." segments are refused because file-backed servers map keys to paths.</summary>
    private static void CheckKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        string? problem =
            Encoding.UTF8.GetByteCount(key) > 1024 ? "longer than 1024 bytes"
            : key.StartsWith('/') || key.EndsWith('/') ? "starts or ends with '/'"
            : key.Any(c => char.IsControl(c) || c == '\\') ? "holds a control character or '\\'"
            : key.Split('/').Any(s => s is "" or "." or "..") ? "has an empty, '.' or '..' segment"
            : null;
        if (problem is not null)
            throw new ArgumentException($"evidence object key '{key}' {problem}: keys are '/'-separated relative paths such as 2026/11/23/cam-1/case/clip.mp4", nameof(key));
    }

    private static void Validate(S3StoreOptions o)
    {
        static ArgumentException Bad(string message) => new(message, "options");
        if (string.IsNullOrWhiteSpace(o.Host) || Uri.CheckHostName(o.Host) == UriHostNameType.Unknown)
            throw Bad(o.Host?.Contains('@', StringComparison.Ordinal) == true
                ? "evidence.store.endpoint host holds '@': write it as host:port; credentials go in VISION_S3_ACCESS_KEY/VISION_S3_SECRET_KEY or evidence.store.credentials_file"
                : $"evidence.store.endpoint host '{o.Host}' is not a host name or IP address: write it as host:port, without scheme or path");
        if (o.Port is < 1 or > 65535)
            throw Bad($"evidence.store.endpoint port {o.Port} is out of range: use 1-65535 (MinIO's default is 9000)");
        if (o.Bucket is null || !IsValidBucketName(o.Bucket))
            throw Bad($"evidence.store.bucket '{o.Bucket}' is not a valid S3 bucket name: use 3-63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        if (string.IsNullOrWhiteSpace(o.Region))
            throw Bad("evidence.store.region is empty: set the region the server expects (us-east-1 for MinIO unless configured otherwise)");
        if (string.IsNullOrEmpty(o.AccessKey) || string.IsNullOrEmpty(o.SecretKey))
            throw Bad("S3 credentials are missing: set VISION_S3_ACCESS_KEY and VISION_S3_SECRET_KEY or evidence.store.credentials_file");
        if (o.RequestTimeout <= TimeSpan.Zero || o.RequestTimeout > TimeSpan.FromHours(1))
            throw Bad($"S3 request timeout {o.RequestTimeout} is out of range: use more than 0 s and at most 1 h");
    }

    private static bool IsValidBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("..", StringComparison.Ordinal);
}

/// <summary>
/// Turns evidence metadata into S3 user metadata headers and back. S3 sends user metadata as HTTP headers, which must be
/// US-ASCII, so a value that is not plain printable ASCII (Chinese text, control characters, leading or trailing blanks that
/// HTTP would trim, or one that itself looks encoded) is stored as one RFC 2047 encoded word, <c>=?UTF-8?B?base64?=</c>,
/// the form AWS documents for non-ASCII metadata; reading decodes it. Keys are stored lower-case, as S3 does.
/// </summary>
internal static class S3UserMetadata
{
    public const string HeaderPrefix = "x-amz-meta-";
    public const string Sha256Key = "sha256";

    /// <summary>AWS's limit on user metadata: UTF-8 bytes of all keys and values together.</summary>
    public const int MaxBytes = 2048;

    private const string EncodedPrefix = "=?UTF-8?B?";
    private const string EncodedSuffix = "?=";

    /// <summary>Keys the SDK reports beside user metadata on a stat, so they cannot be told apart from it there.</summary>
    private static readonly HashSet<string> ReservedKeys = new(StringComparer.Ordinal)
    {
        Sha256Key, "content-type", "cache-control", "content-encoding", "content-disposition", "x-amz-acl", "x-minio-extract",
    };

    /// <exception cref="ArgumentException">a key is not plain ASCII or is reserved, or the whole is over 2 KB</exception>
    public static Dictionary<string, string> ToHeaders(IReadOnlyDictionary<string, string> metadata, string sha256)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (sha256 is not { Length: 64 } || !sha256.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"evidence sha256 '{sha256}' is not 64 hex digits: pass the file's SHA-256 in hex", nameof(sha256));
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        int bytes = 0;
        foreach (var (rawKey, value) in metadata)
        {
            string key = rawKey.ToLowerInvariant();
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new ArgumentException($"evidence metadata key '{rawKey}' must be ASCII letters, digits, '-', '_' or '.'", nameof(metadata));
            if (IsReserved(key))
                throw new ArgumentException($"evidence metadata key '{rawKey}' is reserved (sha256, content headers, x-amz-*, x-minio-*): rename it", nameof(metadata));
            string encoded = Encode(value ?? "");
            if (!headers.TryAdd(HeaderPrefix + key, encoded))
                throw new ArgumentException($"evidence metadata has key '{key}' twice once lower-cased (S3 lower-cases keys): keep one", nameof(metadata));
            bytes += key.Length + encoded.Length;
        }
        headers[HeaderPrefix + Sha256Key] = sha256.ToLowerInvariant();
        bytes += Sha256Key.Length + sha256.Length;
        if (bytes > MaxBytes)
            throw new ArgumentException($"evidence metadata is {bytes} bytes once encoded, over S3's {MaxBytes}-byte limit for user metadata: shorten the values", nameof(metadata));
        return headers;
    }

    /// <summary>User metadata from the SDK's stat (it strips <c>x-amz-meta-</c>), decoded, without <c>sha256</c>, which comes back apart.</summary>
    public static (string? Sha256, IReadOnlyDictionary<string, string> Metadata) FromStat(IReadOnlyDictionary<string, string> statMetadata)
    {
        string? sha256 = null;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawKey, value) in statMetadata)
        {
            string key = rawKey.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase) ? rawKey[HeaderPrefix.Length..] : rawKey;
            key = key.ToLowerInvariant();
            if (key == Sha256Key) sha256 = Decode(value).ToLowerInvariant();
            else if (!IsReserved(key)) metadata[key] = Decode(value);
        }
        return (sha256, metadata);
    }

    private static bool IsReserved(string key) =>
        ReservedKeys.Contains(key) || key.StartsWith("x-amz-", StringComparison.Ordinal) || key.StartsWith("x-minio-", StringComparison.Ordinal);

    public static string Encode(string value) =>
        NeedsEncoding(value) ? EncodedPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + EncodedSuffix : value;

    /// <summary>Decodes one <c>=?UTF-8?B?…?=</c> word (any case); any other value is returned as it is.</summary>
    public static string Decode(string value)
    {
        if (value.Length < EncodedPrefix.Length + EncodedSuffix.Length
            || !value.StartsWith(EncodedPrefix, StringComparison.OrdinalIgnoreCase)
            || !value.EndsWith(EncodedSuffix, StringComparison.Ordinal))
            return value;
        string base64 = value[EncodedPrefix.Length..^EncodedSuffix.Length];
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(base64));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return value;
        }
    }

    private static bool NeedsEncoding(string value) =>
        value.Any(c => c is < ' ' or > '~')
        || value.StartsWith("=?", StringComparison.Ordinal)
        || (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '));
}
