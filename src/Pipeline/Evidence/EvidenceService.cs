using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Turns confirmed violations into complete cases without ever making the analysis wait. <see cref="Submit"/> only
/// queues; photo workers write the photos at once; the <see cref="PostRollQueue"/> holds each case, without a worker,
/// until its post-roll is recorded; clip workers then cut the clip and finish the case through the <see cref="CaseFlow"/>.
/// A case the evidence disk refuses goes to the <see cref="EvidenceBacklog"/> and is retried until space returns.
/// Registered before the camera service, so on stop it runs on after the cameras are closed: what is queued is
/// finished, clips whose post-roll is not recorded within <see cref="StopGrace"/> are given up (the case keeps its photos).
/// </summary>
internal sealed class EvidenceService : BackgroundService, IGivenUpCases
{
    public const int QueueCapacity = 1024;
    private const int PhotoWorkers = 2, ClipWorkers = 2;
    /// <summary>A case failing for another reason than the disk (a bug) is tried this often, then logged whole and given up.</summary>
    private const int MaxAttemptsOnOtherErrors = 3;
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly Channel<ViolationCase> _confirmed = Channel.CreateBounded<ViolationCase>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
    private readonly CaseFlow _flow;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly string _evidenceDirectory;
    private readonly CaseDatabaseHealth _database;
    private volatile bool _photosDone, _hurry;

    public EvidenceService(CaseFlow flow, string evidenceDirectory, TimeProvider clock, ILogger log, CaseDatabaseHealth? database = null)
    {
        _flow = flow;
        _database = database ?? new CaseDatabaseHealth(clock, log);
        _evidenceDirectory = evidenceDirectory;
        _clock = clock;
        _log = log;
        PostRoll = new PostRollQueue(clock);
        Backlog = new EvidenceBacklog(clock, givenUp: this);
    }

    public PostRollQueue PostRoll { get; }

    public EvidenceBacklog Backlog { get; }

    /// <summary>Cases confirmed and not yet complete: waiting for photos, for their post-roll, or held for a full disk.</summary>
    public int Pending => _confirmed.Reader.Count + PostRoll.Count + Backlog.Count;

    /// <summary>Cases finished (their line is in cases.jsonl) since the start.</summary>
    public long Completed => Interlocked.Read(ref _completed);
    private long _completed;

    /// <summary>A config edit: new cases use its pre/post-roll and JPEG quality.</summary>
    public void UseSettings(EvidenceConfig evidence) => _flow.UseSettings(evidence);

