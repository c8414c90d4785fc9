using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;
using Vision.Storage;

namespace Vision.Pipeline.Upload;

/// <summary>The cases whose folders the live case flow is writing now: spool recovery leaves them alone.</summary>
internal sealed class CasesInFlight
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public void Add(string caseId) => _ids.TryAdd(caseId, 0);

    public void Remove(string caseId) => _ids.TryRemove(caseId, out _);

    public bool Contains(string caseId) => _ids.ContainsKey(caseId);
}

/// <summary>
/// Brings the case store and the spool folder back in line: at start-up, after any crash, and every half minute while
/// the node runs (cases kept in the spool while the database was away). For each case folder the live flow is not
/// writing:
/// <list type="bullet">
/// <item>complete (it has its manifest) and unknown to the catalog: written to the case store (in a cluster under the
/// camera's lease, <see cref="IRecoveryFences"/>) with its cases.jsonl line, and it will upload;</item>
/// <item>cut off after its first photos (only the provisional manifest written with them): completed from it, without
/// its clip, and recovered as above;</item>
/// <item>cut off before even that: reported once as lost, with the reason, counted, and moved to <c>lost/</c> with its
/// files for a person to look at;</item>
/// <item>a leftover of a case already stored: removed.</item>
/// </list>
/// </summary>
internal sealed partial class SpoolRecovery(string spoolDirectory, string? skipFolder, CaseStore cases, EvidenceCatalog catalog, TimeProvider clock, ILogger log)
{
    /// <summary>The console's viewing copies of clips, not a case.</summary>
    public const string PlaybackFolder = BrowserClipPlayback.Folder;

    /// <summary>Case folders that could not be recovered, kept for a person to look at.</summary>
    public const string LostFolder = "lost";

    /// <summary>A folder the flow is not writing is taken as cut off only once nothing in it changed for this long.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, byte> _toldWaiting = new(StringComparer.Ordinal);
    private long _lost;
    private int _waiting, _passes;

    /// <summary>In a cluster: the lease a recovered case is written under; null writes it under the lease it was raised under.</summary>
    public IRecoveryFences? Fences { get; init; }

    /// <summary>The live flow's cases (left alone); empty for a recovery at start-up.</summary>
    public CasesInFlight InFlight { get; init; } = new();

    /// <summary>Where recovered cases get their line; null: none (tests).</summary>
    public CaseLog? CaseLog { get; init; }

    /// <summary>Case folders found that could not be recovered, since the start.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Complete cases left in the spool at the last pass: waiting for their camera's lease.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>One pass over the spool; returns how many cases it wrote to the case store.</summary>
    /// <exception cref="Exception">The case database failed: the pass stops there and the next one goes on.</exception>
    public async Task<int> RecoverAsync(CancellationToken ct)
    {
        if (!Directory.Exists(spoolDirectory)) return 0;
        // The first pass runs before any case is confirmed: everything in the spool is a previous run's.
        bool atStart = Interlocked.Increment(ref _passes) == 1;
        string? skip = skipFolder is null ? null : Path.GetFullPath(skipFolder);
        int recovered = 0, waiting = 0;
        foreach (var folder in Directory.EnumerateDirectories(spoolDirectory).Order(StringComparer.Ordinal))
        {
            string caseId = Path.GetFileName(folder);
            if (skip is not null && string.Equals(Path.GetFullPath(folder), skip, StringComparison.Ordinal)) continue;
            // Only case folders: whatever else shares the directory (a store or recordings folder put there) is left alone.
            if (!CaseFolderName().IsMatch(caseId) || InFlight.Contains(caseId)) continue;
            string manifestPath = Path.Combine(folder, CaseManifest.FileName);
            if (!File.Exists(manifestPath) && (atStart || Settled(folder)))
            {
                string? cutOff = Path.Exists(Path.Combine(folder, CaseManifest.ProvisionalFileName))
                    ? Promote(folder)
                    : "the node stopped while writing its first photos, before a record of the case could be kept";
                if (cutOff is not null)
                {
                    ReportLost(folder, cutOff);
                    continue;
                }
            }
            if (!File.Exists(manifestPath)) continue;
            var entry = await catalog.FindAsync(caseId, ct).ConfigureAwait(false);
            if (entry is null)
            {
                switch (await TryRecordAsync(folder, manifestPath, ct).ConfigureAwait(false))
                {
                    case true: recovered++; break;
                    case null: waiting++; break;
                }
            }
            else if (entry.State is EvidenceState.Stored or EvidenceState.Expired)
            {
                try { Directory.Delete(folder, recursive: true); }
                catch (IOException e) { log.LogWarning("could not remove uploaded spool folder {Folder}: {Reason}", folder, e.Message); }
            }
        }
        Volatile.Write(ref _waiting, waiting);
        if (recovered > 0) log.LogInformation("spool: {Count} complete case(s) that were not yet in the case store are written to it and queued for upload", recovered);
        return recovered;
    }

