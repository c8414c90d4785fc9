using System.Globalization;
using System.Security.Cryptography;
using OpenCvSharp;
using Vision.Models;
using Vision.Models.Imaging;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Turns a confirmed violation into files: annotated photos, a stream-copied clip, SHA-256 of each, and a signed
/// manifest written last (a case folder with a manifest is complete). A clip that cannot be cut does not lose the
/// case: it keeps its photos and says why.
/// </summary>
/// <param name="sources">Where each camera's clip is cut from and its full-resolution photo frames are read from.</param>
/// <param name="clipBudget">Whether a clip may be written now (the spool's room); null: always.</param>
internal sealed class EvidenceWriter(string outputDirectory, PhotoRenderer renderer, IEvidenceSources sources, TimeSpan preRoll, TimeSpan postRoll,
    IClipBudget? clipBudget = null)
{
    /// <summary>Signs each case's manifest; null writes them unsigned (no key configured).</summary>
    public ManifestSigner? Signer { get; init; }

    private const string NoRecording = "this camera has no recording (recording disabled or the disk was full)";

    /// <summary>Reads parking cases' plates from their full-resolution pictures; null: plate reading is off.</summary>
    public CasePlateReader? Plates { get; init; }

    /// <summary>Decides by plate whether a parking violation is a new case (set with <see cref="Plates"/>).</summary>
    public PlateTurnover? Turnover { get; init; }

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
        string caseId = CaseIdOf(violation);
        string caseDir = Path.Combine(outputDirectory, caseId);
        string keyPrefix = EvidenceKeys.Prefix(violation.Camera.Id, caseId, TimeZoneInfo.ConvertTime(violation.ConfirmedAt, zone));
        Directory.CreateDirectory(caseDir);

        var frames = sources.FramesFor(violation.Camera);
        // A file holds its frames already: the photos are made once, at full resolution, in the second step.
        var photos = frames is { ReadableAtConfirmation: true }
            ? []
            : await WriteAnalysisFramePhotosAsync(violation, caseId, caseDir, keyPrefix, zone,
                frames is null ? NoRecording : "the full-resolution frame is read once the post-roll is recorded", ct).ConfigureAwait(false);
        return new StartedCase(violation, caseId, caseDir, keyPrefix, zone, photos, sources.ClipsFor(violation.Camera)) { Frames = frames };
    }

    /// <summary>The id the case of <paramref name="violation"/> gets (its folder's name), known before anything is written.</summary>
    public static string CaseIdOf(ViolationCase violation) => CaseIds.For(violation, TimeZoneInfo.FindSystemTimeZoneById(violation.Camera.TimeZoneId));

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
        var (violation, caseId, caseDir, keyPrefix, zone) = (started.Violation, started.CaseId, started.CaseDirectory, started.KeyPrefix, started.Zone);
        var photos = started.Photos;
        EvidenceClip? clip = null;
        string? clipError = null;
        string clipPath = Path.Combine(caseDir, "clip.mp4");
        try
        {
            if (clipBudget?.ClipRefusal() is { } refusal) throw new IOException(refusal);
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

        CasePlate? plate = null;
        if (started.Frames is not null) (photos, plate) = await WriteFullResolutionPhotosAsync(started, ct).ConfigureAwait(false);
        if (violation.Rule.Type == ViolationType.IllegalParking)
        {
            plate ??= Plates is null ? new CasePlate(null, 0, null, null, [], "plate reading is off (no plates.models in the config)") : ReadPlateFromSnapshots(violation, photos);
            if (Turnover?.Decide(violation.Camera.Id, violation.Rule.Id, plate.Text, violation.ConfirmedAt, violation.Rule.Cooldown, violation.SameSpotReportedAt, caseId) is { Raise: false } turnover)
            {
                DeleteFolderQuietly(caseDir);
                throw new CaseNotRaisedException(turnover.Reason!);
            }
        }
        var (record, manifest, spooled) = Manifest(started, photos, clip, clipError, plate);
        // Written even when the clip wait was cut short by a stop: the case is complete without a clip.
        await WriteFileAsync(Path.Combine(caseDir, CaseManifest.FileName), manifest, CancellationToken.None).ConfigureAwait(false);
        DeleteQuietly(Path.Combine(caseDir, CaseManifest.ProvisionalFileName));
        return new WrittenCase(record, spooled);
    }

    /// <summary>
    /// Live, right after the first photos: the case as it stands, signed, in <see cref="CaseManifest.ProvisionalFileName"/>.
    /// A node killed before the case is finished (the post-roll, the clip) leaves it, and spool recovery completes the
    /// case from it rather than lose it. Nothing is written when there are no photos yet (replay).
    /// </summary>
    public async Task WriteProvisionalManifestAsync(StartedCase started, CancellationToken ct)
    {
        if (started.Photos.Count == 0) return;
        const string cutOff = "the node stopped before the case was finished: it was recovered with its first photos, without a clip";
        var plate = started.Violation.Rule.Type == ViolationType.IllegalParking ? new CasePlate(null, 0, null, null, [], cutOff) : null;
        var (_, manifest, _) = Manifest(started, started.Photos, null, cutOff, plate);
        await WriteFileAsync(Path.Combine(started.CaseDirectory, CaseManifest.ProvisionalFileName), manifest, ct).ConfigureAwait(false);
    }

    /// <summary>The case record, its signed manifest and the objects the uploader sends, from the files written so far.</summary>
    private (CaseRecord Record, byte[] Manifest, SpooledCase Spooled) Manifest(StartedCase started, IReadOnlyList<EvidencePhoto> photos, EvidenceClip? clip, string? clipError, CasePlate? plate)
    {
        var (violation, caseId, keyPrefix, zone) = (started.Violation, started.CaseId, started.KeyPrefix, started.Zone);
        string? plateText = plate?.Text;
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
            new CaseEvidence(photos, clip, clipError) { Manifest = $"{caseId}/{CaseManifest.FileName}", ManifestKey = keyPrefix + CaseManifest.FileName })
        {
            Compliance = EvidenceStandards.Evaluate(photos, violation.Rule.Type, violation.Rule.Dwell, plateText),
            Plate = plate,
        };

        var objects = new List<ManifestObject>(2 * photos.Count + 1);
        foreach (var photo in photos)
        {
            objects.Add(new ManifestObject(photo.File, photo.Key, new FileInfo(Path.Combine(outputDirectory, photo.File)).Length, photo.Sha256, "image/jpeg", photo.Role));
            if (photo.Original is { } original && objects.All(o => o.File != original.File))
                objects.Add(new ManifestObject(original.File, original.Key, new FileInfo(Path.Combine(outputDirectory, original.File)).Length, original.Sha256, "image/jpeg", photo.Role + "_original"));
        }
        if (clip is not null)
            objects.Add(new ManifestObject(clip.File, clip.Key, new FileInfo(Path.Combine(outputDirectory, clip.File)).Length, clip.Sha256, "video/mp4", "clip"));
        byte[] manifest = new CaseManifest(CaseManifest.CurrentSchema, record, objects, null, null).SignedBy(Signer).ToJsonBytes();
        var spooled = objects
            .Select(o => new SpooledObject(Path.GetFileName(o.File), o.Key, o.Size, o.Sha256, o.ContentType, o.Role))
            .Append(new SpooledObject(CaseManifest.FileName, record.Evidence.ManifestKey!, manifest.Length, Sha256Hex(manifest), CaseManifest.ContentType, "manifest"))
            .ToList();
        return (record, manifest, new SpooledCase(caseId, record.CameraId, record.RuleId, record.Violation, violation.ConfirmedAt, keyPrefix, spooled));
    }

    /// <summary>The photos from the episode's analysis frames: the fallback while (or when) the recording cannot give its frames.</summary>
    private async Task<IReadOnlyList<EvidencePhoto>> WriteAnalysisFramePhotosAsync(ViolationCase violation, string caseId, string caseDir, string keyPrefix,
        TimeZoneInfo zone, string note, CancellationToken ct)
    {
        var photos = new List<EvidencePhoto>(violation.Photos.Count + 1);
        Mat? confirmation = null;
        try
        {
            for (int i = 0; i < violation.Photos.Count; i++)
            {
                var snapshot = violation.Photos[i].Snapshot;
                if (snapshot.Jpeg.Length == 0) continue; // given up while the disk was full: the case goes on without it
                var frame = DecodeSnapshot(violation, snapshot);
                var photo = new PhotoFrame(frame, PhotoSource.AnalysisFrame, note, snapshot.Jpeg);
                photos.Add(await WritePanoramicAsync(violation, i, photo, caseId, caseDir, keyPrefix, zone, ct).ConfigureAwait(false));
                if (i == violation.Photos.Count - 1) { confirmation = frame; continue; }
                frame.Dispose();
            }
            if (confirmation is not null && photos[^1].Role == PhotoRole.Confirmation.ToWire())
                await AddCloseUpAsync(photos, violation, confirmation, caseId, caseDir, keyPrefix, zone, ct).ConfigureAwait(false);
            await AddReferenceAsync(photos, violation, caseId, caseDir, keyPrefix, zone, ct).ConfigureAwait(false);
        }
        finally
        {
            confirmation?.Dispose();
        }
        return photos;
    }

    /// <summary>
    /// The photos from the recorded video at full resolution, one decode per distinct moment; a photo whose frame the
    /// recording does not have falls back to its analysis frame, and says why.
    /// </summary>
    private async Task<(IReadOnlyList<EvidencePhoto> Photos, CasePlate? Plate)> WriteFullResolutionPhotosAsync(StartedCase started, CancellationToken ct)
    {
        CasePlate? plate = null;
        var (violation, frames) = (started.Violation, started.Frames!);
        var photos = new List<EvidencePhoto>(violation.Photos.Count + 1);
        var decoded = new Dictionary<TimeSpan, PhotoFrame>();
        try
        {
            for (int i = 0; i < violation.Photos.Count; i++)
            {
                var snapshot = violation.Photos[i].Snapshot;
                if (!decoded.TryGetValue(snapshot.StreamTime, out var photo))
                {
                    photo = await ReadFrameAsync(frames, violation, snapshot, ct).ConfigureAwait(false);
                    if (photo is null) continue;
                    decoded[snapshot.StreamTime] = photo;
                }
                // Written even when a stop cut the frame reads short: the case is complete with analysis frames.
                photos.Add(await WritePanoramicAsync(violation, i, photo, started.CaseId, started.CaseDirectory, started.KeyPrefix, started.Zone, CancellationToken.None).ConfigureAwait(false));
            }
            if (Plates is not null && violation.Rule.Type == ViolationType.IllegalParking)
                plate = Plates.Read(PlateFrames(violation, photos, i => decoded.TryGetValue(violation.Photos[i].Snapshot.StreamTime, out var p) ? p.Image : null));
            if (photos.Count > 0 && photos[^1].Role == PhotoRole.Confirmation.ToWire() && decoded.TryGetValue(violation.Confirmation.StreamTime, out var last))
                await AddCloseUpAsync(photos, violation, last.Image, started.CaseId, started.CaseDirectory, started.KeyPrefix, started.Zone, CancellationToken.None,
                    plate is null ? null : CasePlateReader.BoxIn(plate, photos[^1].Original!.File)).ConfigureAwait(false);
            await AddReferenceAsync(photos, violation, started.CaseId, started.CaseDirectory, started.KeyPrefix, started.Zone, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            foreach (var photo in decoded.Values) photo.Image.Dispose();
        }
        return (photos, plate);
    }

    /// <summary>
    /// The vehicle in each distinct picture of the episode, for the plate reader: the photo's original file, the picture,
    /// the box in its pixels. <paramref name="pictureOf"/> gives the picture of the episode's photo i (null: none).
    /// </summary>
    private static List<PlateFrame> PlateFrames(ViolationCase violation, IReadOnlyList<EvidencePhoto> photos, Func<int, Mat?> pictureOf)
    {
        var frames = new List<PlateFrame>(violation.Photos.Count);
        for (int i = 0; i < violation.Photos.Count; i++)
        {
            if (pictureOf(i) is not { } image) continue;
            string role = violation.Photos[i].Role.ToWire();
            var photo = photos.FirstOrDefault(p => p.Role == role);
            string file = photo?.Original?.File ?? photo?.File ?? role;
            // The same moment twice (midway = confirmation) is read once, under the later photo (the close-up's).
            int same = frames.FindIndex(f => ReferenceEquals(f.Image, image));
            if (same >= 0) { frames[same] = frames[same] with { Photo = file }; continue; }
            frames.Add(new PlateFrame(file, image, ToPixels(violation.Photos[i].Snapshot.Box, violation, image.Width, image.Height)));
        }
        return frames;
    }

    /// <summary>A case without its recording: the plate read from the analysis frames it kept (small: often not legible).</summary>
    private CasePlate ReadPlateFromSnapshots(ViolationCase violation, IReadOnlyList<EvidencePhoto> photos)
    {
        var pictures = new Mat?[violation.Photos.Count];
        try
        {
            for (int i = 0; i < pictures.Length; i++)
            {
                var jpeg = violation.Photos[i].Snapshot.Jpeg;
                // Photos that share a snapshot share its picture, so the vote counts that moment once.
                int same = Array.FindIndex(violation.Photos.ToArray(), 0, i, p => ReferenceEquals(p.Snapshot, violation.Photos[i].Snapshot));
                pictures[i] = same >= 0 ? pictures[same] : jpeg.Length == 0 ? null : TryDecodeSnapshot(violation, violation.Photos[i].Snapshot);
            }
            return Plates!.Read(PlateFrames(violation, photos, i => pictures[i] is { IsDisposed: false } p && !p.Empty() ? p : null));
        }
        finally
        {
            foreach (var picture in pictures.Distinct()) picture?.Dispose();
        }
    }

    /// <summary>The full-resolution frame of a snapshot, or its analysis frame with the reason; null when neither is there.</summary>
    private static async Task<PhotoFrame?> ReadFrameAsync(IFrameSource frames, ViolationCase violation, FrameSnapshot snapshot, CancellationToken ct)
    {
        string note;
        try
        {
            return new PhotoFrame(await frames.ReadFrameAsync(snapshot, ct).ConfigureAwait(false), PhotoSource.Recording, null, null);
        }
        catch (RecordingUnavailableException e)
        {
            note = e.Message;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            note = "the service stopped before the full-resolution frame was read";
        }
        if (snapshot.Jpeg.Length == 0) return null;
        return new PhotoFrame(DecodeSnapshot(violation, snapshot), PhotoSource.AnalysisFrame, note, snapshot.Jpeg);
    }

    /// <summary>An analysis frame kept as JPEG, decoded through the same checks as every image Vision reads.</summary>
    private static Mat DecodeSnapshot(ViolationCase violation, FrameSnapshot snapshot) =>
        ImageDecoder.Decode(snapshot.Jpeg, $"camera {violation.Camera.Id}'s analysis frame at {snapshot.At:O}");

    /// <summary>As <see cref="DecodeSnapshot"/>; null when it is refused (the plate vote goes on without that moment).</summary>
    private static Mat? TryDecodeSnapshot(ViolationCase violation, FrameSnapshot snapshot)
    {
        try { return DecodeSnapshot(violation, snapshot); }
        catch (ImageRejectedException) { return null; }
    }

    /// <summary>A photo's picture: decoded, where it came from, and (for an analysis frame) the JPEG it was kept as, which is its original.</summary>
    private sealed record PhotoFrame(Mat Image, PhotoSource Source, string? Note, byte[]? KeptJpeg);

    /// <summary>Writes <c>photo-N-original.jpg</c> (the picture untouched) and <c>photo-N.jpg</c> (marked, with its caption strip).</summary>
    private async Task<EvidencePhoto> WritePanoramicAsync(ViolationCase violation, int index, PhotoFrame frame, string caseId, string caseDir, string keyPrefix,
        TimeZoneInfo zone, CancellationToken ct)
    {
        var (role, snapshot) = violation.Photos[index];
        int number = index + 1;
        byte[] original = frame.KeptJpeg ?? renderer.Encode(frame.Image);
        string originalSha = Sha256Hex(original);
        string code = AntiForgeryCode.For(Signer, originalSha);
        var caption = PhotoCaption.For(violation, $"{number}/{violation.Photos.Count} {role.ChineseName()}", snapshot.At, snapshot.Score, zone, code, frame.Source);
        byte[] annotated = renderer.RenderPanoramic(frame.Image, violation.Zone, snapshot.Box, violation.FrameWidth, violation.FrameHeight, caption);

        string originalName = $"photo-{number}-original.jpg", name = $"photo-{number}.jpg";
        await WriteFileAsync(Path.Combine(caseDir, originalName), original, ct).ConfigureAwait(false);
        await WriteFileAsync(Path.Combine(caseDir, name), annotated, ct).ConfigureAwait(false);
        return new EvidencePhoto($"{caseId}/{name}", keyPrefix + name, Sha256Hex(annotated), role.ToWire(), Format(snapshot.At, zone))
        {
            Original = new EvidenceOriginal($"{caseId}/{originalName}", keyPrefix + originalName, originalSha),
            Width = frame.Image.Width,
            Height = frame.Image.Height,
            Source = frame.Source.ToWire(),
            SourceNote = frame.Note,
            AntiForgeryCode = code,
        };
    }

    /// <summary>For a parked vehicle: <c>photo-closeup.jpg</c>, the vehicle cropped from the confirmation photo's picture (its original).</summary>
    private async Task AddCloseUpAsync(List<EvidencePhoto> photos, ViolationCase violation, Mat confirmation, string caseId, string caseDir, string keyPrefix,
        TimeZoneInfo zone, CancellationToken ct, PixelBox? plateBox = null)
    {
        if (violation.Rule.Type != ViolationType.IllegalParking) return;
        var from = photos[^1];
        var snapshot = violation.Confirmation;
        var vehicle = ToPixels(snapshot.Box, violation, confirmation.Width, confirmation.Height);
        var caption = PhotoCaption.For(violation, "车辆特写", snapshot.At, snapshot.Score, zone, from.AntiForgeryCode!,
            from.Source == PhotoSource.Recording.ToWire() ? PhotoSource.Recording : PhotoSource.AnalysisFrame);
        var closeUp = renderer.RenderCloseUp(confirmation, vehicle, plateBox, caption);
        const string name = "photo-closeup.jpg";
        await WriteFileAsync(Path.Combine(caseDir, name), closeUp.Jpeg, ct).ConfigureAwait(false);
        photos.Add(new EvidencePhoto($"{caseId}/{name}", keyPrefix + name, Sha256Hex(closeUp.Jpeg), "closeup", from.TakenAt)
        {
            Original = from.Original,
            Width = closeUp.Width,
            Height = closeUp.Height,
            Source = from.Source,
            SourceNote = from.SourceNote,
            AntiForgeryCode = from.AntiForgeryCode,
            Crop = closeUp.Crop,
        });
    }

    /// <summary>
    /// For a new object: <c>photo-reference.jpg</c>, the camera's learned empty scene (基准图) with the object's box, so a
    /// reviewer sees the place as it was before the object came. At analysis size: the model learns it there.
    /// </summary>
    private async Task AddReferenceAsync(List<EvidencePhoto> photos, ViolationCase violation, string caseId, string caseDir, string keyPrefix,
        TimeZoneInfo zone, CancellationToken ct)
    {
        if (violation.ReferenceJpeg is not { Length: > 0 } jpeg || photos.Count == 0) return;
        using var reference = Cv2.ImDecode(jpeg, ImreadModes.Color);
        var snapshot = violation.Confirmation;
        string code = AntiForgeryCode.For(Signer, Sha256Hex(jpeg));
        var caption = PhotoCaption.For(violation, "基准图", snapshot.At, snapshot.Score, zone, code, PhotoSource.LearnedScene);
        byte[] annotated = renderer.RenderPanoramic(reference, violation.Zone, snapshot.Box, violation.FrameWidth, violation.FrameHeight, caption);
        const string originalName = "photo-reference-original.jpg", name = "photo-reference.jpg";
        await WriteFileAsync(Path.Combine(caseDir, originalName), jpeg, ct).ConfigureAwait(false);
        await WriteFileAsync(Path.Combine(caseDir, name), annotated, ct).ConfigureAwait(false);
        photos.Add(new EvidencePhoto($"{caseId}/{name}", keyPrefix + name, Sha256Hex(annotated), "reference", photos[^1].TakenAt)
        {
            Original = new EvidenceOriginal($"{caseId}/{originalName}", keyPrefix + originalName, Sha256Hex(jpeg)),
            Width = reference.Width,
            Height = reference.Height,
            Source = PhotoSource.LearnedScene.ToWire(),
            SourceNote = "the camera's empty scene as new-object detection learned it (基准图), at analysis size",
            AntiForgeryCode = code,
        });
    }

    /// <summary>ISO-8601 with the camera's local offset, millisecond precision.</summary>
    public static string Format(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static PixelBox ToSourcePixels(BoundingBox box, ViolationCase v) => ToPixels(box, v, v.SourceWidth, v.SourceHeight);

    /// <summary>An analysis-frame box in the pixels of a <paramref name="width"/>×<paramref name="height"/> image (x and y scaled apart: the aspect may differ).</summary>
    private static PixelBox ToPixels(BoundingBox box, ViolationCase v, int width, int height)
    {
        double sx = (double)width / v.FrameWidth, sy = (double)height / v.FrameHeight;
        return new PixelBox((int)Math.Round(box.X * sx), (int)Math.Round(box.Y * sy), (int)Math.Round(box.Width * sx), (int)Math.Round(box.Height * sy));
    }

    /// <summary>Writes a whole file or none: a disk that fills half-way leaves no truncated photo or manifest behind.</summary>
    private static Task WriteFileAsync(string path, byte[] bytes, CancellationToken ct) => AtomicFile.WriteAllBytesAsync(path, bytes, ct);

    private static void DeleteFolderQuietly(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
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
