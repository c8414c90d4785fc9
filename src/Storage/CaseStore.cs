using System.Globalization;
using System.Data.Common;

namespace Vision.Storage;

/// <summary>Review status of a case, as officers and the dispatch core see it.</summary>
public enum CaseStatus { AutoCaptured, Confirmed, Rejected, Dispatched }

public static class CaseStatusNames
{
    public static string ToWire(this CaseStatus status) => status switch
    {
        CaseStatus.AutoCaptured => "auto_captured",
        CaseStatus.Confirmed => "confirmed",
        CaseStatus.Rejected => "rejected",
        CaseStatus.Dispatched => "dispatched",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string text, out CaseStatus status)
    {
        foreach (var candidate in Enum.GetValues<CaseStatus>())
            if (candidate.ToWire() == text) { status = candidate; return true; }
        status = default;
        return false;
    }
}

/// <summary>When a case is released to the dispatch core, if at all (dispatch not configured: never).</summary>
public enum ReleasePolicy { Never, OnDetection, AfterReview }

/// <summary>The node and camera-lease token a case was raised under.</summary>
public sealed record CaseFence(string NodeId, long LeaseToken);

/// <summary>The camera's lease moved to another node (a higher token) before this node's case was written: the case is not written.</summary>
public sealed class CaseFencedException(string message) : Exception(message);

/// <summary>A case of a camera whose lease is not back on its node yet (after an outage): it waits, complete in the spool, and is written when it is.</summary>
public sealed class CaseWaitsForLeaseException(string message) : Exception(message);

/// <summary>One step of a case's status history.</summary>
public sealed record CaseHistoryEntry(CaseStatus Status, DateTimeOffset At, string? Actor, string? Reason, string? Note, string? Address)
{
    /// <summary>The decision this step replaced (confirmed or rejected before); null for a first decision.</summary>
    public CaseStatus? ChangedFrom { get; init; }

    /// <summary>Why the reviewer changed an earlier decision (they confirmed the change and gave this reason).</summary>
    public string? ChangeReason { get; init; }
}

/// <summary>
/// A reviewer's decision and the state it was made on. <see cref="ExpectedVersion"/> is the case version the reviewer
/// saw (null: whatever it is now); changing an earlier decision needs <see cref="ChangeConfirmed"/> and a
/// <see cref="ChangeReason"/> unless <see cref="ChangeNeedsConfirmation"/> is off (the operator's command line).
/// </summary>
public sealed record CaseDecision(CaseStatus Status, CaseHistoryEntry Entry, ReleasePolicy Policy)
{
    public long? ExpectedVersion { get; init; }
    public bool ChangeConfirmed { get; init; }
    public string? ChangeReason { get; init; }
    public bool ChangeNeedsConfirmation { get; init; } = true;
}

/// <summary>Why a decision was or was not recorded.</summary>
public enum DecisionResult { Recorded, NotFound, AlreadyDispatched, ChangedMeanwhile, ChangeNeedsConfirmation }

/// <summary>The result, and the case's status, version and last reviewer as they are after it.</summary>
public sealed record DecisionOutcome(DecisionResult Result, CaseStatus? Status = null, long Version = 0, string? StatusBy = null);

/// <summary>Review outcomes of one rule on one camera (in one week, when <see cref="Week"/> is set).</summary>
/// <param name="Week">ISO-like week label "2026-W47" (weeks start on Monday, UTC); null for all time in the window.</param>
public sealed record RuleReviewStats(string RuleId, string CameraId, string Violation, string? Week, int Hits, int Confirmed, int Rejected)
{
    public int Pending => Hits - Confirmed - Rejected;

    /// <summary>Confirmed / reviewed; null before any review.</summary>
    public double? Precision => Confirmed + Rejected == 0 ? null : (double)Confirmed / (Confirmed + Rejected);
}

