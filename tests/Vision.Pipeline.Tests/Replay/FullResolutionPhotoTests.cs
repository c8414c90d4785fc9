using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpenCvSharp;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Tools.Replay;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Replay;

/// <summary>
/// Evidence photos through the real replay path (real model, real footage, ffmpeg): taken from the source at full
/// resolution while the analysis runs scaled down, each with its untouched original, the caption on a strip below the
/// picture, a close-up for parking, everything hashed and signed.
/// </summary>
public sealed class FullResolutionPhotoTests(ITestOutputHelper output)
{
    private const string Key = "5f2a9c0e4b7d1a3c6e8f0b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d";
    private const string Clip = "street-parking-hevc";
    private const int JpegQuality = 90; // the sample config's (the default)

    /// <summary>Set to 1 to measure as README.md does: with a warm-up pass before the two measured ones.</summary>
    private const string MeasureVariable = "VISION_MEASURE";

    /// <summary>
    /// The signed replay at 640 wide that the first two tests read (the second only verifies it): one CLI replay for
    /// both, made when the first of them asks for it. Neither changes its files; the forged manifest is on a replay of its own.
    /// </summary>
    private static readonly Lazy<string> SignedReplay = new(() => ReplayAt640WithKey(), LazyThreadSafetyMode.ExecutionAndPublication);

    [SharedDataFact]
    public async Task Photos_are_the_source_frames_at_full_resolution_with_untouched_originals_and_the_caption_strip_below()
    {
        string root = SignedReplay.Value;
        var cases = ReplayHarness.ReadCases(Path.Combine(root, "cases.jsonl"));
        Assert.NotEmpty(cases);
        var signer = new ManifestSigner("k1", Convert.FromHexString(Key));

        foreach (var c in cases.Take(2))
        {
            Assert.Equal(1280, ReplayResult.FrameWidth(c)); // boxes in source pixels, whatever the analysis size
            var photos = c.GetProperty("evidence").GetProperty("photos").EnumerateArray().ToList();
            Assert.Equal(["first_seen", "midway", "confirmation", "closeup"], photos.Select(p => p.GetProperty("role").GetString()!));
            foreach (var photo in photos.Take(3))
            {
                Assert.Equal("recording", photo.GetProperty("source").GetString());
                Assert.Equal(1280, photo.GetProperty("width").GetInt32());
                Assert.Equal(720, photo.GetProperty("height").GetInt32());
                byte[] original = await File.ReadAllBytesAsync(Path.Combine(root, photo.GetProperty("original").GetProperty("file").GetString()!));
                byte[] annotated = await File.ReadAllBytesAsync(Path.Combine(root, photo.GetProperty("file").GetString()!));

                // The original is the very frame the analysis saw, decoded here on another path (no seek) and encoded as is.
                var streamTime = DateTimeOffset.Parse(photo.GetProperty("takenAt").GetString()!, CultureInfo.InvariantCulture) - ReplayHarness.StartTime;
                using (var frame = DecodeWithoutSeeking(SharedData.Footage(Clip + ".mp4"), streamTime))
                    Assert.True(PhotoRenderer.Encode(frame, JpegQuality).AsSpan().SequenceEqual(original), $"{photo.GetProperty("file")}: the original is not the decoded frame's JPEG");

                using var originalImage = Cv2.ImDecode(original, ImreadModes.Color);
                using var annotatedImage = Cv2.ImDecode(annotated, ImreadModes.Color);
                Assert.Equal(originalImage.Width, annotatedImage.Width);
                Assert.True(annotatedImage.Height > originalImage.Height + 20, $"no caption strip below the picture ({annotatedImage.Height} vs {originalImage.Height})");
                // The camera's own date stamp (top left) is exactly as recorded; the box and zone lines do change the picture.
                var stamp = new Rect(0, 0, 480, 64);
                Assert.Equal(0, Cv2.Norm(new Mat(originalImage, stamp), new Mat(annotatedImage, stamp), NormTypes.L1));
                var picture = new Rect(0, 0, originalImage.Width, originalImage.Height);
                Assert.True(Cv2.Norm(originalImage, new Mat(annotatedImage, picture), NormTypes.L1) > 0, "neither box nor zone is drawn");
                Assert.Matches("^[A-Z2-7]{8}$", photo.GetProperty("antiForgeryCode").GetString()!);
            }
            var closeUp = photos[3];
            Assert.True(closeUp.GetProperty("width").GetInt32() >= PhotoRenderer.MinCloseUpWidth);
            Assert.Equal(photos[2].GetProperty("original").GetProperty("file").GetString(), closeUp.GetProperty("original").GetProperty("file").GetString());

            // The signed manifest hashes originals, annotated copies and the close-up; it verifies with the key.
            string caseId = c.GetProperty("caseId").GetString()!;
            var manifest = CaseManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(root, caseId, CaseManifest.FileName)));
            Assert.Equal("vision.case-manifest/2", manifest.Schema);
            var names = manifest.Objects.Select(o => Path.GetFileName(o.File)).ToHashSet();
            foreach (var name in new[] { "photo-1.jpg", "photo-1-original.jpg", "photo-2.jpg", "photo-2-original.jpg", "photo-3.jpg", "photo-3-original.jpg", "photo-closeup.jpg", "clip.mp4" })
                Assert.Contains(name, names);
            var verification = await new EvidenceVerifier(new FolderEvidenceSource(root), signer).VerifyAsync(caseId, CancellationToken.None);
            Assert.True(verification.Ok, string.Join("; ", verification.Problems));

