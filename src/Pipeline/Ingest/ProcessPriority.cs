using System.Globalization;
using System.Runtime.InteropServices;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// Lowers a running child's scheduling priority. Linux keeps a niceness per thread, and setpriority on a pid only
/// reaches the thread of that id, so every thread listed under /proc/PID/task is set (threads started later inherit).
/// </summary>
internal static partial class ProcessPriority
{
    private const int PrioProcess = 0;

    /// <summary>Sets <paramref name="niceness"/> on every thread of <paramref name="pid"/>; false where that was not possible.</summary>
    public static bool Lower(int pid, int niceness)
    {
        if (!OperatingSystem.IsLinux()) return false;
        string[] threads;
        try { threads = Directory.GetDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task"); }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException) { return false; }
        bool all = true;
        foreach (var thread in threads)
        {
            if (!int.TryParse(Path.GetFileName(thread), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)) continue;
            // An unprivileged process may raise niceness, never lower it: this is only ever called to raise it.
            if (SetPriority(PrioProcess, tid, niceness) != 0) all = false;
        }
        return all && threads.Length > 0;
    }

    /// <summary>The niceness of a process's main thread, from /proc (for tests and diagnostics).</summary>
    public static int? Of(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, nice is 19.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[19 - 3], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
