using System.Diagnostics;

namespace Vision.TestSupport;

/// <summary>
/// A real, tiny file system (tmpfs of a few MB, mounted for the test) that runs out of space the way a full evidence
/// disk does: writes fail with ENOSPC. Needs root (CI and the dev machines run as root); elsewhere tests skip saying so.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string FillerPath => System.IO.Path.Combine(Path, ".filler");

    public static SmallDisk Mount(string path, long bytes)
    {
        Directory.CreateDirectory(path);
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        if (code != 0) throw new InvalidOperationException($"cannot mount a tmpfs at {path}: {error}");
        return new SmallDisk(path);
    }

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Takes every free byte, as a disk that filled up does.</summary>
    public void Fill()
    {
        long free = FreeBytes;
        var (code, error) = Run("fallocate", "-l", free.ToString(System.Globalization.CultureInfo.InvariantCulture), FillerPath);
        if (code != 0) throw new InvalidOperationException($"fallocate failed: {error}");
    }

    /// <summary>Space comes back (an operator deleted something).</summary>
    public void Free() => File.Delete(FillerPath);

    public void Dispose()
    {
        Run("umount", "-l", Path);
    }

    /// <summary>Why a test cannot mount a small disk here; null when it can.</summary>
    public static string? UnavailableReason { get; } = Probe();

    private static string? Probe()
    {
        string probe = Directory.CreateTempSubdirectory("vision-small-disk-probe-").FullName;
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe);
        if (code != 0) return $"cannot mount a tmpfs for a full-disk test (needs root): {error.Trim()}";
        Run("umount", probe);
        Directory.Delete(probe);
        return null;
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}

/// <summary>A test that needs ../shared and a small disk it can fill; skipped with the reason otherwise.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
        else if (SmallDisk.UnavailableReason is { } reason) Skip = reason;
    }
}
