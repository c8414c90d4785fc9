using System.Data.Common;

namespace Vision.Storage;

public enum OutboxState { Pending, Delivered, Dead }

/// <summary>One case's message to the dispatch core and its delivery history.</summary>
public sealed record OutboxMessage(
    long Id, string CaseId, string CameraId, OutboxState State, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt,
    DateTimeOffset? LastAttemptAt, int? LastStatus, string? LastError, DateTimeOffset? DeliveredAt, string? Receipt)
{
    /// <summary>The node delivering it now (its claim may have lapsed), or null.</summary>
    public string? ClaimedBy { get; init; }

    /// <summary>Goes up with every claim: a claimer's writes count only while no other node has claimed the message since.</summary>
    public long ClaimToken { get; init; }

    /// <summary>Until when (by the claimer's clock) the claim keeps the message from the other nodes; null when unclaimed.</summary>
    public DateTimeOffset? ClaimedUntil { get; init; }

    /// <summary>
    /// Set on a claimed message that goes ahead of an older case of its camera whose evidence is still on its way
    /// (<see cref="IOrderWait"/> passed): that case's id.
    /// </summary>
    public string? AheadOf { get; init; }
}

/// <summary>
/// The transactional outbox: one message per released case, delivered by the publisher in order per camera. Only a
/// camera's head is ever due: its pending message whose case was confirmed first (ties by id), so a camera's cases
/// arrive in the order they were confirmed, not in the order their evidence happened to be stored. A head also waits
/// while an older case of its camera, one that will be sent, still has its evidence on its way (a full disk, the
/// store down, a node away with its spool), for at most <see cref="IOrderWait.OrderWait"/> after that case's confirmation.
/// Cameras do not wait for each other. Delivered messages mark their case dispatched in the same transaction. A dead
/// letter keeps its reason and does not hold up its camera.
/// </summary>
/// <param name="orderWait"><c>dispatch.order_wait</c> as it is now; null: <see cref="DefaultOrderWait"/>.</param>
public sealed class Outbox(CaseDatabase database, IOrderWait? orderWait = null)
{
    private const string Columns = "id, case_id, camera_id, state, attempts, created_at_ms, next_attempt_at_ms, last_attempt_at_ms, last_status, last_error, delivered_at_ms, receipt, claimed_by, claim_token, claimed_until_ms";

    /// <summary>How long a claimed message is left to its claimer before another node may take it over.</summary>
    public static readonly TimeSpan DefaultClaim = TimeSpan.FromSeconds(60);

    /// <summary><c>dispatch.order_wait</c>'s default.</summary>
    public static readonly TimeSpan DefaultOrderWait = TimeSpan.FromMinutes(10);

    private TimeSpan OrderWait => orderWait?.OrderWait ?? DefaultOrderWait;

    // Each camera's head among the pending messages: its case confirmed first (ties by id), with the latest claim on
    // any pending message of its camera (the head can change while one is in flight: an older case released
    // meanwhile). The cameras with pending messages are walked through the index one by one (a loose index scan), and
    // each camera's head and claims are index look-ups, so a long queue (the dispatch core down for hours) costs a
    // look per camera, not per message. The message keeps its case's confirmation time for that index.
    private const string Heads = """
        cameras (camera_id) AS (
            SELECT min(camera_id) FROM outbox WHERE state = 'pending'
            UNION ALL
            SELECT (SELECT min(p.camera_id) FROM outbox p WHERE p.state = 'pending' AND p.camera_id > c.camera_id) FROM cameras c WHERE c.camera_id IS NOT NULL),
        heads AS MATERIALIZED (
            SELECT o.id, o.camera_id, o.confirmed_at_ms, o.next_attempt_at_ms,
                   (SELECT max(q.claimed_until_ms) FROM outbox q WHERE q.state = 'pending' AND q.camera_id = o.camera_id AND q.claimed_until_ms IS NOT NULL) AS camera_claimed_until
            FROM cameras c JOIN outbox o ON o.id = (SELECT p.id FROM outbox p WHERE p.state = 'pending' AND p.camera_id = c.camera_id ORDER BY p.confirmed_at_ms, p.id LIMIT 1))
        """;