/// <summary>Filters for the review queue; null means any. Newest first.</summary>
/// <param name="Plate">Cases whose plate contains this text (an officer types part of a plate: "A12" finds 京A12345).</param>
public sealed record CaseQuery(CaseStatus? Status = null, string? CameraId = null, string? Violation = null, string? ZoneId = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 50, long Offset = 0, string? Plate = null)
{
    /// <summary>What an officer typed as a plate, as stored plates are written: upper case, no middle dot, spaces or dashes; null when empty.</summary>
    public static string? NormalisePlateSearch(string? typed)
    {
        if (string.IsNullOrWhiteSpace(typed)) return null;
        // A Chinese input method types full-width letters and digits (Ａ１２): they are the plate's ASCII ones.
        var kept = typed.Select(c => c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c)
            .Where(c => c is not ('·' or '•' or '.' or '-' or ' ' or '\t' or '\u3000')).Select(char.ToUpperInvariant).ToArray();
        return kept.Length == 0 ? null : new string(kept);
    }
}

/// <summary>
/// Cases, their review status and history, and the outbox of messages to the dispatch core, in the node's
/// <see cref="CaseDatabase"/>. A state change and the message it releases are written in one transaction, so a crash
/// can never leave a released case without its message, or a message without its case.
/// </summary>
public sealed class CaseStore(CaseDatabase database)
{
    public CaseDatabase Database => database;

