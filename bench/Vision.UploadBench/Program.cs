using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Vision.Pipeline.Upload;
using Vision.Pipeline.Evidence;
using Vision.Storage;

// Evidence upload benchmark: real case files (a replay's --out folder) are spooled N times under new case ids and
// uploaded by the product's EvidenceUploader to an S3 endpoint. Prints throughput, CPU per case, and the spool growth
// per hour of store outage at the case rate and case size of that replay. Run it through bench/upload.sh, which
// starts s3rver on loopback.
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string fallback) => args.SkipWhile(x => x != name).Skip(1).FirstOrDefault() ?? fallback;
string from = Arg("--from", "out/demo");
string endpoint = Arg("--endpoint", "127.0.0.1:4568");
int copies = int.Parse(Arg("--copies", "10"), inv);
double footageSeconds = double.Parse(Arg("--footage-seconds", "0"), inv);
int[] concurrencies = Arg("--concurrency", "1,4").Split(',').Select(s => int.Parse(s, inv)).ToArray();

var templates = Directory.EnumerateFiles(from, "manifest.json", SearchOption.AllDirectories).Select(Path.GetDirectoryName).OfType<string>().Order().ToList();
if (templates.Count == 0) { Console.Error.WriteLine($"upload-bench: no case folders under {from}: run scripts/demo.sh first"); return 2; }
long templateBytes = templates.Sum(t => Directory.EnumerateFiles(t).Sum(f => new FileInfo(f).Length));
double meanCase = (double)templateBytes / templates.Count;
Console.WriteLine(string.Create(inv, $"templates: {templates.Count} real cases from {from}, mean {meanCase / 1e6:0.000} MB per case (photos + clip + manifest)"));

var (host, port) = (endpoint.Split(':')[0], int.Parse(endpoint.Split(':')[1], inv));
// The first pass warms up the JIT, the HTTP connection pool and the server; it is not reported.
await UploadPassAsync(4, 10, report: false);
foreach (int concurrency in concurrencies) await UploadPassAsync(concurrency, copies, report: true);

async Task UploadPassAsync(int concurrency, int copies, bool report)
{
    string spool = Directory.CreateTempSubdirectory("vision-upload-bench-").FullName;
    var catalog = new EvidenceCatalog(new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate());
    int n = 0;
    foreach (var copy in Enumerable.Range(0, copies))
        foreach (var template in templates)
        {
            string caseId = $"bench-{concurrency}-{(report ? "m" : "w")}{n++:D5}";
            string folder = Directory.CreateDirectory(Path.Combine(spool, caseId)).FullName;
            string prefix = EvidenceKeys.Prefix("bench", caseId, DateTimeOffset.UnixEpoch);
            var objects = new List<SpooledObject>();
            foreach (var file in Directory.EnumerateFiles(template).Order())
            {
                string name = Path.GetFileName(file);
                File.Copy(file, Path.Combine(folder, name));
                byte[] bytes = File.ReadAllBytes(file);
                objects.Add(new SpooledObject(name, prefix + name, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)),
                    name.EndsWith(".mp4", StringComparison.Ordinal) ? "video/mp4" : name.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "image/jpeg", name));
            }
            objects = [.. objects.Where(o => o.Name != "manifest.json"), .. objects.Where(o => o.Name == "manifest.json")];
            await catalog.AddSpooledAsync(new SpooledCase(caseId, "bench", "bench-rule", "litter", DateTimeOffset.UnixEpoch.AddSeconds(n), prefix, objects), DateTimeOffset.UtcNow, CancellationToken.None);
        }

    using var store = new S3EvidenceStore(new S3StoreOptions(host, port, false, $"bench-{concurrency}", "us-east-1", "S3RVER", "S3RVER"));
    await store.CheckAsync(CancellationToken.None);
    var allStored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    EvidenceUploader? uploader = null;
    uploader = new EvidenceUploader(store, catalog, spool, concurrency, TimeProvider.System, NullLogger.Instance,
        observers: new CaseObservers(new WhenStored(() => { if (uploader!.CasesStored == n) allStored.TrySetResult(); })));
    var process = Process.GetCurrentProcess();
    var cpu0 = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    using var stop = new CancellationTokenSource();
    var run = uploader.RunAsync(stop.Token);
    await allStored.Task;
    wall.Stop();
    await stop.CancelAsync();
    await run;
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpu0;
    double mb = uploader.BytesPut / 1e6;
    if (report) Console.WriteLine(string.Create(inv,
        $"concurrency {concurrency}: {uploader.CasesStored} cases, {uploader.ObjectsPut} objects, {mb:0.0} MB in {wall.Elapsed.TotalSeconds:0.00} s = {mb / wall.Elapsed.TotalSeconds:0.0} MB/s, {uploader.CasesStored / wall.Elapsed.TotalSeconds:0.0} cases/s; client CPU {cpu.TotalMilliseconds / uploader.CasesStored:0.0} ms per case ({cpu.TotalMilliseconds / Math.Max(mb, 0.001):0.0} ms per MB)"));
    Directory.Delete(spool, recursive: true);
}

if (footageSeconds > 0)
{
    double casesPerCameraHour = templates.Count / footageSeconds * 3600;
    Console.WriteLine(string.Create(inv, $"case rate of the footage: {templates.Count} cases in {footageSeconds:0} s = {casesPerCameraHour:0} cases per camera-hour"));
    foreach (int cameras in new[] { 1, 10, 100 })
        Console.WriteLine(string.Create(inv, $"spool growth during a store outage, {cameras,3} camera(s): {casesPerCameraHour * meanCase * cameras / 1e9:0.00} GB per hour"));
}
return 0;

/// <summary>Calls back as each case's evidence is stored.</summary>
sealed class WhenStored(Action stored) : ICaseObserver
{
    public void Stored(SpooledCase c, DateTimeOffset at) => stored();
}
