using System.Diagnostics;
using System.Globalization;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Runs ffmpeg or ffprobe for evidence work (clip cuts, full-resolution photo frames) below the live decoders (nice 10)
/// and the analysis: a burst of cases then takes the CPU that is left, not the frames of every camera.
/// </summary>
internal static class NicedTool
{
    public const int Niceness = 15;

    /// <summary>
    /// Runs the tool to its end as a child of <paramref name="children"/>; returns its standard output and error. A
    /// non-zero exit throws an <see cref="IOException"/> with <paramref name="what"/> and the tool's errors; a cancelled
    /// or failed run kills it (whole tree) before this returns.
    /// </summary>
    public static async Task<(byte[] Output, string Errors)> RunAsync(ChildProcesses children, string tool, IReadOnlyList<string> args, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(children);
        var info = new ProcessStartInfo("nice") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-n", Niceness.ToString(CultureInfo.InvariantCulture), tool }) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        await using var child = children.Start(info, ct);
        var process = child.Process;
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output, ct);
        string errors = await process.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
        await copy.ConfigureAwait(false);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"{what} failed ({tool} exit {process.ExitCode}): {LastLines(errors)}"));
        return (output.ToArray(), errors);
    }

    private static string LastLines(string errors)
    {
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 3)));
    }
}
