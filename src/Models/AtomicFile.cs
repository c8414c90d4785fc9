namespace Vision.Models;

/// <summary>Replaces a file whole or not at all: writes a temporary file beside it, forces it to disk, then renames it over the file.</summary>
/// <remarks>
/// A reader, or a start after a crash, power cut or full disk, finds the old bytes or the new ones, never part of
/// them. The temporary file lies in the target's folder (a rename across file systems would be a copy) and is
/// removed when the write fails. Lives in the lowest project: every project that writes files references it.
/// </remarks>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    public static Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken ct = default) =>
        WriteAsync(path, (stream, token) => stream.WriteAsync(bytes, token).AsTask(), ct);

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given (which it must not dispose).</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temp = TemporaryPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given (which it must not dispose).</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken ct = default)
    {
        string temp = TemporaryPathFor(path);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    // Unique, so two writers of one file never share a temporary file.
    private static string TemporaryPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    // The write's own exception is the one worth reporting; a temporary file that cannot be removed either is left.
    private static void DeleteQuietly(string temp)
    {
        try { File.Delete(temp); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