    /// <summary>
    /// The older cases of a head's camera that are to be sent and whose evidence is still being stored (no message
    /// yet), confirmed after <paramref name="since"/>: the head waits for them (a FROM … WHERE clause on alias h).
    /// </summary>
    private static string OlderOnTheirWay(string since) => $"""
        FROM cases h JOIN evidence_cases e ON e.case_id = h.case_id
        WHERE h.camera_id = hd.camera_id AND h.confirmed_at_ms < hd.confirmed_at_ms AND h.confirmed_at_ms > {since}
          AND h.status IN ('auto_captured', 'confirmed') AND e.state = 'spooled'
          AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.case_id = h.case_id)
        """;

    /// <summary>
    /// Claims the head message of each camera's queue that is due now, oldest first, skipping cameras with a delivery
    /// in flight here, cameras with a message another node holds a live claim on, and heads waiting for an older case
    /// of their camera (see the class summary). Claims are taken with FOR UPDATE SKIP LOCKED on PostgreSQL, so nodes
    /// claiming at once take different heads; a claimer that dies leaves its claim to lapse after
    /// <paramref name="claimFor"/>, and the message is delivered by whoever claims it next (the receiver's
    /// Idempotency-Key absorbs a repeat of a delivery that was in flight). Only a head is ever claimable, so a camera's
    /// cases still arrive in order.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int limit, IReadOnlySet<string> busyCameras, CancellationToken ct, TimeSpan? claimFor = null)
    {
        if (limit <= 0) return [];
        var parameters = new List<(string, object?)>
        {
            ("@now", now.ToUnixTimeMilliseconds()), ("@until", (now + (claimFor ?? DefaultClaim)).ToUnixTimeMilliseconds()),
            ("@limit", limit), ("@node", database.SpoolOwner), ("@wait", (long)OrderWait.TotalMilliseconds),
        };
        string busy = "";
        if (busyCameras.Count > 0)
        {
            var names = busyCameras.Select((camera, i) => { parameters.Add(($"@busy{i}", camera)); return $"@busy{i}"; });
            busy = $"AND hd.camera_id NOT IN ({string.Join(", ", names)})";
        }
        // The heads are chosen once, in a materialised CTE: as a plain IN (subquery) PostgreSQL may run the subquery
        // again per row, and with SKIP LOCKED each run can pick other rows (a limit of 1 claimed three). A head whose
        // wait for an older case is over names that case (ahead_of), so the publisher can say which case it overtook.
        var claimed = await QueryAsync($"""
            WITH RECURSIVE {Heads},
            due AS MATERIALIZED (
                SELECT o.id, (SELECT h.case_id {OlderOnTheirWay("hd.confirmed_at_ms - @wait")} ORDER BY h.confirmed_at_ms, h.case_id LIMIT 1) AS ahead_of
                FROM outbox o JOIN heads hd ON hd.id = o.id
                WHERE o.next_attempt_at_ms <= @now AND (hd.camera_claimed_until IS NULL OR hd.camera_claimed_until <= @now) {busy}
                  AND NOT EXISTS (SELECT 1 {OlderOnTheirWay("@now - @wait")})
                ORDER BY o.next_attempt_at_ms, o.id LIMIT @limit
                {database.Dialect.LockDueRows})
            UPDATE outbox SET claimed_by = @node, claimed_until_ms = @until, claim_token = claim_token + 1
            WHERE id IN (SELECT id FROM due) AND state = 'pending' AND (claimed_until_ms IS NULL OR claimed_until_ms <= @now)
            RETURNING {Columns}, (SELECT d.ahead_of FROM due d WHERE d.id = outbox.id)
            """, ct, [.. parameters]).ConfigureAwait(false);
        return claimed.OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).ToList();
    }

    /// <summary>
    /// When the next camera head becomes due: its retry time, the end of its camera's claims, or the end of its wait
    /// for an older case (null: nothing pending). A head waiting for an older case's evidence becomes due earlier when
    /// that case's message is added; the publisher is woken for that.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        var g = database.Dialect.Greatest;
        await using var connection = database.Open();
        var value = await Sql.ScalarAsync(connection, null, $"""
            WITH RECURSIVE {Heads}
            SELECT min({g(g("hd.next_attempt_at_ms", "coalesce(hd.camera_claimed_until, 0)"),
                $"coalesce((SELECT max(h.confirmed_at_ms) {OlderOnTheirWay("hd.confirmed_at_ms - @wait")}) + @wait, 0)")})
            FROM heads hd
            """, ct, ("@wait", (long)OrderWait.TotalMilliseconds)).ConfigureAwait(false);
        return value is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The receiver accepted the case: the message is delivered and the case dispatched, in one transaction.</summary>
    public async Task MarkDeliveredAsync(OutboxMessage m, DateTimeOffset now, int status, string? receipt, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        int marked = await Sql.ExecuteAsync(connection, tx, """
            UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_attempt_at_ms = @now, last_status = @status, last_error = NULL,
                              delivered_at_ms = @now, receipt = @receipt, claimed_by = NULL, claimed_until_ms = NULL
            WHERE id = @id AND state = 'pending' AND claim_token = @token
            """, ct, ("@id", m.Id), ("@token", m.ClaimToken), ("@now", now.ToUnixTimeMilliseconds()), ("@status", status), ("@receipt", receipt)).ConfigureAwait(false);
        // Another node took the message over (this claim lapsed) and delivers it: the receipt is its to record.
        if (marked == 0) return;
        int changed = await Sql.ExecuteAsync(connection, tx, "UPDATE cases SET status = 'dispatched', status_at_ms = @now, status_by = 'vision', status_reason = NULL, status_note = @receipt WHERE case_id = @id AND status <> 'dispatched'", ct,
            ("@id", m.CaseId), ("@now", now.ToUnixTimeMilliseconds()), ("@receipt", receipt)).ConfigureAwait(false);
        if (changed > 0)
            await CaseStore.AddHistoryAsync(connection, tx, m.CaseId, new CaseHistoryEntry(CaseStatus.Dispatched, now, "vision", null, receipt, null), ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A failed attempt that will be retried at <paramref name="nextAttempt"/>.</summary>
    public async Task RecordFailureAsync(OutboxMessage m, DateTimeOffset now, int? status, string error, DateTimeOffset nextAttempt, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, """
            UPDATE outbox SET attempts = attempts + 1, last_attempt_at_ms = @now, last_status = @status, last_error = @error, next_attempt_at_ms = @next,
                              claimed_by = NULL, claimed_until_ms = NULL
            WHERE id = @id AND state = 'pending' AND claim_token = @token
            """, ct, ("@id", m.Id), ("@token", m.ClaimToken), ("@now", now.ToUnixTimeMilliseconds()), ("@status", status), ("@error", error), ("@next", nextAttempt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    /// <summary>Gives up on a message: it stays, with its reason, until someone resends it.</summary>
    public async Task MarkDeadAsync(OutboxMessage m, DateTimeOffset now, int? status, string error, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, """
            UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_attempt_at_ms = @now, last_status = @status, last_error = @error,
                              claimed_by = NULL, claimed_until_ms = NULL
            WHERE id = @id AND state = 'pending' AND claim_token = @token
            """, ct, ("@id", m.Id), ("@token", m.ClaimToken), ("@now", now.ToUnixTimeMilliseconds()), ("@status", status), ("@error", error)).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a case again: a dead or delivered message goes back to pending with its attempts reset; a stored case
    /// without a message gets one. False when the case has no stored evidence (nothing could be sent).
    /// </summary>
    public async Task<bool> ResendAsync(string caseId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        int changed = await Sql.ExecuteAsync(connection, tx, """
            UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at_ms = @now, last_error = NULL, last_status = NULL, delivered_at_ms = NULL,
                              claimed_by = NULL, claimed_until_ms = NULL, confirmed_at_ms = (SELECT c.confirmed_at_ms FROM cases c WHERE c.case_id = outbox.case_id)
            WHERE case_id = @id AND EXISTS (SELECT 1 FROM cases c WHERE c.case_id = @id AND c.status <> 'rejected')
            """, ct, ("@id", caseId), ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        if (changed == 0) changed = await EnqueueIfStoredAsync(connection, tx, caseId, now, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return changed > 0;
    }

    public async Task<OutboxMessage?> FindByCaseAsync(string caseId, CancellationToken ct) =>
        (await QueryAsync($"SELECT {Columns} FROM outbox WHERE case_id = @id", ct, ("@id", caseId)).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<OutboxMessage>> ListAsync(OutboxState state, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {Columns} FROM outbox WHERE state = @state ORDER BY id LIMIT @limit", ct, ("@state", Wire(state)), ("@limit", limit));

    /// <summary>Messages waiting and dead, and the oldest waiting one's creation time.</summary>
    public async Task<(int Pending, int Dead, DateTimeOffset? OldestPending)> StatsAsync(CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null,
            "SELECT coalesce(sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0), min(CASE WHEN state = 'pending' THEN created_at_ms END) FROM outbox");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (Sql.Int(reader, 0), Sql.Int(reader, 1), Sql.Instant(reader, 2));
    }

    /// <summary>Adds the case's message when its evidence is stored and it has none yet (used by review and resend).</summary>
    internal static Task<int> EnqueueIfStoredAsync(DbConnection connection, DbTransaction tx, string caseId, DateTimeOffset now, CancellationToken ct) =>
        Sql.ExecuteAsync(connection, tx, """
            INSERT INTO outbox (case_id, camera_id, state, created_at_ms, next_attempt_at_ms, confirmed_at_ms)
            SELECT c.case_id, c.camera_id, 'pending', @now, @now, c.confirmed_at_ms FROM cases c JOIN evidence_cases e ON e.case_id = c.case_id
            WHERE c.case_id = @id AND e.state = 'stored' AND c.status <> 'rejected'
            ON CONFLICT DO NOTHING
            """, ct, ("@id", caseId), ("@now", now.ToUnixTimeMilliseconds()));

    /// <summary>Adds the case's message if its status allows it under <paramref name="policy"/> (called as its evidence becomes stored).</summary>
    internal static Task<int> EnqueueOnStoredAsync(DbConnection connection, DbTransaction tx, string caseId, ReleasePolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        string allowed = policy switch
        {
            ReleasePolicy.OnDetection => "c.status IN ('auto_captured', 'confirmed')",
            ReleasePolicy.AfterReview => "c.status = 'confirmed'",
            _ => "1 = 0",
        };
        return Sql.ExecuteAsync(connection, tx, $"""
            INSERT INTO outbox (case_id, camera_id, state, created_at_ms, next_attempt_at_ms, confirmed_at_ms)
            SELECT c.case_id, c.camera_id, 'pending', @now, @now, c.confirmed_at_ms FROM cases c WHERE c.case_id = @id AND {allowed}
            ON CONFLICT DO NOTHING
            """, ct, ("@id", caseId), ("@now", now.ToUnixTimeMilliseconds()));
    }

    public static string Wire(OutboxState state) => state.ToString().ToLowerInvariant();

    private async Task<IReadOnlyList<OutboxMessage>> QueryAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, sql, parameters);
        var result = new List<OutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            result.Add(new OutboxMessage(Sql.Long(reader, 0), reader.GetString(1), reader.GetString(2), Enum.Parse<OutboxState>(reader.GetString(3), ignoreCase: true),
                Sql.Int(reader, 4), Sql.Time(reader, 5), Sql.Time(reader, 6),
                Sql.Instant(reader, 7), reader.IsDBNull(8) ? null : Sql.Int(reader, 8), Sql.Text(reader, 9), Sql.Instant(reader, 10), Sql.Text(reader, 11))
            {
                ClaimedBy = Sql.Text(reader, 12),
                ClaimToken = Sql.Long(reader, 13),
                ClaimedUntil = Sql.Instant(reader, 14),
                AheadOf = reader.FieldCount > 15 ? Sql.Text(reader, 15) : null,
            });
        return result;
    }
}