    /// <summary>Takes a confirmed violation; never waits. A full queue keeps the case in the backlog rather than stall a camera.</summary>
    public void Submit(ViolationCase violation)
    {
        if (_confirmed.Writer.TryWrite(violation)) return;
        Backlog.Hold(new CaseProgress(violation), $"the evidence queue is full ({QueueCapacity} cases waiting for photos): the evidence disk is too slow for this case rate");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var clipWait = new CancellationTokenSource();
        var photos = Enumerable.Range(0, PhotoWorkers).Select(_ => Task.Run(TakePhotosAsync, CancellationToken.None)).ToArray();
        var clips = Enumerable.Range(0, ClipWorkers).Select(_ => Task.Run(() => FinishCasesAsync(clipWait.Token), CancellationToken.None)).ToArray();
        var retries = Task.Run(() => RetryLoopAsync(stoppingToken), CancellationToken.None);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _clock, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Stopping: the cameras are closed (their service stopped first); finish what was confirmed.
        _confirmed.Writer.TryComplete();
        await Task.WhenAll(photos).ConfigureAwait(false);
        _photosDone = true;
        await Task.WhenAny(Task.WhenAll(clips), Task.Delay(StopGrace, _clock)).ConfigureAwait(false);
        _hurry = true;
        await clipWait.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(clips).ConfigureAwait(false);
        try { await retries.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await RetryHeldAsync(CancellationToken.None).ConfigureAwait(false);
        int kept = 0, lost = 0;
        foreach (var progress in Backlog.TakeAll())
        {
            if (progress.Written is null) lost++;
            else kept++;
            Backlog.GiveUp(progress);
        }
        if (kept > 0) _log.LogWarning("{Count} complete case(s) wait in the spool for the case store ({Reason}); they are written at the next start", kept, Backlog.Snapshot().Problem);
        if (lost > 0) _log.LogError("{Count} case(s) could not be written before the stop ({Reason}): their records are in the log above", lost, Backlog.Snapshot().Problem);
        _log.LogInformation("evidence stopped; {Cases} case(s) written this run", Completed);
    }

    private async Task TakePhotosAsync()
    {
        await foreach (var violation in _confirmed.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var progress = new CaseProgress(violation);
            if (await TryAsync(progress, () => _flow.StartAsync(progress, CancellationToken.None)).ConfigureAwait(false))
                PostRoll.Add(progress, _flow.ClipDue(progress));
        }
    }

    private async Task FinishCasesAsync(CancellationToken clipWait)
    {
        while (await PostRoll.NextAsync(() => _photosDone, () => _hurry).ConfigureAwait(false) is { } progress)
        {
            // The camera's earlier case is held (a full disk, the database away): this one is written after it, never before.
            if (Backlog.HoldsCamera(progress.Violation.Camera.Id)) WaitBehind(progress);
            else await TryAsync(progress, () => _flow.FinishAsync(progress, clipWait)).ConfigureAwait(false);
        }
    }

    private void WaitBehind(CaseProgress progress) =>
        Backlog.Hold(progress, $"waits behind an earlier held case of camera {progress.Violation.Camera.Id}, so that the camera's cases are written in order");

    private async Task RetryLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(RetryInterval, _clock, ct).ConfigureAwait(false);
            if (Backlog.Count == 0) continue;
            int held = Backlog.Count;
            int left = await RetryHeldAsync(ct).ConfigureAwait(false);
            if (left == 0)
            {
                Backlog.Cleared();
                _log.LogInformation("evidence: the {Count} held case(s) are written; the evidence disk takes cases again", held);
            }
        }
    }

    /// <summary>One retry of every held case, oldest first; returns how many are held again.</summary>
    private async Task<int> RetryHeldAsync(CancellationToken clipWait)
    {
        int left = 0;
        var stillHeld = new HashSet<string>(StringComparer.Ordinal);
        foreach (var progress in Backlog.TakeAll())
        {
            string camera = progress.Violation.Camera.Id;
            if (stillHeld.Contains(camera)) WaitBehind(progress);
            else if (await TryAsync(progress, () => _flow.FinishAsync(progress, clipWait)).ConfigureAwait(false)) continue;
            stillHeld.Add(camera);
            left++;
        }
        return left;
    }

    /// <summary>Runs one step; a failure keeps the case in the backlog (with the reason), never drops it.</summary>
    private async Task<bool> TryAsync(CaseProgress progress, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
            if (progress.Written is not null) Interlocked.Increment(ref _completed);
            return true;
        }
        catch (Exception e) when (EvidenceFailure.IsStorageFull(e))
        {
            bool first = Backlog.Count == 0;
            Backlog.Hold(progress, $"the evidence disk refuses writes ({e.Message}): free space in {Path.GetFullPath(_evidenceDirectory)}; held cases are retried every {RetryInterval.TotalSeconds:0} s");
            if (first || progress.Attempts == 1)
                _log.LogError("camera {CameraId}: the evidence of a {Violation} case confirmed at {At:O} could not be written ({Reason}); the case is held in memory ({Held} held) and retried every {Interval} s",
                    progress.Violation.Camera.Id, progress.Violation.Rule.Type.ToWire(), progress.Violation.ConfirmedAt, e.Message, Backlog.Count, RetryInterval.TotalSeconds);
            return false;
        }
        catch (CaseWaitsForLeaseException e)
        {
            Backlog.Hold(progress, $"{e.Message}: the case waits in the spool");
            return false;
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            // Its files are complete in the spool: it is held (in order, without its frames) until the database answers.
            _database.Failed("case writing", e, $"confirmed cases keep their files in the spool and are written, in order, when it answers (tried every {RetryInterval.TotalSeconds:0} s)");
            Backlog.Hold(progress, $"the case database does not answer ({DatabaseFailure.Describe(e)}): the case waits in the spool and is written when it answers");
            return false;
        }
        catch (Exception e)
        {
            // A bug in one case must not take a worker away from every later case, nor retry forever.
            _log.LogError(e, "camera {CameraId}: writing the evidence of a {Violation} case failed unexpectedly (attempt {Attempt})",
                progress.Violation.Camera.Id, progress.Violation.Rule.Type.ToWire(), progress.Attempts + 1);
            if (progress.Attempts + 1 >= MaxAttemptsOnOtherErrors) Backlog.GiveUp(progress);
            else Backlog.Hold(progress, e.Message);
            return false;
        }
    }

    /// <summary>The last resort for a case that could not be kept: everything known of it goes into the log, so an operator can recover it.</summary>
    void IGivenUpCases.GaveUp(CaseProgress progress)
    {
        _flow.GaveUp(progress);
        if (progress.Written is { } written)
            _log.LogWarning("case {CaseId}: kept in the spool with its files, to be written to the case store by spool recovery ({Reason})", written.Record.CaseId, progress.LastError);
        else
            _log.LogCritical("case not written: {Case}", progress.Describe());
    }
}
