using System.Diagnostics;
using System.Text;
using Vision.Pipeline.Tests.Replay;

namespace Vision.Pipeline.Tests.Evidence;

/// <summary>Signed case manifests and <c>vision evidence verify</c>, run as a user runs them: any changed byte is reported.</summary>
public sealed class EvidenceVerifyTests
{
    private const string Key = "5f2a9c0e4b7d1a3c6e8f0b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d";
    private const string OtherKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    [SharedDataFact]
    public async Task Untouched_evidence_verifies_and_a_changed_byte_in_a_photo_a_clip_or_the_manifest_is_reported()
    {
        string root = ReplayWithKey();
        var clean = Vision(Key, "evidence", "verify", "--dir", root, "--all");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Contains("3 of 3 case(s) verified", clean.Output);

        var cases = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToArray();
        FlipByte(Path.Combine(root, cases[0], "photo-2.jpg"));
        FlipByte(Path.Combine(root, cases[1], "clip.mp4"));
        string manifest = Path.Combine(root, cases[2], "manifest.json");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest)).Replace("\"litter\"", "\"street_stall\"", StringComparison.Ordinal));

        var tampered = Vision(Key, "evidence", "verify", "--dir", root, "--all");
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains($"{cases[0]}/photo-2.jpg: SHA-256", tampered.Output);
        Assert.Contains($"{cases[1]}/clip.mp4: SHA-256", tampered.Output);
        Assert.Contains("signature does not match", tampered.Output);
        Assert.Contains("0 of 3 case(s) verified, 3 with problems", tampered.Output);
    }

    [SharedDataFact]
    public void A_manifest_cannot_be_re_signed_without_the_key_and_an_unchecked_signature_is_not_called_verified()
    {
        string root = ReplayWithKey();
        var wrongKey = Vision(OtherKey, "evidence", "verify", "--dir", root);
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Contains("signature does not match", wrongKey.Output);

        var noKey = Vision(null, "evidence", "verify", "--dir", root);
        Assert.Equal(1, noKey.ExitCode);
        Assert.Contains("signature not checked", noKey.Output);
    }

    [Fact]
    public void Verifying_a_folder_that_does_not_exist_exits_2()
    {
        var run = Vision(Key, "evidence", "verify", "--dir", "/nonexistent/evidence");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Output);
    }

    private static string ReplayWithKey()
    {
        string root = Path.Combine(Directory.CreateTempSubdirectory("vision-verify-").FullName, "out");
        var replay = Vision(Key, "replay", "--quiet", "--config", ReplayHarness.SampleConfig("bottle-detection"),
            "--source", SharedData.Footage("bottle-detection.mp4"), "--out", root, "--start", ReplayHarness.Start);
        Assert.True(replay.ExitCode == 0, replay.Output);
        Assert.All(Directory.GetDirectories(root), d => Assert.True(File.Exists(Path.Combine(d, "manifest.json"))));
        return root;
    }

    private static void FlipByte(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = stream.Length / 2;
        int b = stream.ReadByte();
        stream.Position = stream.Length / 2;
        stream.WriteByte((byte)(b ^ 0xFF));
    }

    internal static (int ExitCode, string Output) Vision(string? key, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vision.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["VISION_MODELS"] = SharedData.Available ? SharedData.ModelsDir : "";
        if (key is null) info.Environment.Remove("VISION_EVIDENCE_KEY");
        else info.Environment["VISION_EVIDENCE_KEY"] = key;
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A hang guard, not a speed check: a tiled replay shares the 2-core CI machine with the cluster test's 30 cameras.
        if (!process.WaitForExit(600_000)) { process.Kill(true); throw new TimeoutException("vision did not finish in 10 minutes"); }
        output.Append(stdout.Result).Append(stderr.Result);
        return (process.ExitCode, output.ToString());
    }
}
