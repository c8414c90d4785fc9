using System.Runtime.InteropServices;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Caps glibc's malloc arenas for the long-running service. glibc gives threads that contend on malloc arenas of their
/// own, up to 8 per core, and an arena keeps the pages its freed blocks leave behind. Vision's native allocations come in
/// bursts from many threads (SkiaSharp bitmaps for evidence photos, OpenCV JPEG encodes, ONNX Runtime), so each arena
/// grew to the high-water mark of whatever ran on it: the soak benchmark saw 16 arenas holding ~90–115 MB with a flat
/// managed heap; with MALLOC_ARENA_MAX=2 they held 13 MB. Set here, the cap only stops new arenas (the runtime's start
/// has made about 7 by Main), so MALLOC_ARENA_MAX=2 in the service's environment is the full fix; an operator's own
/// <c>MALLOC_ARENA_MAX</c> wins.
/// </summary>
internal static partial class NativeHeapLimits
{
    private const int MArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h
    public const string Variable = "MALLOC_ARENA_MAX";

    /// <summary>Applies the cap; false where it does not apply (not glibc, or the operator set MALLOC_ARENA_MAX).</summary>
    public static bool Apply(int arenas = 2)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null) return false;
        try
        {
            return MallOpt(MArenaMax, arenas) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and others: no glibc arenas to cap
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int param, int value);
}