            // Full resolution 1280x720 and 20 s apart: all of GA/T 832 but the plate, which nothing reads yet.
            var gat = manifest.Case.Compliance!.GaT832;
            Assert.False(gat.Met);
            Assert.Equal(["plate_legible"], gat.Checks.Where(x => !x.Met).Select(x => x.Name));
            Assert.Contains("no plate read", gat.Checks.Single(x => x.Name == "plate_legible").Detail);
        }
    }

    [SharedDataFact]
    public void Verify_reports_each_case_against_GA_T_832_and_Beijing_and_checks_the_anti_forgery_codes()
    {
        string root = SignedReplay.Value;
        var verify = Vision(Key, "evidence", "verify", "--dir", root, "--all");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("GA/T 832: not met", verify.Output);
        Assert.Contains("Beijing: not met", verify.Output);
        Assert.Contains("met     resolution: every panoramic photo is at least 1280x720", verify.Output);
        Assert.Contains("NOT MET plate_legible: no plate read", verify.Output);

        // A code that does not belong to its picture is caught, even where the manifest is not signed.
        string unsigned = ReplayAt640WithKey(key: null);
        string caseDir = Directory.GetDirectories(unsigned).First(d => File.Exists(Path.Combine(d, CaseManifest.FileName)));
        string manifest = Path.Combine(caseDir, CaseManifest.FileName);
        var parsed = CaseManifest.Parse(File.ReadAllBytes(manifest));
        string code = parsed.Case.Evidence.Photos[0].AntiForgeryCode!;
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace(code, "AAAAAAAA", StringComparison.Ordinal));
        var forged = Vision(null, "evidence", "verify", "--dir", unsigned, "--case", Path.GetFileName(caseDir));
        Assert.Equal(1, forged.ExitCode);
        Assert.Contains("anti-forgery code AAAA-AAAA does not match its original", forged.Output);
    }

    [SharedDataFact]
    public async Task Full_resolution_photos_cost_is_measured_against_analysis_frame_photos_in_the_same_run()
    {
        var config = EditedConfig();
        var options = new ReplayOptions(config, SharedData.Footage(Clip + ".mp4"), null, TempOut(), ReplayHarness.Start, null);
        // For the figure README.md quotes, a first pass warms the JIT and the file cache, so neither measured pass pays
        // for them. It asserts nothing, so the test suite skips it (a whole replay of the clip); the figure printed then
        // carries the JIT in the first measured pass.
        bool warmUp = Environment.GetEnvironmentVariable(MeasureVariable) == "1";
        if (warmUp) await ReplayRunner.RunAsync(options with { OutputDirectory = TempOut() }, null, CancellationToken.None);
        var scaled = await ReplayRunner.RunAsync(options with { OutputDirectory = TempOut(), AnalysisFramePhotos = true }, null, CancellationToken.None);
        var full = await ReplayRunner.RunAsync(options, null, CancellationToken.None);

        Assert.Equal(scaled.Cases, full.Cases);
        var scaledCases = ReplayHarness.ReadCases(scaled.CasesFile);
        var fullCases = ReplayHarness.ReadCases(full.CasesFile);
        Assert.All(scaledCases.SelectMany(Panoramic), p => Assert.Equal(("analysis_frame", 640), (p.GetProperty("source").GetString(), p.GetProperty("width").GetInt32())));
        Assert.All(fullCases.SelectMany(Panoramic), p => Assert.Equal(("recording", 1280), (p.GetProperty("source").GetString(), p.GetProperty("width").GetInt32())));

        double scaledMs = scaled.Timings.Total(Detect.Stage.Evidence).TotalMilliseconds / scaled.Cases;
        double fullMs = full.Timings.Total(Detect.Stage.Evidence).TotalMilliseconds / full.Cases;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{full.Cases} cases: evidence per case {scaledMs:0} ms with analysis-frame photos, {fullMs:0} ms at full resolution: +{fullMs - scaledMs:0} ms"));
        if (!warmUp) output.WriteLine($"no warm-up pass: the first (analysis-frame) pass includes the JIT; set {MeasureVariable}=1 for the figure in README.md");
        foreach (var (name, summary, cases) in new[] { ("analysis frame", scaled, scaledCases), ("full resolution", full, fullCases) })
            foreach (var file in new[] { "photo-1.jpg", "photo-1-original.jpg", "photo-closeup.jpg" })
            {
                string root = Path.GetDirectoryName(summary.CasesFile)!;
                double bytes = cases.Average(c => new FileInfo(Path.Combine(root, c.GetProperty("caseId").GetString()!, file)).Length);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {file}: mean {bytes:0} bytes"));
            }
    }

    private static IEnumerable<JsonElement> Panoramic(JsonElement c) =>
        c.GetProperty("evidence").GetProperty("photos").EnumerateArray().Where(p => EvidenceStandards.IsPanoramic(p.GetProperty("role").GetString()!));

    /// <summary>The clip analysed at 640 wide (its source is 1280x720), replayed by the CLI with or without the evidence key.</summary>
    private static string ReplayAt640WithKey(string? key = Key)
    {
        string root = TempOut();
        var replay = Vision(key, "replay", "--quiet", "--config", EditedConfig(), "--source", SharedData.Footage(Clip + ".mp4"), "--out", root, "--start", ReplayHarness.Start);
        Assert.True(replay.ExitCode == 0, replay.Output);
        return root;
    }

    private static string EditedConfig()
    {
        string yaml = File.ReadAllText(ReplayHarness.SampleConfig(Clip));
        Assert.Contains("max_width: 1280", yaml);
        string path = Path.Combine(Directory.CreateTempSubdirectory("vision-fullres-").FullName, Clip + ".yaml");
        File.WriteAllText(path, yaml.Replace("max_width: 1280", "max_width: 640", StringComparison.Ordinal));
        return path;
    }

    private static string TempOut() => Path.Combine(Directory.CreateTempSubdirectory("vision-fullres-").FullName, "out");

    /// <summary>The first frame at or after <paramref name="at"/> (half a 25 fps frame of slack), decoded from the start of the file: no seek involved.</summary>
    private static Mat DecodeWithoutSeeking(string file, TimeSpan at)
    {
        string t = (at.TotalSeconds - 0.02).ToString("0.000", CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-vf", $"select='gte(t\\,{t})'", "-frames:v", "1",
                     "-fps_mode", "passthrough", "-pix_fmt", "bgr24", "-f", "rawvideo", "pipe:1" })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        using var pixels = new MemoryStream();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(pixels);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 && pixels.Length == 1280 * 720 * 3, $"ffmpeg: {errors.Result}");
        var frame = new Mat(720, 1280, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(pixels.ToArray(), 0, frame.Data, (int)pixels.Length);
        return frame;
    }

    private static (int ExitCode, string Output) Vision(string? key, params string[] args) => Evidence.EvidenceVerifyTests.Vision(key, args);
}