    /// <returns>true: written; false: not (moved, unreadable); null: it waits for its camera's lease.</returns>
    private async Task<bool?> TryRecordAsync(string folder, string manifestPath, CancellationToken ct)
    {
        CaseManifest? manifest = null;
        try
        {
            byte[] bytes = await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false);
            manifest = CaseManifest.Parse(bytes);
            var fence = SpooledLease.Read(folder);
            if (fence is not null && Fences is not null)
            {
                var decision = await Fences.DecideAsync(manifest.Case.CameraId, fence, ct).ConfigureAwait(false);
                if (decision.Moved is { } moved) throw new CaseFencedException(moved);
                if (decision.Wait is { } wait)
                {
                    if (_toldWaiting.TryAdd(folder, 0))
                        log.LogInformation("spool folder {Folder}: the case confirmed at {ConfirmedAt} waits in the spool: {Reason}", folder, manifest.Case.ConfirmedAt, wait);
                    return null;
                }
                fence = decision.WriteUnder;
            }
            await cases.AddAsync(NewCase.Of(manifest.Case) with { Fence = fence }, manifest.ToSpooledCase(bytes), clock.GetUtcNow(), ct).ConfigureAwait(false);
            _toldWaiting.TryRemove(folder, out _);
            if (CaseLog is not null) await CaseLog.AppendAsync(manifest.Case, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (CaseFencedException e)
        {
            // As for a live case fenced off: the camera's new node analyses it and raises what is still there.
            log.LogWarning("spool folder {Folder}: case confirmed at {ConfirmedAt} is not recovered: {Reason}; its files are removed", folder, manifest?.Case.ConfirmedAt, e.Message);
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException io) { log.LogWarning("could not remove fenced spool folder {Folder}: {Reason}", folder, io.Message); }
            return false;
        }
        catch (Exception e) when (e is JsonException or IOException or FormatException)
        {
            ReportLost(folder, $"its manifest or lease file cannot be read ({e.Message})");
            return false;
        }
    }

    /// <summary>Completes a case cut off after its first photos from the manifest written with them; null when done, else why it cannot be.</summary>
    private string? Promote(string folder)
    {
        string provisional = Path.Combine(folder, CaseManifest.ProvisionalFileName);
        try
        {
            var manifest = CaseManifest.Parse(File.ReadAllBytes(provisional));
            foreach (var item in manifest.Objects)
            {
                string file = Path.Combine(folder, Path.GetFileName(item.File));
                if (!File.Exists(file) || !Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))).Equals(item.Sha256, StringComparison.Ordinal))
                    return $"the node stopped while its full-resolution photos replaced the first ones ({Path.GetFileName(item.File)} is not the file its first record names)";
            }
            File.Move(provisional, Path.Combine(folder, CaseManifest.FileName));
            log.LogWarning("spool folder {Folder}: the node stopped before this case's clip was cut; it is recovered with its first photos and without a clip", folder);
            return null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return $"its provisional manifest cannot be read ({e.Message})";
        }
    }

    /// <summary>A case id as <see cref="CaseIds"/> makes it: camera, local confirmation time, 8 hex digits.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^.+-\d{8}T\d{6}-[0-9a-f]{8}$")]
    private static partial System.Text.RegularExpressions.Regex CaseFolderName();

    private bool Settled(string folder)
    {
        var newest = Directory.EnumerateFileSystemEntries(folder).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty(Directory.GetLastWriteTimeUtc(folder)).Max();
        return clock.GetUtcNow().UtcDateTime - newest >= SettleTime;
    }

    private void ReportLost(string folder, string reason)
    {
        Interlocked.Increment(ref _lost);
        string target = Path.Combine(spoolDirectory, LostFolder, Path.GetFileName(folder));
        string kept;
        try
        {
            Directory.CreateDirectory(Path.Combine(spoolDirectory, LostFolder));
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(folder, target);
            kept = target;
        }
        catch (IOException e)
        {
            kept = $"{folder} (could not be moved: {e.Message})";
        }
        log.LogError("case {CaseId} lost: {Reason}; its files are kept in {Kept}", Path.GetFileName(folder), reason, kept);
    }
}
