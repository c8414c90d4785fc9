using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vision.Dispatch;
using Vision.Pipeline;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Cases;

// Dispatch benchmark, two parts, printed as figures:
//  1. cases/s through case store + outbox + signed webhook to a receiver on loopback (it checks each signature and
//     idempotency key), and the latency from "case confirmed and stored" to "receiver accepted" (p50, p99);
//  2. review-queue queries on a case store holding --million cases (default 1,000,000).
// Usage: dotnet run -c Release --project bench/Vision.DispatchBench -- [--cases 2000] [--cameras 20] [--million 1000000]
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string fallback) => args.SkipWhile(x => x != name).Skip(1).FirstOrDefault() ?? fallback;
int caseCount = int.Parse(Arg("--cases", "2000"), inv);
int cameraCount = int.Parse(Arg("--cameras", "20"), inv);
int million = int.Parse(Arg("--million", "1000000"), inv);
double pacedRate = double.Parse(Arg("--rate", "20"), inv);
byte[] key = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
var signature = new WebhookSignature("bench", key);

// ---- the receiver: verifies, dedupes by Idempotency-Key, notes when each case arrived
var received = new ConcurrentDictionary<string, long>();
int rejected = 0;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
var app = builder.Build();
app.MapPost("/cases", async (HttpRequest request) =>
{
    using var buffer = new MemoryStream();
    await request.Body.CopyToAsync(buffer);
    var verdict = signature.Verify(request.Headers[WebhookSignature.TimestampHeader], request.Headers[WebhookSignature.SignatureHeader], buffer.ToArray(), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    if (verdict != VerificationResult.Valid) { Interlocked.Increment(ref rejected); return Results.StatusCode(401); }
    received.TryAdd(request.Headers[WebhookSignature.IdempotencyKeyHeader].ToString(), Stopwatch.GetTimestamp());
    return Results.StatusCode(201);
});
await app.StartAsync();
var url = new Uri(app.Urls.First() + "/cases");

// ---- part 1: store + outbox + webhook
string spool = Directory.CreateTempSubdirectory("vision-dispatch-bench-").FullName;
var db = new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate();
var cases = new CaseStore(db);
var catalog = new EvidenceCatalog(db);
var config = VisionConfigLoader.Parse($$"""
    detector: { model: yolox_nano }
    dispatch: { url: "{{url}}", timeout: 10s }
    cameras:
      - id: cam-0
        zones: [{ id: kerb, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]
        rules: [{ id: rule-0, type: illegal_parking, zones: [kerb] }]
    """, "bench.yaml");
var source = new DispatchCaseSource(cases, catalog, new LocalFolderEvidenceStore(Path.Combine(spool, "store")), TimeSpan.FromMinutes(10));
var publisher = new DispatchPublisher(new Outbox(db), source, new RunningConfig(config), signature, new HttpClient(), TimeProvider.System, NullLogger.Instance);
using var stop = new CancellationTokenSource();
var publishing = publisher.RunAsync(stop.Token);
var releasedAt = new ConcurrentDictionary<string, long>();
int serial = 0;

async Task ReleaseAsync(int count, double? perSecond)
{
    var pace = Stopwatch.StartNew();
    for (int i = 0; i < count; i++)
    {
        if (perSecond is { } rate && pace.Elapsed.TotalSeconds < i / rate) await Task.Delay(TimeSpan.FromSeconds(i / rate) - pace.Elapsed);
        int n = serial++;
        string camera = $"cam-{n % cameraCount}";
        string caseId = $"{camera}-bench-{n:D6}";
        var now = DateTimeOffset.UtcNow;
        string prefix = EvidenceKeys.Prefix(camera, caseId, now);
        var spooled = new SpooledCase(caseId, camera, "rule-0", "illegal_parking", now, prefix,
            [new SpooledObject("photo-1.jpg", prefix + "photo-1.jpg", 1, new string('0', 64), "image/jpeg", "confirmation"),
             new SpooledObject("manifest.json", prefix + "manifest.json", 1, new string('0', 64), "application/json", "manifest")]);
        string record = System.Text.Json.JsonSerializer.Serialize(new CaseRecord(caseId, camera, camera, "rule-0", "r", "v1", "illegal_parking", "kerb",
            now.AddMinutes(-3).ToString("O"), now.ToString("O"), 180, [new CaseObject(1, "car", 0.9, new PixelBox(1, 2, 3, 4))], new FrameSize(1280, 720),
            new CaseEvidence([], null, null)), CaseJson.Options);
        await cases.AddAsync(new NewCase(caseId, camera, "rule-0", "illegal_parking", "kerb", now.AddMinutes(-3), now, 0.9, record), spooled, now, CancellationToken.None);
        await catalog.MarkStoredAsync(caseId, now, ReleasePolicy.OnDetection, CancellationToken.None);
        releasedAt[caseId] = Stopwatch.GetTimestamp();
        publisher.Wake();
    }
}

List<double> Latencies(int from) => received.Where(r => int.Parse(r.Key[(r.Key.LastIndexOf('-') + 1)..], inv) >= from)
    .Select(r => Stopwatch.GetElapsedTime(releasedAt[r.Key], r.Value).TotalMilliseconds).Order().ToList();
static double P(List<double> sorted, double q) => sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];

