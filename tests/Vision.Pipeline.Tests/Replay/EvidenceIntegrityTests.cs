using System.Diagnostics;
using System.Security.Cryptography;
using FFMpegCore;

namespace Vision.Pipeline.Tests.Replay;

/// <summary>Replay is exact, and every evidence file is what its case says: hashes match, clips play and cover pre-roll to post-roll.</summary>
public sealed class EvidenceIntegrityTests
{
    [SharedDataFact]
    public async Task Two_replays_of_the_same_footage_write_identical_cases_byte_for_byte()
    {
        var first = await ReplayHarness.SharedAsync("street-parking-hevc");
        var second = await ReplayHarness.RunAsync("street-parking-hevc"); // a replay of its own, never the shared one

        Assert.NotEmpty(first.Cases);
        byte[] a = await File.ReadAllBytesAsync(Path.Combine(first.OutputDirectory, "cases.jsonl"));
        byte[] b = await File.ReadAllBytesAsync(Path.Combine(second.OutputDirectory, "cases.jsonl"));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(a)), Convert.ToHexString(SHA256.HashData(b)));
    }

    [SharedDataTheory]
    [InlineData("street-parking-hevc", 4.0)]
    [InlineData("bottle-detection", 8.4)]
    public async Task Every_evidence_file_matches_its_hash_and_every_clip_plays_from_pre_roll_to_post_roll(string clip, double gopSeconds)
    {
        var result = await ReplayHarness.SharedAsync(clip);
        var source = await FFProbe.AnalyseAsync(SharedData.Footage(clip + ".mp4"));
        Assert.NotEmpty(result.Cases);

        foreach (var c in result.Cases)
        {
            var evidence = c.GetProperty("evidence");
            foreach (var photo in evidence.GetProperty("photos").EnumerateArray())
                AssertHash(result.OutputDirectory, photo.GetProperty("file").GetString()!, photo.GetProperty("sha256").GetString()!);

            var clipInfo = evidence.GetProperty("clip");
            string file = clipInfo.GetProperty("file").GetString()!;
            AssertHash(result.OutputDirectory, file, clipInfo.GetProperty("sha256").GetString()!);

            string path = Path.Combine(result.OutputDirectory, file);
            var probe = await FFProbe.AnalyseAsync(path);
            Assert.Equal(source.PrimaryVideoStream!.CodecName, probe.PrimaryVideoStream!.CodecName);
            AssertDecodesWithoutErrors(path);

            // Asked for: pre-roll (5 s) before the start to post-roll (5 s) after confirmation, within the file.
            double from = Math.Max(0, ReplayResult.Offset(c, "startedAt").TotalSeconds - 5);
            double to = Math.Min(source.Duration.TotalSeconds, ReplayResult.Offset(c, "confirmedAt").TotalSeconds + 5);
            double expected = to - from;
            Assert.InRange(probe.Duration.TotalSeconds, expected - 0.5, expected + gopSeconds + 0.5);
            Assert.Equal(Math.Round(probe.Duration.TotalSeconds, 3), clipInfo.GetProperty("durationSeconds").GetDouble(), 3);
        }
    }

    private static void AssertHash(string root, string relative, string sha256)
    {
        string path = Path.Combine(root, relative);
        Assert.True(File.Exists(path), $"{relative} is listed in the case but missing");
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
    }

    private static void AssertDecodesWithoutErrors(string path)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-v", "error", "-i", path, "-f", "null", "-" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 && errors.Trim().Length == 0, $"{path} does not decode cleanly: {errors}");
    }
}