    /// <summary>
    /// Records a case whose evidence is complete in the spool: its evidence row (the upload queue), the case itself
    /// (auto-captured) and the first history entry, in one transaction. Adding the same case again changes nothing.
    /// </summary>
    public async Task AddAsync(NewCase c, SpooledCase spooled, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await EvidenceCatalog.InsertSpooledAsync(connection, tx, spooled, database.SpoolOwner, now, ct).ConfigureAwait(false);
        // Fenced: inserted only while the camera's lease still carries the token the case was raised under.
        string values = c.Fence is null
            ? "VALUES (@id, @camera, @rule, @violation, @zone, @started, @confirmed, @confidence, 'auto_captured', @now, @record, @plate, NULL, NULL)"
            : "SELECT @id, @camera, @rule, @violation, @zone, @started, @confirmed, @confidence, 'auto_captured', @now, @record, @plate, @node, @token WHERE EXISTS (SELECT 1 FROM camera_leases l WHERE l.camera_id = @camera AND l.token = @token)";
        // FOR SHARE holds the lease row until this transaction ends: no node can take the camera (a new token) between
        // the check and the insert.
        if (c.Fence is { } fence && await Sql.ScalarAsync(connection, tx, "SELECT 1 FROM camera_leases l WHERE l.camera_id = @camera AND l.token = @token FOR SHARE", ct,
                ("@camera", c.CameraId), ("@token", fence.LeaseToken)).ConfigureAwait(false) is null)
            throw new CaseFencedException($"camera {c.CameraId} moved to another node (lease token {fence.LeaseToken} is no longer current) before case {c.CaseId} was written; the camera's new node analyses it");
        int added = await Sql.ExecuteAsync(connection, tx, $"""
            INSERT INTO cases (case_id, camera_id, rule_id, violation, zone_id, started_at_ms, confirmed_at_ms, confidence, status, status_at_ms, record, plate, node_id, lease_token)
            {values}
            ON CONFLICT DO NOTHING
            """, ct, ("@plate", c.Plate), ("@node", c.Fence?.NodeId), ("@token", c.Fence?.LeaseToken),
            ("@id", c.CaseId), ("@camera", c.CameraId), ("@rule", c.RuleId), ("@violation", c.Violation), ("@zone", c.ZoneId),
            ("@started", c.StartedAt.ToUnixTimeMilliseconds()), ("@confirmed", c.ConfirmedAt.ToUnixTimeMilliseconds()),
            ("@confidence", c.Confidence), ("@now", now.ToUnixTimeMilliseconds()), ("@record", c.RecordJson)).ConfigureAwait(false);
        if (added > 0) await AddHistoryAsync(connection, tx, c.CaseId, new CaseHistoryEntry(CaseStatus.AutoCaptured, now, "vision", null, null, null), ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// An operator's decision (command line): recorded whatever the case's version, and an earlier decision is replaced
    /// without a confirmation (still recorded as a change in the history). Returns false when there is no such case;
    /// throws when the case was already dispatched.
    /// </summary>
    public async Task<bool> ReviewAsync(string caseId, CaseStatus decision, CaseHistoryEntry entry, ReleasePolicy policy, CancellationToken ct)
    {
        var outcome = await DecideAsync(caseId, new CaseDecision(decision, entry, policy) { ChangeNeedsConfirmation = false }, ct).ConfigureAwait(false);
        if (outcome.Result == DecisionResult.AlreadyDispatched)
            throw new InvalidOperationException($"case {caseId} was already dispatched; it cannot be {decision.ToWire()} here");
        return outcome.Result == DecisionResult.Recorded;
    }

    /// <summary>
    /// A reviewer's decision, made on the version of the case they saw. The check and the change are one UPDATE guarded
    /// by that version, so of two reviewers deciding at once exactly one wins and the other learns the case changed.
    /// Confirming a case whose rule waits for review releases it to the dispatch core in the same transaction, once its
    /// evidence is stored (otherwise the upload releases it). Free text longer than <see cref="DecisionText"/> allows throws
    /// <see cref="DecisionTextTooLongException"/> before anything is read or written.
    /// </summary>
    public async Task<DecisionOutcome> DecideAsync(string caseId, CaseDecision d, CancellationToken ct)
    {
        if (d.Status is not (CaseStatus.Confirmed or CaseStatus.Rejected)) throw new ArgumentException("a review confirms or rejects", nameof(d));
        if (DecisionText.Problem(d) is { } tooLong) throw tooLong;
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        CaseStatus current;
        long version;
        string? by;
        await using (var read = Sql.Command(connection, tx, "SELECT status, version, status_by FROM cases WHERE case_id = @id", ("@id", caseId)))
        await using (var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return new DecisionOutcome(DecisionResult.NotFound);
            CaseStatusNames.TryParse(reader.GetString(0), out current);
            version = Sql.Long(reader, 1);
            by = Sql.Text(reader, 2);
        }
        var seen = new DecisionOutcome(DecisionResult.Recorded, current, version, by);
        if (current == CaseStatus.Dispatched) return seen with { Result = DecisionResult.AlreadyDispatched };
        if (d.ExpectedVersion is { } expected && expected != version) return seen with { Result = DecisionResult.ChangedMeanwhile };
        bool isChange = current is CaseStatus.Confirmed or CaseStatus.Rejected;
        if (isChange && d.ChangeNeedsConfirmation && (!d.ChangeConfirmed || string.IsNullOrWhiteSpace(d.ChangeReason)))
            return seen with { Result = DecisionResult.ChangeNeedsConfirmation };

        int updated = await Sql.ExecuteAsync(connection, tx, """
            UPDATE cases SET status = @status, status_at_ms = @at, status_by = @by, status_reason = @reason, status_note = @note, version = version + 1
            WHERE case_id = @id AND version = @version AND status <> 'dispatched'
            """, ct, ("@id", caseId), ("@status", d.Status.ToWire()), ("@at", d.Entry.At.ToUnixTimeMilliseconds()),
            ("@by", d.Entry.Actor), ("@reason", d.Entry.Reason), ("@note", d.Entry.Note), ("@version", version)).ConfigureAwait(false);
        if (updated == 0) return seen with { Result = DecisionResult.ChangedMeanwhile };
        var entry = d.Entry with { Status = d.Status, ChangedFrom = isChange ? current : null, ChangeReason = isChange ? d.ChangeReason?.Trim() : null };
        await AddHistoryAsync(connection, tx, caseId, entry, ct).ConfigureAwait(false);
        if (d.Status == CaseStatus.Confirmed && d.Policy == ReleasePolicy.AfterReview)
            await Outbox.EnqueueIfStoredAsync(connection, tx, caseId, d.Entry.At, ct).ConfigureAwait(false);
        // A rejected case is not sent: a message released by an earlier confirmation and not yet delivered is withdrawn.
        if (d.Status == CaseStatus.Rejected)
            await Sql.ExecuteAsync(connection, tx, "DELETE FROM outbox WHERE case_id = @id AND state IN ('pending', 'dead')", ct, ("@id", caseId)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new DecisionOutcome(DecisionResult.Recorded, d.Status, version + 1, d.Entry.Actor);
    }

    /// <summary>
    /// The newest case on <paramref name="cameraId"/> under <paramref name="ruleId"/> with this plate confirmed at or after
    /// <paramref name="since"/>: the same vehicle seen again within the cooldown is that case, not a new one.
    /// </summary>
    public async Task<StoredCase?> FindRecentByPlateAsync(string cameraId, string ruleId, string plate, DateTimeOffset since, CancellationToken ct) =>
        (await QueryAsync($"WHERE camera_id = @camera AND rule_id = @rule AND plate = @plate AND confirmed_at_ms >= @since ORDER BY confirmed_at_ms DESC, {database.Dialect.ByCode("case_id")} DESC LIMIT 1", ct,
            ("@camera", cameraId), ("@rule", ruleId), ("@plate", plate), ("@since", since.ToUnixTimeMilliseconds())).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>
    /// Cases on the camera under the rule and zone confirmed since <paramref name="since"/> by an earlier holder of the
    /// camera (a lease token below <paramref name="token"/>): what the node that had the camera before already reported.
    /// </summary>
    /// <summary>The latest cases of a camera's rule and zone confirmed since <paramref name="since"/>, whichever lease raised them.</summary>
    public Task<IReadOnlyList<StoredCase>> RecentCasesAsync(string cameraId, string ruleId, string zoneId, DateTimeOffset since, CancellationToken ct) =>
        QueryAsync("WHERE camera_id = @camera AND rule_id = @rule AND zone_id = @zone AND confirmed_at_ms >= @since ORDER BY confirmed_at_ms DESC LIMIT 50", ct,
            ("@camera", cameraId), ("@rule", ruleId), ("@zone", zoneId), ("@since", since.ToUnixTimeMilliseconds()));

    public async Task<StoredCase?> FindAsync(string caseId, CancellationToken ct) =>
        (await QueryAsync("WHERE case_id = @id", ct, ("@id", caseId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>The review queue: newest first, filtered, one page.</summary>
    public Task<IReadOnlyList<StoredCase>> ListAsync(CaseQuery q, CancellationToken ct)
    {
        var (where, parameters) = Filter(q);
        parameters.Add(("@limit", q.Limit));
        parameters.Add(("@offset", q.Offset));
        return QueryAsync($"{where} ORDER BY confirmed_at_ms DESC, {database.Dialect.ByCode("case_id")} DESC LIMIT @limit OFFSET @offset", ct, [.. parameters]);
    }

    /// <summary>Cases per status under the same filters (the status filter itself ignored), for the queue's counters.</summary>
    public async Task<IReadOnlyDictionary<CaseStatus, int>> CountByStatusAsync(CaseQuery q, CancellationToken ct)
    {
        var (where, parameters) = Filter(q with { Status = null });
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT status, count(*) FROM cases {where} GROUP BY status";
        foreach (var (name, value) in parameters) Sql.Add(command, name, value);
        var counts = Enum.GetValues<CaseStatus>().ToDictionary(s => s, _ => 0);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            if (CaseStatusNames.TryParse(reader.GetString(0), out var status)) counts[status] = Sql.Int(reader, 1);
        return counts;
    }

    /// <summary>
    /// Hits, confirmations and rejections per rule and camera for cases confirmed since <paramref name="since"/>, overall or
    /// per week. A case counts by its officer's last decision, so a confirmed case later dispatched still counts as confirmed.
    /// </summary>
    public async Task<IReadOnlyList<RuleReviewStats>> RuleStatsAsync(DateTimeOffset since, bool perWeek, CancellationToken ct)
    {
        string week = perWeek ? database.Dialect.WeekOfMs("c.confirmed_at_ms") : "NULL";
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, $"""
            SELECT c.rule_id, c.camera_id, c.violation, {week} AS week, count(*),
                   coalesce(sum(CASE WHEN d.status = 'confirmed' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN d.status = 'rejected' THEN 1 ELSE 0 END), 0)
            FROM cases c
            LEFT JOIN (SELECT h.case_id, h.status FROM case_history h
                       WHERE h.id = (SELECT max(x.id) FROM case_history x WHERE x.case_id = h.case_id AND x.status IN ('confirmed', 'rejected'))) d
              ON d.case_id = c.case_id
            WHERE c.confirmed_at_ms >= @since
            GROUP BY c.rule_id, c.camera_id, c.violation, week
            ORDER BY {database.Dialect.ByCode("c.rule_id")}, {database.Dialect.ByCode("c.camera_id")}, week
            """, ("@since", since.ToUnixTimeMilliseconds()));
        var result = new List<RuleReviewStats>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            result.Add(new RuleReviewStats(reader.GetString(0), reader.GetString(1), reader.GetString(2), Sql.Text(reader, 3),
                Sql.Int(reader, 4), Sql.Int(reader, 5), Sql.Int(reader, 6)));
        return result;
    }

    public async Task<IReadOnlyList<CaseHistoryEntry>> HistoryAsync(string caseId, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, at_ms, actor, reason, note, address, changed_from, change_reason FROM case_history WHERE case_id = @id ORDER BY id";
        Sql.Add(command, "@id", caseId);
        var history = new List<CaseHistoryEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            CaseStatusNames.TryParse(reader.GetString(0), out var status);
            CaseStatus? changedFrom = Sql.Text(reader, 6) is { } from && CaseStatusNames.TryParse(from, out var was) ? was : null;
            history.Add(new CaseHistoryEntry(status, Sql.Time(reader, 1),
                Sql.Text(reader, 2), Sql.Text(reader, 3), Sql.Text(reader, 4), Sql.Text(reader, 5)) { ChangedFrom = changedFrom, ChangeReason = Sql.Text(reader, 7) });
        }
        return history;
    }

    internal static Task AddHistoryAsync(DbConnection connection, DbTransaction tx, string caseId, CaseHistoryEntry e, CancellationToken ct) =>
        Sql.ExecuteAsync(connection, tx, """
            INSERT INTO case_history (case_id, status, at_ms, actor, reason, note, address, changed_from, change_reason)
            VALUES (@id, @status, @at, @actor, @reason, @note, @address, @from, @why)
            """, ct,
            ("@id", caseId), ("@status", e.Status.ToWire()), ("@at", e.At.ToUnixTimeMilliseconds()), ("@actor", e.Actor), ("@reason", e.Reason), ("@note", e.Note), ("@address", e.Address),
            ("@from", e.ChangedFrom?.ToWire()), ("@why", e.ChangeReason));

    private static (string Where, List<(string, object?)> Parameters) Filter(CaseQuery q)
    {
        var clauses = new List<string>();
        var parameters = new List<(string, object?)>();
        void Add(string clause, string name, object value) { clauses.Add(clause); parameters.Add((name, value)); }
        if (q.Status is { } status) Add("status = @status", "@status", status.ToWire());
        if (q.CameraId is { } camera) Add("camera_id = @camera", "@camera", camera);
        if (q.Violation is { } violation) Add("violation = @violation", "@violation", violation);
        if (q.ZoneId is { } zone) Add("zone_id = @zone", "@zone", zone);
        if (q.From is { } from) Add("confirmed_at_ms >= @from", "@from", from.ToUnixTimeMilliseconds());
        if (q.To is { } to) Add("confirmed_at_ms < @to", "@to", to.ToUnixTimeMilliseconds());
        if (q.Plate is { Length: > 0 } plate) Add(@"plate LIKE '%' || @plate || '%' ESCAPE '\'", "@plate", plate.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_"));
        return (clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses), parameters);
    }

    private async Task<IReadOnlyList<StoredCase>> QueryAsync(string where, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT case_id, camera_id, rule_id, violation, zone_id, started_at_ms, confirmed_at_ms, confidence, status, status_at_ms,
                   status_by, status_reason, status_note, record, version, plate
            FROM cases {where}
            """;
        foreach (var (name, value) in parameters) Sql.Add(command, name, value);
        var result = new List<StoredCase>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            CaseStatusNames.TryParse(reader.GetString(8), out var status);
            result.Add(new StoredCase(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Sql.Time(reader, 5), Sql.Time(reader, 6),
                reader.GetDouble(7), status, Sql.Time(reader, 9),
                Sql.Text(reader, 10), Sql.Text(reader, 11), Sql.Text(reader, 12), reader.GetString(13)) { Version = Sql.Long(reader, 14), Plate = Sql.Text(reader, 15) });
        }
        return result;
    }
}
