using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vision.Pipeline.Tests.Live;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>
/// <c>vision run</c> with its evidence store on a real S3 server (s3rver on loopback) and the real model on the
/// shared bottle footage, played as a live camera: the keys, metadata and links officers and the dispatch core get,
/// verification and tamper detection, and an outage with a SIGKILL in the middle.
/// </summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class EvidenceStoreServiceTests
{
    private const string Bucket = "vision-live";
    private const string SigningKey = "8f4c2a1e9b7d6c5a4f3e2d1c0b9a8f7e";

    private static string Config(S3TestServer server, string footage) => $$"""
        detector: { model: yolox_nano }
        evidence:
          directory: WORK/evidence
          pre_roll: 2s
          post_roll: 2s
          store: { type: s3, endpoint: "http://127.0.0.1:{{server.Port}}", bucket: {{Bucket}}, presign_expiry: 2m }
        recording: { directory: WORK/recordings, keep: 30s }
        cameras:
          - id: cam-bottles
            name: 测试路口
            source: {{footage}}
            analysis: { fps: 2, max_width: 1280 }
            zones:
              - { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }
            rules:
              - { id: litter-table, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 5s, cooldown: 10m }

        """;

    private static Dictionary<string, string> Environment(string accessKey = S3TestServer.AccessKey) => new()
    {
        ["VISION_S3_ACCESS_KEY"] = accessKey,
        ["VISION_S3_SECRET_KEY"] = S3TestServer.SecretKey,
        ["VISION_EVIDENCE_KEY"] = SigningKey,
    };

    private static IEnumerable<string> KeysOf(JsonElement c)
    {
        var evidence = c.GetProperty("evidence");
        foreach (var photo in evidence.GetProperty("photos").EnumerateArray())
        {
            yield return photo.GetProperty("key").GetString()!;
            // Every annotated photo has its untouched original beside it (the close-up shares the confirmation's).
            if (photo.TryGetProperty("original", out var original) && original.ValueKind == JsonValueKind.Object) yield return original.GetProperty("key").GetString()!;
        }
        if (evidence.GetProperty("clip").ValueKind == JsonValueKind.Object) yield return evidence.GetProperty("clip").GetProperty("key").GetString()!;
        yield return evidence.GetProperty("manifestKey").GetString()!;
    }

    private static bool Stored(S3TestServer server, JsonElement c) => KeysOf(c).All(server.ObjectKeys(Bucket).Contains);

    [S3WithFootageFact]
    public async Task A_live_case_lands_under_its_keys_with_metadata_downloads_identical_by_presigned_link_and_any_changed_byte_is_reported()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var server = await S3TestServer.StartAsync();
        await using var vision = await VisionProcess.StartAsync(Config(server, footage), environment: Environment());
        await vision.WaitUntilAsync(() => Task.FromResult(vision.Cases().Count >= 1 && Stored(server, vision.Cases()[0])), TimeSpan.FromSeconds(90), "a first case in the bucket");
        await vision.TerminateAsync(TimeSpan.FromSeconds(12));

        var first = vision.Cases()[0];
        string caseId = first.GetProperty("caseId").GetString()!;
        string confirmedDay = first.GetProperty("confirmedAt").GetString()![..10].Replace('-', '/');
        Assert.All(KeysOf(first), key => Assert.StartsWith($"{confirmedDay}/cam-bottles/{caseId}/", key));

        using var store = new S3EvidenceStore(server.Options(Bucket));
        var photo = first.GetProperty("evidence").GetProperty("photos")[0];
        var stat = await store.StatAsync(photo.GetProperty("key").GetString()!, CancellationToken.None);
        Assert.Equal(("image/jpeg", photo.GetProperty("sha256").GetString()), (stat!.ContentType, stat.Sha256));
        Assert.Equal((caseId, "cam-bottles", "litter-table", "litter"), (stat.Metadata["case-id"], stat.Metadata["camera-id"], stat.Metadata["rule-id"], stat.Metadata["violation"]));

        string config = vision.ConfigPath;
        var urls = Vision(["evidence", "urls", "--config", config, "--case", caseId]);
        Assert.Equal(0, urls.ExitCode);
        var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(await DownloadAsync(store, first.GetProperty("evidence").GetProperty("manifestKey").GetString()!))).RootElement;
        using var http = new HttpClient();
        int fetched = 0;
        foreach (var item in manifest.GetProperty("objects").EnumerateArray())
        {
            string line = urls.Output.Split('\n').Single(l => l.Contains(Uri.EscapeDataString(item.GetProperty("key").GetString()!).Replace("%2F", "/", StringComparison.Ordinal), StringComparison.Ordinal));
            byte[] body = await http.GetByteArrayAsync(line[line.IndexOf("http", StringComparison.Ordinal)..].Trim());
            Assert.Equal(item.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(body)));
            fetched++;
        }
        Assert.True(fetched >= 2, urls.Output);

        var clean = Vision(["evidence", "verify", "--config", config, "--all"]);
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Contains($"ok       {caseId}", clean.Output);

        string photoFile = ObjectFile(server, photo.GetProperty("key").GetString()!);
        byte[] original = await File.ReadAllBytesAsync(photoFile);
        byte[] flipped = (byte[])original.Clone();
        flipped[flipped.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(photoFile, flipped);
        var tampered = Vision(["evidence", "verify", "--config", config, "--case", caseId]);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains($"{photo.GetProperty("key").GetString()}: SHA-256", tampered.Output);
        await File.WriteAllBytesAsync(photoFile, original);

        string manifestFile = ObjectFile(server, first.GetProperty("evidence").GetProperty("manifestKey").GetString()!);
        string text = await File.ReadAllTextAsync(manifestFile);
        await File.WriteAllTextAsync(manifestFile, text.Replace("\"litter-table\"", "\"litter-tablf\"", StringComparison.Ordinal));
        var edited = Vision(["evidence", "verify", "--config", config, "--case", caseId]);
        Assert.Equal(1, edited.ExitCode);
        Assert.Contains("signature does not match", edited.Output);
    }

    [S3WithFootageFact]
    public async Task With_the_store_down_detection_goes_on_into_the_spool_and_after_a_sigkill_and_restart_everything_uploads_once()
    {
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var server = await S3TestServer.StartAsync();
        await server.StopAsync();
        string work = Directory.CreateTempSubdirectory("vision-outage-").FullName;
        List<JsonElement> beforeKill;
        await using (var down = await VisionProcess.StartAsync(Config(server, footage), untilReady: false, environment: Environment(), workDirectory: work))
        {
            await down.WaitUntilAsync(() => Task.FromResult(down.Cases().Count >= 2), TimeSpan.FromSeconds(120), "two cases while the store is down");
            var ready = await down.TryGetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready!.StatusCode);
            // /readyz is open to probes and says only that; the store's address and problem are in /api/status (ops token).
            string readyBody = await ready.Content.ReadAsStringAsync();
            Assert.Contains("\"reason\":\"evidence store unreachable\"", readyBody);
            Assert.DoesNotContain($"{server.Port}", readyBody);
            Assert.Contains($"evidence store s3 http://127.0.0.1:{server.Port}/{Bucket} is unreachable", await down.GetStringAsync("/api/status"));
            Assert.Contains("vision_evidence_store_up 0", await down.GetStringAsync("/metrics"));
            await down.KillAsync();
            beforeKill = down.Cases();
        }
        Assert.Empty(server.ObjectKeys(Bucket));

        await server.RestartAsync();
        await using var back = await VisionProcess.StartAsync(Config(server, footage), environment: Environment(), workDirectory: work);
        await back.WaitUntilAsync(() => Task.FromResult(beforeKill.All(c => Stored(server, c))), TimeSpan.FromSeconds(60), "the spooled cases in the bucket");
        await back.TerminateAsync(TimeSpan.FromSeconds(12));

        var everyCase = back.Cases();
        var expected = everyCase.SelectMany(KeysOf).ToHashSet(StringComparer.Ordinal);
        var inBucket = server.ObjectKeys(Bucket).Where(k => !k.StartsWith("_vision/", StringComparison.Ordinal)).ToList();
        Assert.Subset(expected, inBucket.ToHashSet(StringComparer.Ordinal));
        Assert.Equal(inBucket.Count, inBucket.Distinct().Count());
        Assert.Equal(everyCase.Count, everyCase.Select(c => c.GetProperty("caseId").GetString()).Distinct().Count());
        var verify = Vision(["evidence", "verify", "--config", back.ConfigPath, "--all"]);
        Assert.True(verify.ExitCode == 0, verify.Output);
    }

    [S3Fact]
    public async Task Wrong_credentials_and_an_unreachable_endpoint_get_one_clear_message_without_the_secret()
    {
        await using var server = await S3TestServer.StartAsync();
        string dir = Directory.CreateTempSubdirectory("vision-check-").FullName;
        string config = Path.Combine(dir, "vision.yaml");
        string Yaml(int port) => $"detector: {{ model: yolox_nano }}\nevidence:\n  directory: {dir}/evidence\n  store: {{ type: s3, endpoint: \"http://127.0.0.1:{port}\", bucket: vision-check }}\n" +
            "cameras:\n  - id: cam-1\n    zones: [{ id: z, polygon: [[0, 0], [1, 0], [1, 1]] }]\n    rules: [{ id: r, type: litter, zones: [z] }]\n";

        await File.WriteAllTextAsync(config, Yaml(server.Port));
        var ok = Vision(["evidence", "check", "--config", config]);
        Assert.True(ok.ExitCode == 0, ok.Output);

        var wrong = Vision(["evidence", "check", "--config", config], Environment("NOT-A-KEY"));
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("rejected the credentials (access key 'NOT…'", wrong.Output);
        Assert.Contains("check VISION_S3_ACCESS_KEY and VISION_S3_SECRET_KEY", wrong.Output);
        Assert.DoesNotContain(S3TestServer.SecretKey, wrong.Output, StringComparison.Ordinal);

        await File.WriteAllTextAsync(config, Yaml(S3TestServer.FreePort()));
        var clock = Stopwatch.StartNew();
        var unreachable = Vision(["evidence", "check", "--config", config]);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("is unreachable", unreachable.Output);
        Assert.Contains("check evidence.store.endpoint and that the server is running", unreachable.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");

        var noCredentials = Vision(["evidence", "check", "--config", config], new Dictionary<string, string>());
        Assert.Equal(2, noCredentials.ExitCode);
        Assert.Contains("needs credentials: set VISION_S3_ACCESS_KEY and VISION_S3_SECRET_KEY", noCredentials.Output);
    }

    /// <summary>Where s3rver keeps an object's bytes on disk (to change one behind the store's back).</summary>
    private static string ObjectFile(S3TestServer server, string key) => Path.Combine(server.Directory, Bucket, key + "._S3rver_object");

    private static async Task<string> DownloadAsync(IEvidenceStore store, string key)
    {
        string path = Path.GetTempFileName();
        await using var file = File.Create(path);
        await store.GetAsync(key, file, CancellationToken.None);
        return path;
    }

    private static (int ExitCode, string Output) Vision(string[] args, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vision.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("VISION_S3_ACCESS_KEY");
        info.Environment.Remove("VISION_S3_SECRET_KEY");
        foreach (var (name, value) in environment ?? Environment()) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(true); throw new TimeoutException("vision did not finish"); }
        return (process.ExitCode, new StringBuilder().Append(stdout.Result).Append(stderr.Result).ToString());
    }
}

/// <summary>Needs s3rver and ../shared (model and footage); skipped with the reason when either is missing.</summary>
public sealed class S3WithFootageFactAttribute : FactAttribute
{
    public S3WithFootageFactAttribute()
    {
        Skip = S3TestServer.UnavailableReason ?? (SharedData.Available ? null : SharedData.MissingReason);
    }
}
