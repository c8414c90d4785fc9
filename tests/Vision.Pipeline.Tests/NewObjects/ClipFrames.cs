using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>
/// Frames of a shared clip decoded by Debian's ffmpeg at a low rate and a small size, as BGR; decoded once per test
/// process and shared, since decoding the 720p HEVC clip costs seconds.
/// </summary>
internal sealed class ClipFrames
{
    private static readonly ConcurrentDictionary<string, Lazy<ClipFrames>> Decoded = new();
    private readonly byte[][] _frames;

    private ClipFrames(byte[][] frames, int width, int height)
    {
        _frames = frames;
        Width = width;
        Height = height;
    }

    public int Width { get; }
    public int Height { get; }
    public int Count => _frames.Length;

    public static ClipFrames Of(string clip, double fps, int width, int height) =>
        Decoded.GetOrAdd(string.Create(CultureInfo.InvariantCulture, $"{clip}|{fps}|{width}x{height}"),
            _ => new Lazy<ClipFrames>(() => Decode(clip, fps, width, height))).Value;

    /// <summary>A new Mat holding frame <paramref name="index"/> (the caller disposes it).</summary>
    public Mat Frame(int index)
    {
        var mat = new Mat(Height, Width, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(_frames[index], 0, mat.Data, _frames[index].Length);
        return mat;
    }

    private static ClipFrames Decode(string clip, double fps, int width, int height)
    {
        string path = SharedData.Footage(clip);
        if (!File.Exists(path)) throw new FileNotFoundException($"shared footage {clip} is missing", path);
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-nostdin", "-v", "error", "-i", path, "-an", "-vf",
                     string.Create(CultureInfo.InvariantCulture, $"fps={fps},scale={width}:{height}"), "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1" })
            info.ArgumentList.Add(arg);
        using var ffmpeg = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start");
        var errors = ffmpeg.StandardError.ReadToEndAsync();
        int size = width * height * 3;
        var frames = new List<byte[]>();
        var stream = ffmpeg.StandardOutput.BaseStream;
        while (true)
        {
            var frame = new byte[size];
            int read = 0;
            while (read < size)
            {
                int n = stream.Read(frame, read, size - read);
                if (n == 0) break;
                read += n;
            }
            if (read < size) break;
            frames.Add(frame);
        }
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0 || frames.Count == 0)
            throw new InvalidOperationException($"ffmpeg could not decode {path}: exit {ffmpeg.ExitCode}, {errors.Result}");
        return new ClipFrames(frames.ToArray(), width, height);
    }
}
