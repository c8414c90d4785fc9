using System.Globalization;
using System.Security.Cryptography;
using Vision.Models;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>What <see cref="EvidenceWriter.WriteAsync"/> produced: the case record and its files as the uploader sees them.</summary>
public sealed record WrittenCase(CaseRecord Record, SpooledCase Spooled);

/// <summary>
/// Turns a confirmed violation into files: annotated photos, a stream-copied clip, SHA-256 of each, and a signed
/// manifest written last (a case folder with a manifest is complete). A clip that cannot be cut does not lose the
/// case: it keeps its photos and says why.
/// </summary>
public sealed class EvidenceWriter(string outputDirectory, PhotoRenderer renderer, Func<CameraConfig, IClipSource?> clips, TimeSpan preRoll, TimeSpan postRoll)
{
    /// <summary>Signs each case's manifest; null writes them unsigned (no key configured).</summary>
    public ManifestSigner? Signer { get; init; }

    /// <summary>Why no clip may be written now (the spool is full), or null. Photos are always written.</summary>
    public Func<string?> ClipRefusal { get; init; } = () => null;

    public EvidenceWriter(string outputDirectory, PhotoRenderer renderer, IClipSource clips, TimeSpan preRoll, TimeSpan postRoll)
        : this(outputDirectory, renderer, _ => clips, preRoll, postRoll)
    {
    }

    public async Task<WrittenCase> WriteAsync(ViolationCase violation, CancellationToken ct)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(violation.Camera.TimeZoneId);
        string caseId = CaseIds.For(violation, zone);
        string caseDir = Path.Combine(outputDirectory, caseId);
        string keyPrefix = EvidenceKeys.Prefix(violation.Camera.Id, caseId, TimeZoneInfo.ConvertTime(violation.ConfirmedAt, zone));
        Directory.CreateDirectory(caseDir);

        var photos = new List<EvidencePhoto>(violation.Photos.Count);
        for (int i = 0; i < violation.Photos.Count; i++)
        {
            var (role, snapshot) = violation.Photos[i];
            byte[] jpeg = renderer.Render(violation, role, i + 1, violation.Photos.Count, snapshot, zone);
            string name = $"photo-{i + 1}.jpg";
            await File.WriteAllBytesAsync(Path.Combine(caseDir, name), jpeg, ct).ConfigureAwait(false);
            photos.Add(new EvidencePhoto($"{caseId}/{name}", keyPrefix + name, Sha256Hex(jpeg), role.ToWire(), Format(snapshot.At, zone)));
        }

        EvidenceClip? clip = null;
        string? clipError = null;
        try
        {
            if (ClipRefusal() is { } refusal) throw new IOException(refusal);
            var source = clips(violation.Camera) ?? throw new IOException("this camera has no recording (recording disabled or the disk was full): the case keeps its photos");
            string clipPath = Path.Combine(caseDir, "clip.mp4");
            var info = await source.CutAsync(violation.StartedAt - preRoll, violation.ConfirmedAt + postRoll, clipPath, ct).ConfigureAwait(false);
            clip = new EvidenceClip($"{caseId}/clip.mp4", keyPrefix + "clip.mp4", await Sha256HexAsync(clipPath, ct).ConfigureAwait(false),
                Format(info.Start, zone), Format(info.End, zone), Math.Round(info.Duration.TotalSeconds, 3));
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            clipError = e.Message;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            clipError = "the service stopped before the clip's post-roll was recorded: the case keeps its photos";
        }

        var confirmation = violation.Confirmation;
        var record = new CaseRecord(
            caseId,
            violation.Camera.Id,
            violation.Camera.Name,
            violation.Rule.Id,
            violation.Rule.Name,
            violation.Rule.Version,
            violation.Rule.Type.ToWire(),
            violation.Zone.Id,
            Format(violation.StartedAt, zone),
            Format(violation.ConfirmedAt, zone),
            Math.Round((violation.ConfirmedAt - violation.StartedAt).TotalSeconds, 3),
            [new CaseObject(violation.TrackId, violation.ClassName, Math.Round(confirmation.Score, 3), ToSourcePixels(confirmation.Box, violation))],
            new FrameSize(violation.SourceWidth, violation.SourceHeight),
            new CaseEvidence(photos, clip, clipError) { Manifest = $"{caseId}/{CaseManifest.FileName}", ManifestKey = keyPrefix + CaseManifest.FileName });

        var objects = new List<ManifestObject>(photos.Count + 1);
        foreach (var photo in photos)
            objects.Add(new ManifestObject(photo.File, photo.Key, new FileInfo(Path.Combine(outputDirectory, photo.File)).Length, photo.Sha256, "image/jpeg", photo.Role));
        if (clip is not null)
            objects.Add(new ManifestObject(clip.File, clip.Key, new FileInfo(Path.Combine(outputDirectory, clip.File)).Length, clip.Sha256, "video/mp4", "clip"));
        byte[] manifest = new CaseManifest(CaseManifest.CurrentSchema, record, objects, null, null).SignedBy(Signer).ToJsonBytes();
        // Written even when the clip wait was cut short by a stop: the case is complete without a clip.
        await File.WriteAllBytesAsync(Path.Combine(caseDir, CaseManifest.FileName), manifest, CancellationToken.None).ConfigureAwait(false);

        var spooled = objects
            .Select(o => new SpooledObject(Path.GetFileName(o.File), o.Key, o.Size, o.Sha256, o.ContentType, o.Role))
            .Append(new SpooledObject(CaseManifest.FileName, record.Evidence.ManifestKey!, manifest.Length, Sha256Hex(manifest), CaseManifest.ContentType, "manifest"))
            .ToList();
        return new WrittenCase(record, new SpooledCase(caseId, record.CameraId, record.RuleId, record.Violation, violation.ConfirmedAt, keyPrefix, spooled));
    }

    /// <summary>ISO-8601 with the camera's local offset, millisecond precision.</summary>
    public static string Format(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static PixelBox ToSourcePixels(BoundingBox box, ViolationCase v)
    {
        double sx = (double)v.SourceWidth / v.FrameWidth, sy = (double)v.SourceHeight / v.FrameHeight;
        return new PixelBox((int)Math.Round(box.X * sx), (int)Math.Round(box.Y * sy), (int)Math.Round(box.Width * sx), (int)Math.Round(box.Height * sy));
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<string> Sha256HexAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
    }
}
