using System.Security.Cryptography;
using Vision.Pipeline.Evidence;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>
/// Case folders as the evidence writer leaves them in the spool (photos, clip, signed manifest), with random bytes
/// for content: for upload, outage and retention tests that need many cases or big clips without running the detector.
/// </summary>
internal static class SyntheticCases
{
    public static readonly ManifestSigner Signer = new("test-key", Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));

    public static WrittenCase Write(string spool, string cameraId, int index, DateTimeOffset confirmedAt, int clipBytes = 200_000, string violation = "illegal_parking")
    {
        string caseId = $"{cameraId}-{confirmedAt:yyyyMMdd'T'HHmmss}-{index:x8}";
        string prefix = EvidenceKeys.Prefix(cameraId, caseId, confirmedAt);
        string folder = Directory.CreateDirectory(Path.Combine(spool, caseId)).FullName;
        var random = new Random(index * 7919 + clipBytes);

        var photos = new List<EvidencePhoto>();
        var objects = new List<ManifestObject>();
        foreach (var (name, role, size) in new[] { ("photo-1.jpg", "start", 40_000), ("photo-2.jpg", "confirmation", 50_000) })
        {
            string sha = WriteRandom(Path.Combine(folder, name), size, random);
            photos.Add(new EvidencePhoto($"{caseId}/{name}", prefix + name, sha, role, confirmedAt.ToString("O")));
            objects.Add(new ManifestObject($"{caseId}/{name}", prefix + name, size, sha, "image/jpeg", role));
        }
        string clipSha = WriteRandom(Path.Combine(folder, "clip.mp4"), clipBytes, random);
        var clip = new EvidenceClip($"{caseId}/clip.mp4", prefix + "clip.mp4", clipSha, confirmedAt.AddSeconds(-30).ToString("O"), confirmedAt.AddSeconds(5).ToString("O"), 35);
        objects.Add(new ManifestObject(clip.File, clip.Key, clipBytes, clipSha, "video/mp4", "clip"));

        var record = new CaseRecord(caseId, cameraId, "人民路 " + cameraId, "rule-" + cameraId, "东侧禁停", "v1", violation, "kerb",
            confirmedAt.AddMinutes(-3).ToString("O"), confirmedAt.ToString("O"), 180,
            [new CaseObject(1, "car", 0.9, new PixelBox(10, 20, 100, 80))], new FrameSize(1280, 720),
            new CaseEvidence(photos, clip, null) { Manifest = $"{caseId}/{CaseManifest.FileName}", ManifestKey = prefix + CaseManifest.FileName });
        byte[] manifest = new CaseManifest(CaseManifest.CurrentSchema, record, objects, null, null).SignedBy(Signer).ToJsonBytes();
        File.WriteAllBytes(Path.Combine(folder, CaseManifest.FileName), manifest);
        return new WrittenCase(record, CaseManifest.Parse(manifest).ToSpooledCase(manifest));
    }

    /// <summary>Every object key of the cases, manifest included.</summary>
    public static HashSet<string> Keys(IEnumerable<WrittenCase> cases) => cases.SelectMany(c => c.Spooled.Objects.Select(o => o.Key)).ToHashSet(StringComparer.Ordinal);

    private static string WriteRandom(string path, int size, Random random)
    {
        byte[] bytes = new byte[size];
        random.NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
