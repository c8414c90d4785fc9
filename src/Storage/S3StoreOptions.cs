using System.Globalization;
using System.Text;

namespace Vision.Storage;

/// <summary>
/// Where and how to reach an S3-compatible evidence store (MinIO, AWS S3, Ceph, s3rver in tests): path-style
/// requests to <c>http(s)://Host:Port/Bucket/key</c>, signed with AWS Signature V4 for <paramref name="Region"/>.
/// Printing these options (<see cref="ToString"/>) shows the access key's first characters only and never the secret key.
/// </summary>
/// <param name="Host">Host name or IP address, without scheme, port or path.</param>
/// <param name="Tls">True for https.</param>
/// <param name="Region">The region requests are signed for, e.g. <c>us-east-1</c> (MinIO's default).</param>
public sealed record S3StoreOptions(string Host, int Port, bool Tls, string Bucket, string Region, string AccessKey, string SecretKey)
{
    /// <summary>
    /// The longest one HTTP request may take (one part of a multipart upload, a stat, a whole download) before the store
    /// counts as unreachable. Uploads are sent in parts of at most 5 MiB, so 60 s allows links down to about 0.7 Mb/s.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>http(s)://host:port</c>; no credentials.</summary>
    public Uri Endpoint => new UriBuilder(Tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, Host, Port).Uri;

    /// <summary>The access key's first 3 characters and an ellipsis, enough to tell keys apart in messages (all hidden when it is that short).</summary>
    public string AccessKeyHint => AccessKey is { Length: > 3 } ? AccessKey[..3] + "…" : "…";

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture,
            $"Host = {Host}, Port = {Port}, Tls = {Tls}, Bucket = {Bucket}, Region = {Region}, AccessKey = {AccessKeyHint}, SecretKey = ***, RequestTimeout = {RequestTimeout}");
        return true;
    }
}
