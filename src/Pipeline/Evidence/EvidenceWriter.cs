using System.Globalization;
using System.Security.Cryptography;
using Vision.Models;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>What <see cref="EvidenceWriter.WriteAsync"/> produced: the case record and its files as the uploader sees them.</summary>
public sealed record WrittenCase(CaseRecord Record, SpooledCase Spooled);

/// <summary>A case whose photos are written and whose clip and manifest are still to come (after the post-roll).</summary>
public sealed record StartedCase(ViolationCase Violation, string CaseId, string CaseDirectory, string KeyPrefix, TimeZoneInfo Zone,
    IReadOnlyList<EvidencePhoto> Photos, IClipSource? Clips);

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

    /// <summary>Photos, clip and manifest in one go (replay, where the clip's source file is complete).</summary>
    public async Task<WrittenCase> WriteAsync(ViolationCase violation, CancellationToken ct)
    {
        var started = await WritePhotosAsync(violation, ct).ConfigureAwait(false);
        return await FinishAsync(started, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The first step, done as soon as a violation is confirmed: the annotated photos (from the frames the episode
    /// kept) go to the case folder, and the clip source is taken while the camera still runs. Idempotent: a retry
    /// after a failure writes the same files again.
    /// </summary>
    public async Task<StartedCase> WritePhotosAsync(ViolationCase violation, CancellationToken ct)
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
            if (snapshot.Jpeg.Length == 0) continue; // given up while the disk was full: the case goes on without it
            byte[] jpeg = renderer.Render(violation, role, i + 1, violation.Photos.Count, snapshot, zone);
            string name = $"photo-{i + 1}.jpg";
            await WriteFileAsync(Path.Combine(caseDir, name), jpeg, ct).ConfigureAwait(false);
            photos.Add(new EvidencePhoto($"{caseId}/{name}", keyPrefix + name, Sha256Hex(jpeg), role.ToWire(), Format(snapshot.At, zone)));
        }
        return new StartedCase(violation, caseId, caseDir, keyPrefix, zone, photos, clips(violation.Camera));
    }

    /// <summary>Pre-roll, post-roll and JPEG quality for cases confirmed from now on (a config edit); cases already on their way keep theirs.</summary>
    public void UseSettings(TimeSpan newPreRoll, TimeSpan newPostRoll, int jpegQuality)
    {
        preRoll = newPreRoll;
        postRoll = newPostRoll;
        renderer.JpegQuality = jpegQuality;
    }

    /// <summary>
    /// How long after the post-roll's last instant its recording is complete (live: one recording segment, which is
    /// closed only when the next one starts), so a clip cut when due finds its segments and holds no worker waiting.
    /// </summary>
    public TimeSpan RecordingLag { get; init; }

    /// <summary>When this case's clip can be cut: once its post-roll has been recorded.</summary>
    public DateTimeOffset ClipDue(ViolationCase violation) => violation.ConfirmedAt + postRoll + RecordingLag;

    /// <summary>
    /// The second step, once the post-roll is recorded: cuts the clip (a clip that cannot be cut leaves the case its
    /// photos and the reason) and writes the signed manifest last, which makes the case folder complete.
    /// </summary>
    public async Task<WrittenCase> FinishAsync(StartedCase started, CancellationToken ct)
    {
        var (violation, caseId, caseDir, keyPrefix, zone, photos) = (started.Violation, started.CaseId, started.CaseDirectory, started.KeyPrefix, started.Zone, started.Photos);
        EvidenceClip? clip = null;
        string? clipError = null;
        string clipPath = Path.Combine(caseDir, "clip.mp4");
        try
        {
            if (ClipRefusal() is { } refusal) throw new IOException(refusal);
            var source = started.Clips ?? throw new IOException("this camera has no recording (recording disabled or the disk was full): the case keeps its photos");
            var info = await source.CutAsync(violation.StartedAt - preRoll, violation.ConfirmedAt + postRoll, clipPath, ct).ConfigureAwait(false);
            clip = new EvidenceClip($"{caseId}/clip.mp4", keyPrefix + "clip.mp4", await Sha256HexAsync(clipPath, ct).ConfigureAwait(false),
                Format(info.Start, zone), Format(info.End, zone), Math.Round(info.Duration.TotalSeconds, 3));
        }
        catch (Exception e) when (EvidenceFailure.IsStorageFull(e))
        {
            // No room for the clip: the case must still get its manifest, so the failure goes up and the case is retried.
            DeleteQuietly(clipPath);
            throw;
        }
        catch (Exception e) when (e is IOException or ArgumentException or FFMpegCore.Exceptions.FFMpegException or FFMpegCore.Exceptions.FFProbeException
                                   or Instances.Exceptions.InstanceException)
        {
            DeleteQuietly(clipPath);
            clipError = e.Message;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            DeleteQuietly(clipPath);
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
        await WriteFileAsync(Path.Combine(caseDir, CaseManifest.FileName), manifest, CancellationToken.None).ConfigureAwait(false);

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

    /// <summary>Writes a whole file or none: a disk that fills half-way leaves no truncated photo or manifest behind.</summary>
    private static async Task WriteFileAsync(string path, byte[] bytes, CancellationToken ct)
    {
        string partial = path + ".partial";
        try
        {
            await File.WriteAllBytesAsync(partial, bytes, ct).ConfigureAwait(false);
            File.Move(partial, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(partial);
            throw;
        }
    }

    private static void DeleteQuietly(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<string> Sha256HexAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
    }
}
