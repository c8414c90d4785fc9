using System.Globalization;

namespace Vision.Bench;

/// <summary>What /proc says about a process and its children: CPU ticks, memory, threads, open files (Linux only).</summary>
public static class ProcFs
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>USER_HZ: /proc counts CPU time in these.</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>utime + stime of the process itself, and cutime + cstime: the CPU of its children that have exited and been reaped.</summary>
    public static (long Own, long ReapedChildren) Ticks(int pid)
    {
        var f = StatFields(File.ReadAllText($"/proc/{pid}/stat"));
        return (long.Parse(f[11], Inv) + long.Parse(f[12], Inv), long.Parse(f[13], Inv) + long.Parse(f[14], Inv));
    }

    /// <summary>Live children of <paramref name="pid"/>: pid, CPU ticks, command name.</summary>
    public static List<(int Pid, long Ticks, string Name)> Children(int pid)
    {
        var found = new List<(int, long, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int child)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var f = StatFields(stat);
                if (int.Parse(f[1], Inv) != pid) continue;
                int open = stat.IndexOf('(');
                found.Add((child, long.Parse(f[11], Inv) + long.Parse(f[12], Inv), stat[(open + 1)..stat.LastIndexOf(')')]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>CPU ticks of a process and all its children, live and reaped: a child that exits mid-window is still counted.</summary>
    public static long TreeTicks(int pid)
    {
        var (own, reaped) = Ticks(pid);
        long live = 0;
        foreach (var c in Children(pid)) live += c.Ticks;
        return own + reaped + live;
    }

    public static double RssMb(int pid) => StatusKb(pid, "VmRSS:") / 1024.0;

    public static int Threads(int pid) => (int)StatusKb(pid, "Threads:");

    public static int OpenFiles(int pid)
    {
        try { return Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    /// <summary>Proportional set size: shared libraries split between the processes that map them, so the sum is real memory.</summary>
    public static double PssMb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return 0;
    }

    private static long StatusKb(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], Inv);
        return 0;
    }

    /// <summary>The fields after the command name, which may itself hold spaces and parentheses; index 0 is the state.</summary>
    private static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
}
