using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>S3EvidenceStore against a real s3rver on loopback (and a stub answering one S3 error where s3rver cannot).</summary>
public sealed class S3EvidenceStoreTests : IDisposable
{
    private const string Bucket = "vision-evidence";
    private const string Camera = "南京路·河南路口 东向 1号";

    private static readonly Dictionary<string, string> CaseMetadata = new()
    {
        ["case"] = "cam-1-20261123T101500-1a2b3c4d",
        ["camera"] = Camera,
        ["rule"] = "illegal_parking",
    };

    private readonly string _work = Path.Combine(Path.GetTempPath(), "vision-s3-tests-" + Guid.NewGuid().ToString("N"));

    public S3EvidenceStoreTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [S3Fact]
    public async Task Check_creates_the_missing_bucket_and_passes_again()
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket));
        Assert.False(Directory.Exists(Path.Combine(server.Directory, Bucket)));

        await store.CheckAsync(CancellationToken.None);
        Assert.True(Directory.Exists(Path.Combine(server.Directory, Bucket)));

        await store.CheckAsync(CancellationToken.None);
        Assert.Empty(server.ObjectKeys(Bucket)); // the probe is removed
        Assert.Equal($"s3 http://127.0.0.1:{server.Port}/{Bucket}", store.Description);
    }

    [S3Theory]
    [InlineData(300 * 1024, false)]
    [InlineData(20 * 1024 * 1024, true)]
    public async Task Put_then_stat_get_and_presigned_get_give_back_the_same_object(int size, bool multipart)
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket));
        await store.CheckAsync(CancellationToken.None);
        var (path, bytes, sha256) = WriteRandomFile("clip.mp4", size);
        const string key = "2026/11/23/cam-1/cam-1-20261123T101500-1a2b3c4d/clip.mp4";

        await store.PutAsync(new EvidenceObject(key, path, "video/mp4", sha256, CaseMetadata), CancellationToken.None);

        Assert.Equal([key], server.ObjectKeys(Bucket));
        Assert.Equal(multipart, server.RequestLog.Any(line => line.Contains("uploadId=", StringComparison.Ordinal)));
        // On the wire (and so on s3rver's disk) the Chinese camera name is an RFC 2047 word, plain ASCII.
        string onDisk = File.ReadAllText(Path.Combine(server.Directory, Bucket, key + "._S3rver_metadata.json"));
        Assert.Contains("\"x-amz-meta-camera\": \"=?UTF-8?B?", onDisk, StringComparison.Ordinal);

        var stat = await store.StatAsync(key, CancellationToken.None);
        Assert.NotNull(stat);
        Assert.Equal(key, stat.Key);
        Assert.Equal(size, stat.Size);
        Assert.Equal("video/mp4", stat.ContentType);
        Assert.Equal(sha256, stat.Sha256);
        Assert.Equal(CaseMetadata.OrderBy(p => p.Key), stat.Metadata.OrderBy(p => p.Key));

        using (var copy = new MemoryStream())
        {
            await store.GetAsync(key, copy, CancellationToken.None);
            Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()), "Get gave different bytes");
        }

        var url = await store.PresignGetAsync(key, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.NotNull(url);
        using var http = new HttpClient();
        byte[] fetched = await http.GetByteArrayAsync(url);
        Assert.True(bytes.AsSpan().SequenceEqual(fetched), "the presigned GET gave different bytes");
    }

    [S3Fact]
    public async Task Putting_a_key_twice_leaves_one_object_with_the_last_content()
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket));
        await store.CheckAsync(CancellationToken.None);
        const string key = "2026/11/23/cam-1/case-1/photo-1.jpg";
        var first = WriteRandomFile("first.jpg", 10_000);
        var second = WriteRandomFile("second.jpg", 12_345);

        await store.PutAsync(new EvidenceObject(key, first.Path, "image/jpeg", first.Sha256, CaseMetadata), CancellationToken.None);
        await store.PutAsync(new EvidenceObject(key, second.Path, "image/jpeg", second.Sha256, CaseMetadata), CancellationToken.None);

        Assert.Equal([key], server.ObjectKeys(Bucket));
        var stat = await store.StatAsync(key, CancellationToken.None);
        Assert.Equal(12_345, stat?.Size);
        Assert.Equal(second.Sha256, stat?.Sha256);
        using var copy = new MemoryStream();
        await store.GetAsync(key, copy, CancellationToken.None);
        Assert.Equal(second.Bytes, copy.ToArray());
    }

    [S3Fact]
    public async Task Delete_removes_the_object_and_deleting_again_is_fine()
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket));
        await store.CheckAsync(CancellationToken.None);
        const string key = "2026/11/23/cam-1/case-1/photo-2.jpg";
        var file = WriteRandomFile("photo.jpg", 5_000);
        await store.PutAsync(new EvidenceObject(key, file.Path, "image/jpeg", file.Sha256, CaseMetadata), CancellationToken.None);

        await store.DeleteAsync(key, CancellationToken.None);
        await store.DeleteAsync(key, CancellationToken.None);

        Assert.Empty(server.ObjectKeys(Bucket));
        Assert.Null(await store.StatAsync(key, CancellationToken.None));
        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.GetAsync(key, Stream.Null, CancellationToken.None));
        Assert.Equal(EvidenceStoreFailure.NotFound, e.Kind);
        Assert.Equal($"evidence store {store.Description} has no object '{key}': it was never put or has been deleted", e.Message);
    }

    [S3Fact]
    public async Task An_unknown_access_key_fails_the_check_as_unauthorized_without_showing_the_keys()
    {
        await using var server = await S3TestServer.StartAsync();
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        var options = server.Options(Bucket) with { AccessKey = "WRONGACCESSKEY42", SecretKey = secret };
        using var store = new S3EvidenceStore(options);

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.CheckAsync(CancellationToken.None));

        Assert.Equal(EvidenceStoreFailure.Unauthorized, e.Kind);
        Assert.False(e.Transient);
        Assert.StartsWith($"evidence store s3 http://127.0.0.1:{server.Port}/{Bucket} rejected the credentials (access key 'WRO…': ", e.Message);
        Assert.EndsWith("): check VISION_S3_ACCESS_KEY and VISION_S3_SECRET_KEY or evidence.store.credentials_file", e.Message);
        AssertNoSecrets(e, secret, "WRONGACCESSKEY42");
        Assert.False(Directory.Exists(Path.Combine(server.Directory, Bucket)));
    }

    [S3Fact]
    public async Task An_endpoint_with_nothing_listening_fails_fast_as_unreachable()
    {
        var options = new S3StoreOptions("127.0.0.1", S3TestServer.FreePort(), false, Bucket, "us-east-1", "S3RVER", "S3RVER");
        using var store = new S3EvidenceStore(options);
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.CheckAsync(CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(EvidenceStoreFailure.Unreachable, e.Kind);
        Assert.True(e.Transient);
        Assert.Equal($"evidence store s3 http://127.0.0.1:{options.Port}/{Bucket} is unreachable (Connection refused): check evidence.store.endpoint and that the server is running", e.Message);
    }

    [S3Fact]
    public async Task Https_to_a_plain_http_server_fails_naming_the_tls_setting()
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket) with { Tls = true });

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.CheckAsync(CancellationToken.None));

        Assert.Equal(EvidenceStoreFailure.Unreachable, e.Kind);
        Assert.StartsWith($"evidence store s3 https://127.0.0.1:{server.Port}/{Bucket} failed the TLS handshake (", e.Message);
        Assert.Contains("check evidence.store.tls", e.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task A_put_while_the_server_is_down_is_transient_and_works_after_it_is_back()
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket));
        await store.CheckAsync(CancellationToken.None);
        var before = WriteRandomFile("before.jpg", 20_000);
        var during = WriteRandomFile("during.jpg", 30_000);
        await store.PutAsync(new EvidenceObject("a/before.jpg", before.Path, "image/jpeg", before.Sha256, CaseMetadata), CancellationToken.None);

        await server.StopAsync();
        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() =>
            store.PutAsync(new EvidenceObject("a/during.jpg", during.Path, "image/jpeg", during.Sha256, CaseMetadata), CancellationToken.None));
        Assert.True(e.Transient, e.Message);
        Assert.Equal(EvidenceStoreFailure.Unreachable, e.Kind);

        await server.RestartAsync();
        await store.PutAsync(new EvidenceObject("a/during.jpg", during.Path, "image/jpeg", during.Sha256, CaseMetadata), CancellationToken.None);

        Assert.Equal(["a/before.jpg", "a/during.jpg"], server.ObjectKeys(Bucket));
        Assert.Equal(before.Sha256, (await store.StatAsync("a/before.jpg", CancellationToken.None))?.Sha256);
        Assert.Equal(during.Sha256, (await store.StatAsync("a/during.jpg", CancellationToken.None))?.Sha256);
    }

    [S3Fact]
    public async Task A_missing_source_file_is_a_local_error()
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket));
        string missing = Path.Combine(_work, "missing.jpg");

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() =>
            store.PutAsync(new EvidenceObject("a/missing.jpg", missing, "image/jpeg", new string('0', 64), CaseMetadata), CancellationToken.None));

        Assert.Equal(EvidenceStoreFailure.LocalIo, e.Kind);
        Assert.StartsWith($"cannot read '{missing}' to put it into evidence store {store.Description} as 'a/missing.jpg' (", e.Message);
    }

    [S3Fact]
    public async Task A_destination_that_cannot_be_written_is_a_local_error()
    {
        await using var server = await S3TestServer.StartAsync();
        using var store = new S3EvidenceStore(server.Options(Bucket));
        await store.CheckAsync(CancellationToken.None);
        var file = WriteRandomFile("photo.jpg", 50_000);
        await store.PutAsync(new EvidenceObject("a/photo.jpg", file.Path, "image/jpeg", file.Sha256, CaseMetadata), CancellationToken.None);

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.GetAsync("a/photo.jpg", new FullDiskStream(), CancellationToken.None));

        Assert.Equal(EvidenceStoreFailure.LocalIo, e.Kind);
        Assert.Equal("cannot write 'a/photo.jpg' to its local destination (No space left on device): check the disk (space, permissions)", e.Message);
    }

    [Fact]
    public async Task Access_denied_to_the_probe_put_is_forbidden_naming_the_permissions()
    {
        await using var stub = S3ErrorStub.Start(HttpStatusCode.Forbidden, "AccessDenied", "Access Denied");
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        using var store = new S3EvidenceStore(new S3StoreOptions("127.0.0.1", stub.Port, false, Bucket, "us-east-1", "AKIAIOSFODNN7EXAMPLE", secret));

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.CheckAsync(CancellationToken.None));

        Assert.Equal(EvidenceStoreFailure.Forbidden, e.Kind);
        Assert.Matches(
            $@"^evidence store s3 http://127\.0\.0\.1:{stub.Port}/{Bucket}: access key 'AKI…' may not put '_vision/probe-[0-9a-f]{{32}}' into bucket '{Bucket}' \(AccessDenied\): " +
            $@"grant it s3:PutObject, s3:GetObject and s3:DeleteObject on bucket '{Bucket}' \(and s3:CreateBucket, or create the bucket\)$",
            e.Message);
        AssertNoSecrets(e, secret, "AKIAIOSFODNN7EXAMPLE");
    }

    [Fact]
    public async Task A_server_error_is_transient_and_quotes_the_server()
    {
        await using var stub = S3ErrorStub.Start(HttpStatusCode.ServiceUnavailable, "SlowDown", "Please reduce your request rate.");
        using var store = new S3EvidenceStore(new S3StoreOptions("127.0.0.1", stub.Port, false, Bucket, "us-east-1", "S3RVER", "S3RVER"));

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.CheckAsync(CancellationToken.None));

        Assert.Equal(EvidenceStoreFailure.Other, e.Kind);
        Assert.True(e.Transient);
        Assert.Matches(@"failed to put '_vision/probe-[0-9a-f]{32}' into bucket 'vision-evidence': the server answered SlowDown \(Please reduce your request rate\): retry later; if it persists check the server's logs$", e.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_unreachable()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (the backlog does) and never answers
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var options = new S3StoreOptions("127.0.0.1", port, false, Bucket, "us-east-1", "S3RVER", "S3RVER") { RequestTimeout = TimeSpan.FromSeconds(1) };
        using var store = new S3EvidenceStore(options);
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<EvidenceStoreException>(() => store.CheckAsync(CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(EvidenceStoreFailure.Unreachable, e.Kind);
        Assert.Equal($"evidence store s3 http://127.0.0.1:{port}/{Bucket} did not answer within 1 s while trying to look up bucket '{Bucket}': check evidence.store.endpoint, the network and the server's load", e.Message);
    }

    [Fact]
    public async Task Cancelling_is_not_translated()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var store = new S3EvidenceStore(new S3StoreOptions("127.0.0.1", ((IPEndPoint)silent.LocalEndpoint).Port, false, Bucket, "us-east-1", "S3RVER", "S3RVER"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.StatAsync("a/b.jpg", cts.Token));
    }

    [Fact]
    public void Printed_options_hide_the_secret_key_and_most_of_the_access_key()
    {
        var options = new S3StoreOptions("minio.local", 9000, true, Bucket, "us-east-1", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

        string printed = options.ToString();

        Assert.Equal(
            "S3StoreOptions { Host = minio.local, Port = 9000, Tls = True, Bucket = vision-evidence, Region = us-east-1, AccessKey = AKI…, SecretKey = ***, RequestTimeout = 00:01:00 }",
            printed);
        using var store = new S3EvidenceStore(options);
        Assert.Equal("s3 https://minio.local:9000/vision-evidence", store.Description);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(7 * 24 * 3600 + 1)]
    public async Task A_presign_expiry_outside_1_s_to_7_days_is_refused(double seconds)
    {
        using var store = new S3EvidenceStore(new S3StoreOptions("127.0.0.1", 9000, false, Bucket, "us-east-1", "S3RVER", "S3RVER"));

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.PresignGetAsync("a/b.jpg", TimeSpan.FromSeconds(seconds), CancellationToken.None));

        Assert.StartsWith("a presigned URL for 'a/b.jpg' must expire between 1 s and 7 days (S3's limit): pass an expiry in that range", e.Message);
    }

    [Theory]
    [InlineData("a//b.jpg")]
    [InlineData("/a/b.jpg")]
    [InlineData("a/../../b.jpg")]
    [InlineData("a/./b.jpg")]
    public async Task A_key_that_is_not_a_relative_path_is_refused(string key)
    {
        using var store = new S3EvidenceStore(new S3StoreOptions("127.0.0.1", 9000, false, Bucket, "us-east-1", "S3RVER", "S3RVER"));

        await Assert.ThrowsAsync<ArgumentException>(() => store.StatAsync(key, CancellationToken.None));
    }

    [Theory]
    [InlineData("南京路·河南路口 东向 1号")]
    [InlineData(" leading and trailing blanks ")]
    [InlineData("=?UTF-8?B?bG9va3MgZW5jb2RlZA==?=")]
    [InlineData("tab\tand\nnewline")]
    [InlineData("")]
    public void Metadata_values_that_are_not_plain_ascii_round_trip_encoded(string value)
    {
        var headers = S3UserMetadata.ToHeaders(new Dictionary<string, string> { ["Camera"] = value }, new string('a', 64));

        string sent = headers["x-amz-meta-camera"];
        Assert.All(sent, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(new string('a', 64), headers["x-amz-meta-sha256"]);
        var (sha256, metadata) = S3UserMetadata.FromStat(new Dictionary<string, string> { ["camera"] = sent, ["sha256"] = headers["x-amz-meta-sha256"], ["Content-Type"] = "image/jpeg" });
        Assert.Equal(new string('a', 64), sha256);
        Assert.Equal(new Dictionary<string, string> { ["camera"] = value }, metadata);
    }

    [Fact]
    public void Plain_ascii_metadata_is_sent_as_it_is()
    {
        var headers = S3UserMetadata.ToHeaders(new Dictionary<string, string> { ["rule"] = "illegal_parking (zone 3)" }, new string('b', 64));

        Assert.Equal("illegal_parking (zone 3)", headers["x-amz-meta-rule"]);
    }

    [Theory]
    [InlineData("sha256")]
    [InlineData("Content-Type")]
    [InlineData("x-amz-acl")]
    [InlineData("camera name")]
    [InlineData("相机")]
    public void Reserved_or_non_token_metadata_keys_are_refused(string key)
    {
        Assert.Throws<ArgumentException>(() => S3UserMetadata.ToHeaders(new Dictionary<string, string> { [key] = "x" }, new string('c', 64)));
    }

    [Fact]
    public void Metadata_over_2_kb_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => S3UserMetadata.ToHeaders(new Dictionary<string, string> { ["camera"] = new string('路', 600) }, new string('d', 64)));

        Assert.StartsWith("evidence metadata is 2", e.Message);
    }

    private (string Path, byte[] Bytes, string Sha256) WriteRandomFile(string name, int size)
    {
        byte[] bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        string path = Path.Combine(_work, Guid.NewGuid().ToString("N") + "-" + name);
        File.WriteAllBytes(path, bytes);
        return (path, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private static void AssertNoSecrets(Exception e, params string[] secrets)
    {
        string everything = e.ToString();
        foreach (string secret in secrets) Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
    }

    /// <summary>A destination on a full disk.</summary>
    private sealed class FullDiskStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("No space left on device"));
    }

    /// <summary>
    /// An S3 endpoint on loopback that says every bucket exists (HEAD 200) and answers everything else with one S3 error:
    /// the answers s3rver cannot give (it has no bucket policies and never fails).
    /// </summary>
    private sealed class S3ErrorStub : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _loop;

        private S3ErrorStub(HttpListener listener, int port, HttpStatusCode status, string code, string message)
        {
            _listener = listener;
            Port = port;
            _loop = Task.Run(() => ServeAsync(status, code, message));
        }

        public int Port { get; }

        public static S3ErrorStub Start(HttpStatusCode status, string code, string message)
        {
            for (int attempt = 0; ; attempt++)
            {
                int port = S3TestServer.FreePort();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    return new S3ErrorStub(listener, port, status, code, message);
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    listener.Close();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                // stopped
            }
        }

        private async Task ServeAsync(HttpStatusCode status, string code, string message)
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                await context.Request.InputStream.CopyToAsync(Stream.Null);
                var response = context.Response;
                if (context.Request.HttpMethod == "HEAD")
                {
                    response.StatusCode = 200;
                    response.Close();
                    continue;
                }
                byte[] body = Encoding.UTF8.GetBytes(
                    $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><Resource>{context.Request.Url?.AbsolutePath}</Resource><RequestId>stub</RequestId></Error>");
                response.StatusCode = (int)status;
                response.ContentType = "application/xml";
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
                response.Close();
            }
        }
    }
}
