using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vision.TestSupport;

/// <summary>
/// Camera-like test files made from the shared footage: no B-frames, a fixed GOP, video only, looped to a length,
/// so the RTSP test server can stream-copy them and ffmpeg's RTSP client takes them. Cached across runs.
/// </summary>
public static class TestFootage
{
    /// <summary>Bump when the encoding recipe changes so stale cache entries are not reused.</summary>
    private const string Recipe = "v1";

    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> InProcess = new();

    // x264/x265 already use every core: one encode at a time finishes each sooner than several at once.
    private static readonly SemaphoreSlim Encoders = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>Where prepared files are kept: $VISION_TEST_FOOTAGE or /tmp/vision-test-footage.</summary>
    public static string CacheDirectory { get; } =
        Environment.GetEnvironmentVariable("VISION_TEST_FOOTAGE") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "vision-test-footage");

    /// <summary>A 2-second H.264 test pattern (ffmpeg's testsrc) of <paramref name="width"/>×<paramref name="height"/> at <paramref name="fps"/>, written to <paramref name="path"/>; needs no shared footage.</summary>
    public static async Task<string> SyntheticAsync(string path, int width, int height, int fps)
    {
        var made = await ChildProcess.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            string.Create(CultureInfo.InvariantCulture, $"testsrc=duration=2:size={width}x{height}:rate={fps}"), "-c:v", "libx264", "-pix_fmt", "yuv420p", path], TimeSpan.FromSeconds(60));
        if (!made.Succeeded) throw new InvalidOperationException($"ffmpeg could not make a test clip: {made}");
        return path;
    }

    /// <summary>
    /// Re-encodes <c>../shared/footage/{clip}.mp4</c> (H.264 to H.264 with libx264, H.265 to H.265 with libx265) with no
    /// B-frames and a keyframe every <paramref name="gop"/> frames, no audio, optionally scaled and/or resampled to
    /// <paramref name="fps"/>, then loops it (stream copy) to <paramref name="length"/>. Only as much of the clip as the
    /// length needs is encoded, rounded to whole GOPs so the keyframe cadence holds across the loop seam.
    /// Returns the path of an mp4 in <see cref="CacheDirectory"/>, reused when present; parallel callers never see a half-written file.
    /// </summary>
    /// <param name="clip">file name in the shared footage folder, with or without ".mp4"</param>
    /// <param name="width">output width; with only one of width/height the other keeps the aspect (even)</param>
    public static Task<string> PrepareAsync(string clip, TimeSpan length, int gop = 30, int? width = null, int? height = null, double? fps = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clip);
        if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(length), length, "must be positive");
        if (gop < 1) throw new ArgumentOutOfRangeException(nameof(gop), gop, "must be at least 1");
        if (width is <= 0) throw new ArgumentOutOfRangeException(nameof(width));
        if (height is <= 0) throw new ArgumentOutOfRangeException(nameof(height));
        if (fps is <= 0) throw new ArgumentOutOfRangeException(nameof(fps));

        string name = clip.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase) ? clip[..^4] : clip;
        string source = SharedData.Footage(name + ".mp4");
        if (!File.Exists(source)) throw new FileNotFoundException($"no shared footage '{name}.mp4'", source);

        var info = new FileInfo(source);
        string key = string.Join('|', Recipe, info.FullName, info.Length, info.LastWriteTimeUtc.Ticks,
            length.Ticks, gop, width, height, fps?.ToString("R", CultureInfo.InvariantCulture));
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();
        string target = Path.Combine(CacheDirectory, $"{name}-{hash}.mp4");

        var lazy = InProcess.GetOrAdd(target, t => new Lazy<Task<string>>(() => CreateAsync(source, t, length, gop, width, height, fps)));
        return AwaitAndForgetFailure(target, lazy);
    }

    private static async Task<string> AwaitAndForgetFailure(string target, Lazy<Task<string>> lazy)
    {
        try
        {
            return await lazy.Value;
        }
        catch
        {
            InProcess.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(target, lazy));
            throw;
        }
    }

    private static async Task<string> CreateAsync(string source, string target, TimeSpan length, int gop, int? width, int? height, double? fps)
    {
        if (File.Exists(target)) return target;
        Directory.CreateDirectory(CacheDirectory);

        var probe = await ProbeAsync(source);
        double outFps = fps ?? probe.Fps;
        long sourceFrames = (long)Math.Floor(probe.Duration * outFps);
        long wantedFrames = (long)Math.Ceiling(length.TotalSeconds * outFps);
        long segmentFrames = Math.Min(RoundUp(wantedFrames, gop), sourceFrames / gop * gop);
        if (segmentFrames < gop) segmentFrames = sourceFrames; // a clip shorter than one GOP: loop what there is

        string stem = target[..^4] + $".{Environment.ProcessId}.{Guid.NewGuid():N}";
        string segment = stem + ".segment.mp4";
        string looped = stem + ".tmp.mp4";
        await Encoders.WaitAsync();
        try
        {
            if (File.Exists(target)) return target;

            var encode = new List<string> { "-nostdin", "-v", "error", "-y", "-i", source, "-map", "0:v:0", "-an", "-sn", "-dn" };
            var filters = new List<string>();
            if (width is not null || height is not null) filters.Add($"scale={width ?? -2}:{height ?? -2}");
            if (fps is not null) filters.Add("fps=" + fps.Value.ToString("R", CultureInfo.InvariantCulture));
            if (filters.Count > 0) encode.AddRange(["-vf", string.Join(',', filters)]);
            if (probe.Codec == "hevc")
            {
                // x265 at veryfast manages ~28 fps of 720p on 2 cores; ultrafast ~140: the tests need speed, not quality.
                encode.AddRange(["-c:v", "libx265", "-preset", "ultrafast",
                    "-x265-params", $"keyint={gop}:min-keyint={gop}:bframes=0:scenecut=0:log-level=error"]);
            }
            else
            {
                encode.AddRange(["-c:v", "libx264", "-preset", "veryfast"]);
            }
            encode.AddRange(["-bf", "0", "-g", gop.ToString(CultureInfo.InvariantCulture), "-keyint_min", gop.ToString(CultureInfo.InvariantCulture),
                "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-frames:v", segmentFrames.ToString(CultureInfo.InvariantCulture), "-f", "mp4", segment]);
            var run = await ChildProcess.RunAsync("ffmpeg", encode, TimeSpan.FromMinutes(5));
            if (!run.Succeeded) throw new InvalidOperationException($"ffmpeg could not encode {source}: {run}");

            // Loop by stream copy: timestamps continue across the seam; -t cuts at the length.
            var loop = new List<string> { "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", segment, "-map", "0:v:0", "-c", "copy",
                "-t", length.TotalSeconds.ToString("R", CultureInfo.InvariantCulture), "-f", "mp4", looped };
            run = await ChildProcess.RunAsync("ffmpeg", loop, TimeSpan.FromMinutes(2));
            if (!run.Succeeded) throw new InvalidOperationException($"ffmpeg could not loop {segment}: {run}");

            File.Move(looped, target, overwrite: true);
            return target;
        }
        finally
        {
            Encoders.Release();
            TryDelete(segment);
            TryDelete(looped);
        }
    }

    private static long RoundUp(long value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed record SourceInfo(string Codec, double Fps, double Duration);

    private static async Task<SourceInfo> ProbeAsync(string path)
    {
        var run = await ChildProcess.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,r_frame_rate,avg_frame_rate,duration:format=duration", "-of", "json", path], TimeSpan.FromSeconds(30));
        if (!run.Succeeded) throw new InvalidOperationException($"ffprobe could not read {path}: {run}");
        using var doc = JsonDocument.Parse(run.StdOut);
        var stream = doc.RootElement.GetProperty("streams")[0];
        string codec = stream.GetProperty("codec_name").GetString() ?? "";
        double fps = Rate(stream, "avg_frame_rate") ?? Rate(stream, "r_frame_rate") ?? throw new InvalidOperationException($"no frame rate in {path}");
        double duration = Number(stream, "duration") ?? Number(doc.RootElement.GetProperty("format"), "duration")
            ?? throw new InvalidOperationException($"no duration in {path}");
        return new SourceInfo(codec, fps, duration);
    }

    private static double? Rate(JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out var v) || v.GetString() is not { } s) return null;
        var parts = s.Split('/');
        if (parts.Length != 2 || !double.TryParse(parts[0], CultureInfo.InvariantCulture, out double n) || !double.TryParse(parts[1], CultureInfo.InvariantCulture, out double d) || n <= 0 || d <= 0)
            return null;
        return n / d;
    }

    private static double? Number(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && double.TryParse(v.GetString(), CultureInfo.InvariantCulture, out double x) && x > 0 ? x : null;
}
