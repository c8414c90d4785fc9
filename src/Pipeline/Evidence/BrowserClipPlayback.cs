using System.Collections.Concurrent;
using System.Diagnostics;
using Vision.Pipeline.Ingest;
using Vision.ReviewConsole;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Serves evidence clips to the console's video player. H.264 clips play as stored. Anything else (H.265 from most
/// modern cameras) gets a viewing copy: H.264, fast start, made once by ffmpeg into <c>{spool}/playback</c> and reused.
/// The copy is for viewing only: the evidence (and its SHA-256 in the signed manifest) stays the original stream copy.
/// At most <see cref="MaxCopies"/> copies are kept, the oldest removed first.
/// </summary>
/// <param name="children">Where the copying ffmpeg is registered: the service's stop kills it.</param>
internal sealed class BrowserClipPlayback(string spoolDirectory, IEvidenceStore store, ChildProcesses children) : IClipPlayback
{
    private const int MaxCopies = 200;
    /// <summary>The folder of the spool that holds the viewing copies (spool recovery leaves it alone).</summary>
    public const string Folder = "playback";

    private readonly string _cache = Path.Combine(spoolDirectory, Folder);
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _inFlight = new(StringComparer.Ordinal);

    public Task<string?> PlayablePathAsync(CatalogEntry entry, SpooledObject clip, CancellationToken ct)
    {
        string copy = Path.Combine(_cache, entry.Case.CaseId + ".mp4");
        if (File.Exists(copy)) return Task.FromResult<string?>(copy);
        var work = _inFlight.GetOrAdd(entry.Case.CaseId, _ => new Lazy<Task<string?>>(() => PrepareAsync(entry, clip, copy)));
        return work.Value.ContinueWith(t => { _inFlight.TryRemove(entry.Case.CaseId, out _); return t.Result; }, ct, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private async Task<string?> PrepareAsync(CatalogEntry entry, SpooledObject clip, string copy)
    {
        string? source = entry.State is EvidenceState.Spooled or EvidenceState.Broken ? Path.Combine(spoolDirectory, entry.Case.CaseId, clip.Name)
            : store is LocalFolderEvidenceStore local ? local.PathOf(clip.Key) : null;
        string? downloaded = null;
        if (source is null)
        {
            Directory.CreateDirectory(_cache);
            downloaded = Path.Combine(_cache, $"{entry.Case.CaseId}.original.mp4");
            await using (var file = File.Create(downloaded)) await store.GetAsync(clip.Key, file, CancellationToken.None).ConfigureAwait(false);
            source = downloaded;
        }
        try
        {
            if (!File.Exists(source)) return null;
            var info = await VideoProbe.ProbeAsync(source, CancellationToken.None).ConfigureAwait(false);
            if (info.Codec == "h264") return downloaded is null ? source : Keep(downloaded, copy);
            Directory.CreateDirectory(_cache);
            string partial = copy + ".partial.mp4";
            var ffmpeg = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-nostdin", "-v", "error", "-y", "-i", source, "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26",
                         "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-threads", "2", partial })
                ffmpeg.ArgumentList.Add(a);
            await using var child = children.Start(ffmpeg, CancellationToken.None);
            var process = child.Process;
            string errors = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            if (process.ExitCode != 0) throw new IOException($"ffmpeg could not make a viewing copy of {entry.Case.CaseId}'s clip: {errors.Trim()}");
            return Keep(partial, copy);
        }
        finally
        {
            if (downloaded is not null && File.Exists(downloaded)) File.Delete(downloaded);
        }
    }

    private string Keep(string made, string copy)
    {
        File.Move(made, copy, overwrite: true);
        foreach (var old in new DirectoryInfo(_cache).GetFiles("*.mp4").OrderByDescending(f => f.LastWriteTimeUtc).Skip(MaxCopies))
            old.Delete();
        return copy;
    }
}
