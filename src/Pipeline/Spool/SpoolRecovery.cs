using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;
using Vision.Storage;

namespace Vision.Pipeline.Spool;

/// <summary>
/// Brings the catalog and the spool folder back in line at start-up, after any crash: a complete case folder (it has
/// its manifest) that the catalog does not know is added and will upload; a folder of a case already stored is the
/// leftover of an interrupted clean-up and is removed; a folder without a manifest was cut off mid-write and is
/// reported (its photos are kept for a person to look at).
/// </summary>
public static class SpoolRecovery
{
    /// <summary>The console's viewing copies of clips (<see cref="Evidence.BrowserClipPlayback"/>), not a case.</summary>
    public const string PlaybackFolder = "playback";

    /// <param name="fenced">In a cluster: a case is added only under the camera lease it was raised under (<see cref="SpooledLease"/>).</param>
    public static async Task<int> RecoverAsync(string spoolDirectory, string? skipFolder, CaseStore cases, EvidenceCatalog catalog, TimeProvider clock, ILogger log, CancellationToken ct,
        bool fenced = false)
    {
        if (!Directory.Exists(spoolDirectory)) return 0;
        string? skip = skipFolder is null ? null : Path.GetFullPath(skipFolder);
        int recovered = 0;
        foreach (var folder in Directory.EnumerateDirectories(spoolDirectory))
        {
            if (skip is not null && string.Equals(Path.GetFullPath(folder), skip, StringComparison.Ordinal)) continue;
            if (Path.GetFileName(folder) == PlaybackFolder) continue;
            string caseId = Path.GetFileName(folder);
            string manifestPath = Path.Combine(folder, CaseManifest.FileName);
            if (!File.Exists(manifestPath))
            {
                log.LogWarning("spool folder {Folder} has no manifest: the process stopped while writing that case; its files are kept but it will not be uploaded", folder);
                continue;
            }
            var entry = await catalog.FindAsync(caseId, ct).ConfigureAwait(false);
            if (entry is null)
            {
                CaseManifest? manifest = null;
                try
                {
                    byte[] bytes = await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false);
                    manifest = CaseManifest.Parse(bytes);
                    var fence = fenced ? SpooledLease.Read(folder) : null;
                    await cases.AddAsync(manifest.Case.ToNewCase() with { Fence = fence }, manifest.ToSpooledCase(bytes), clock.GetUtcNow(), ct).ConfigureAwait(false);
                    recovered++;
                }
                catch (CaseFencedException e)
                {
                    // As for a live case fenced off: the camera's new node analyses it and raises what is still there.
                    log.LogWarning("spool folder {Folder}: case confirmed at {ConfirmedAt} is not recovered: {Reason}; its files are removed", folder,
                        manifest?.Case.ConfirmedAt, e.Message);
                    try { Directory.Delete(folder, recursive: true); }
                    catch (IOException io) { log.LogWarning("could not remove fenced spool folder {Folder}: {Reason}", folder, io.Message); }
                }
                catch (Exception e) when (e is JsonException or IOException or FormatException)
                {
                    log.LogError("spool folder {Folder}: its manifest or lease file cannot be read ({Reason}); the case is not uploaded", folder, e.Message);
                }
            }
            else if (entry.State is EvidenceState.Stored or EvidenceState.Expired)
            {
                try { Directory.Delete(folder, recursive: true); }
                catch (IOException e) { log.LogWarning("could not remove uploaded spool folder {Folder}: {Reason}", folder, e.Message); }
            }
        }
        if (recovered > 0) log.LogInformation("spool: {Count} complete case(s) found that were not yet queued for upload; queued", recovered);
        return recovered;
    }
}