// Saturation: release as fast as the store takes them, measure cases/s end to end.
var wall = Stopwatch.StartNew();
await ReleaseAsync(caseCount, null);
double storeSeconds = wall.Elapsed.TotalSeconds;
while (received.Count < caseCount) await Task.Delay(5);
wall.Stop();
var saturated = Latencies(0);
Console.WriteLine(string.Create(inv, $"dispatch, saturated: {caseCount} cases from {cameraCount} cameras stored, released and delivered in {wall.Elapsed.TotalSeconds:0.00} s = {caseCount / wall.Elapsed.TotalSeconds:0} cases/s (store + outbox alone: {caseCount / storeSeconds:0} cases/s); {rejected} rejected signatures, {received.Count} accepted; backlog latency p50 {P(saturated, 0.5):0} ms"));

// Paced: a steady rate well below capacity, as cameras produce cases; latency release → accepted.
int pacedCount = (int)Math.Max(100, pacedRate * 10);
int firstPaced = serial;
await ReleaseAsync(pacedCount, pacedRate);
while (received.Count < caseCount + pacedCount) await Task.Delay(5);
await stop.CancelAsync();
await publishing;
var latencies = Latencies(firstPaced);
Console.WriteLine(string.Create(inv, $"dispatch, paced at {pacedRate:0} cases/s ({pacedCount} cases): latency release → receiver accepted p50 {P(latencies, 0.5):0.0} ms, p99 {P(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms"));

// ---- part 2: the review queue over a big case store
if (million > 0)
{
    string bigPath = Path.Combine(spool, "big.db");
    var big = new SqliteCaseDatabase(bigPath).Migrate();
    var fill = Stopwatch.StartNew();
    using (var connection = big.OpenSqlite())
    {
        using (var off = connection.CreateCommand()) { off.CommandText = "PRAGMA synchronous=OFF"; off.ExecuteNonQuery(); }
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO cases (case_id, camera_id, rule_id, violation, zone_id, started_at_ms, confirmed_at_ms, confidence, status, status_at_ms, record) VALUES ($id, $camera, $rule, $violation, $zone, $start, $at, 0.8, $status, $at, '{}')";
        var p = new[] { "$id", "$camera", "$rule", "$violation", "$zone", "$start", "$at", "$status" }.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
        string[] types = ["illegal_parking", "street_stall", "litter"];
        string[] statuses = ["auto_captured", "confirmed", "rejected", "dispatched", "dispatched", "dispatched"];
        long start = DateTimeOffset.UtcNow.AddDays(-180).ToUnixTimeMilliseconds();
        var random = new Random(7);
        for (int i = 0; i < million; i++)
        {
            long at = start + (long)i * 180 * 86_400_000L / million;
            p[0].Value = $"case-{i:D7}"; p[1].Value = $"cam-{random.Next(500):D3}"; p[2].Value = "rule"; p[3].Value = types[random.Next(3)];
            p[4].Value = "kerb"; p[5].Value = at - 180_000; p[6].Value = at; p[7].Value = statuses[random.Next(statuses.Length)];
            insert.ExecuteNonQuery();
        }
        tx.Commit();
        using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        analyze.ExecuteNonQuery();
    }
    Console.WriteLine(string.Create(inv, $"case store: {million:N0} cases written in {fill.Elapsed.TotalSeconds:0.0} s ({new FileInfo(bigPath).Length / 1e6:0} MB)"));
    var store = new CaseStore(big);
    var now = DateTimeOffset.UtcNow;
    var queries = new (string Name, CaseQuery Query)[]
    {
        ("review queue: auto_captured, newest 50", new CaseQuery(CaseStatus.AutoCaptured, Limit: 50)),
        ("review queue page 100 (offset 4950)", new CaseQuery(CaseStatus.AutoCaptured, Limit: 50, Offset: 4950)),
        ("one camera, newest 50", new CaseQuery(CameraId: "cam-042", Limit: 50)),
        ("one type + status, newest 50", new CaseQuery(CaseStatus.AutoCaptured, Violation: "litter", Limit: 50)),
        ("last 24 h, newest 50", new CaseQuery(From: now.AddDays(-1), Limit: 50)),
        ("camera + type + last 7 days", new CaseQuery(CameraId: "cam-042", Violation: "street_stall", From: now.AddDays(-7), Limit: 50)),
    };
    foreach (var (name, query) in queries)
    {
        await store.ListAsync(query, CancellationToken.None);
        var timer = Stopwatch.StartNew();
        const int runs = 20;
        int rows = 0;
        for (int r = 0; r < runs; r++) rows = (await store.ListAsync(query, CancellationToken.None)).Count;
        Console.WriteLine(string.Create(inv, $"  {name,-42} {timer.Elapsed.TotalMilliseconds / runs,7:0.00} ms ({rows} rows)"));
    }
    foreach (var (name, query) in new[] { ("counts per status, all", new CaseQuery()), ("counts per status, one camera", new CaseQuery(CameraId: "cam-042")), ("counts per status, last 24 h", new CaseQuery(From: now.AddDays(-1))) })
    {
        var timer = Stopwatch.StartNew();
        await store.CountByStatusAsync(query, CancellationToken.None);
        Console.WriteLine(string.Create(inv, $"  {name,-42} {timer.Elapsed.TotalMilliseconds,7:0.00} ms"));
    }
}
await app.StopAsync();
Directory.Delete(spool, recursive: true);
return 0;
