using System.Diagnostics;

namespace Vision.TakeoverBench;

/// <summary>
/// The shared bottle clip as an IP camera sends it: H.264 with a keyframe every 30 frames (1 s) and no B-frames,
/// video only. The original has a keyframe every 8.4 s, so with <c>decode: keyframes</c> a camera taken over would
/// wait up to that long for its first frame, and the takeover time would measure the clip's GOP. Made once, kept in
/// the temp folder.
/// </summary>
public static class CameraClip
{
    public static async Task<string> PrepareAsync(string source, CancellationToken ct)
    {
        string folder = Path.Combine(Path.GetTempPath(), "vision-takeover-footage");
        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, Path.GetFileNameWithoutExtension(source) + "-gop30.mp4");
        if (File.Exists(target)) return target;
        string part = target + $".{Environment.ProcessId}.part.mp4";
        var info = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-nostdin", "-v", "error", "-y", "-i", source, "-map", "0:v:0", "-an", "-c:v", "libx264", "-preset", "veryfast",
                     "-bf", "0", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-f", "mp4", part })
            info.ArgumentList.Add(arg);
        using var ffmpeg = Process.Start(info) ?? throw new InvalidOperationException("could not start ffmpeg: run scripts/install-deps.sh");
        var stderr = ffmpeg.StandardError.ReadToEndAsync(ct);
        await ffmpeg.StandardOutput.ReadToEndAsync(ct);
        await ffmpeg.WaitForExitAsync(ct);
        if (ffmpeg.ExitCode != 0)
        {
            File.Delete(part);
            throw new InvalidOperationException($"ffmpeg could not re-encode {source} (exit {ffmpeg.ExitCode}): {(await stderr).Trim()}");
        }
        File.Move(part, target, overwrite: true);
        return target;
    }
}
