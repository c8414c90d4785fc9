using System.Globalization;
using System.Text.Json;
using System.Data.Common;

namespace Vision.Storage;

public enum EvidenceState
{
    /// <summary>Complete in the local spool, not yet (fully) in the store.</summary>
    Spooled,
    /// <summary>Every object, manifest last, is in the store; the spool copy is gone. Only now is the case released to dispatch.</summary>
    Stored,
    /// <summary>Deleted from the store by retention.</summary>
    Expired,
    /// <summary>Cannot be uploaded: its spool files are damaged or missing. Kept for a person to look at.</summary>
    Broken,
}

/// <summary>Where a case's evidence is, with the upload history and the retention hold.</summary>
public sealed record CatalogEntry(
    SpooledCase Case,
    EvidenceState State,
    DateTimeOffset SpooledAt,
    DateTimeOffset? StoredAt,
    int Attempts,
    string? LastError,
    bool Hold,
    string? HoldReason,
    DateTimeOffset? ExpiredAt);

/// <summary>Evidence spooled, stored or expired, per case: the upload queue (durable, so a restart resumes it) and the retention index.</summary>
public sealed class EvidenceCatalog(CaseDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public CaseDatabase Database => database;

    /// <summary>Records a case complete in the spool (evidence only, no case row); adding the same case again changes nothing.</summary>
    public async Task AddSpooledAsync(SpooledCase c, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = database.Open();
        await InsertSpooledAsync(connection, null, c, database.SpoolOwner, now, ct).ConfigureAwait(false);
    }

    internal static Task InsertSpooledAsync(DbConnection connection, DbTransaction? tx, SpooledCase c, string spoolOwner, DateTimeOffset now, CancellationToken ct) =>
        Sql.ExecuteAsync(connection, tx, """
            INSERT INTO evidence_cases (case_id, camera_id, rule_id, violation, confirmed_at_ms, key_prefix, objects, bytes, state, spooled_at_ms, spool_node)
            VALUES (@id, @camera, @rule, @violation, @confirmed, @prefix, @objects, @bytes, 'spooled', @now, @node)
            ON CONFLICT DO NOTHING
            """, ct,
            ("@id", c.CaseId), ("@camera", c.CameraId), ("@rule", c.RuleId), ("@violation", c.Violation),
            ("@confirmed", c.ConfirmedAt.ToUnixTimeMilliseconds()), ("@prefix", c.KeyPrefix), ("@objects", JsonSerializer.Serialize(c.Objects, Json)),
            ("@bytes", c.Bytes), ("@now", now.ToUnixTimeMilliseconds()), ("@node", spoolOwner));

    /// <summary>The oldest spooled cases (by confirmation), skipping those in <paramref name="exclude"/> (uploads in flight).</summary>
    public async Task<IReadOnlyList<SpooledCase>> PendingAsync(int limit, IReadOnlySet<string> exclude, CancellationToken ct)
    {
        var entries = await QueryAsync($"WHERE state = 'spooled' AND spool_node = @node ORDER BY {OldestFirst} LIMIT @limit", ct,
            ("@limit", limit + exclude.Count), ("@node", database.SpoolOwner)).ConfigureAwait(false);
        return entries.Select(e => e.Case).Where(c => !exclude.Contains(c.CaseId)).Take(limit).ToList();
    }

    public async Task<CatalogEntry?> FindAsync(string caseId, CancellationToken ct) =>
        (await QueryAsync("WHERE case_id = @id", ct, ("@id", caseId)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>Every case in a state (all states when null), oldest first. Spooled ones are this node's only: the others' files are in their spools.</summary>
    public Task<IReadOnlyList<CatalogEntry>> ListAsync(EvidenceState? state, CancellationToken ct) => state is { } s
        ? QueryAsync($"WHERE state = @state AND (state <> 'spooled' OR spool_node = @node) ORDER BY {OldestFirst}", ct, ("@state", Wire(s)), ("@node", database.SpoolOwner))
        : QueryAsync($"WHERE state <> 'spooled' OR spool_node = @node ORDER BY {OldestFirst}", ct, ("@node", database.SpoolOwner));

    private string OldestFirst => $"confirmed_at_ms, {database.Dialect.ByCode("case_id")}";

    /// <summary>
    /// The case's evidence is all in the store. In the same transaction the case is released to the dispatch core
    /// when <paramref name="release"/> allows it now (its message goes into the outbox).
    /// </summary>
    public async Task MarkStoredAsync(string caseId, DateTimeOffset now, ReleasePolicy release, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await Sql.ExecuteAsync(connection, tx, "UPDATE evidence_cases SET state = 'stored', stored_at_ms = @now, last_error = NULL WHERE case_id = @id AND state = 'spooled'", ct,
            ("@id", caseId), ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        if (release != ReleasePolicy.Never) await Outbox.EnqueueOnStoredAsync(connection, tx, caseId, release, now, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts an upload attempt before it starts, so that after a crash mid-upload the next attempt knows some objects
    /// may already be in the store. Returns the attempts made before this one.
    /// </summary>
    public async Task<int> StartAttemptAsync(string caseId, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE evidence_cases SET attempts = attempts + 1 WHERE case_id = @id RETURNING attempts - 1";
        Sql.Add(command, "@id", caseId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public Task RecordFailureAsync(string caseId, string error, CancellationToken ct) =>
        ExecuteAsync("UPDATE evidence_cases SET last_error = @error WHERE case_id = @id", ct, ("@id", caseId), ("@error", error));

    public Task MarkBrokenAsync(string caseId, string error, CancellationToken ct) =>
        ExecuteAsync("UPDATE evidence_cases SET state = 'broken', last_error = @error WHERE case_id = @id", ct, ("@id", caseId), ("@error", error));

    public Task MarkExpiredAsync(string caseId, DateTimeOffset now, CancellationToken ct) =>
        ExecuteAsync("UPDATE evidence_cases SET state = 'expired', expired_at_ms = @now WHERE case_id = @id AND hold = 0", ct, ("@id", caseId), ("@now", now.ToUnixTimeMilliseconds()));

    /// <summary>Puts a case on hold (kept past its retention) or releases it; false when there is no such case.</summary>
    public async Task<bool> SetHoldAsync(string caseId, bool hold, string? reason, CancellationToken ct) =>
        await ExecuteAsync("UPDATE evidence_cases SET hold = @hold, hold_reason = @reason WHERE case_id = @id", ct,
            ("@id", caseId), ("@hold", hold ? 1 : 0), ("@reason", hold ? (object?)reason ?? DBNull.Value : DBNull.Value)).ConfigureAwait(false) > 0;

    /// <summary>
    /// Stored, unheld cases older than their violation type's retention at <paramref name="now"/>, oldest first.
    /// </summary>
    public async Task<IReadOnlyList<CatalogEntry>> ExpiredAsync(IReadOnlyDictionary<string, TimeSpan> keepByViolation, TimeSpan keepOtherwise, DateTimeOffset now, int limit, CancellationToken ct)
    {
        var parameters = new List<(string, object)> { ("@limit", limit), ("@otherwise", (now - keepOtherwise).ToUnixTimeMilliseconds()) };
        var clauses = new List<string>();
        int i = 0;
        foreach (var (violation, keep) in keepByViolation)
        {
            clauses.Add($"(violation = @v{i} AND confirmed_at_ms < @c{i})");
            parameters.Add(($"@v{i}", violation));
            parameters.Add(($"@c{i}", (now - keep).ToUnixTimeMilliseconds()));
            i++;
        }
        string others = keepByViolation.Count == 0
            ? "confirmed_at_ms < @otherwise"
            : $"(violation NOT IN ({string.Join(", ", Enumerable.Range(0, i).Select(n => $"@v{n}"))}) AND confirmed_at_ms < @otherwise)";
        clauses.Add(others);
        return await QueryAsync($"WHERE state = 'stored' AND hold = 0 AND ({string.Join(" OR ", clauses)}) ORDER BY {OldestFirst} LIMIT @limit", ct, [.. parameters]).ConfigureAwait(false);
    }

    /// <summary>Cases and bytes waiting in the spool.</summary>
    public async Task<(int Cases, long Bytes)> SpooledTotalsAsync(CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(sum(bytes), 0) FROM evidence_cases WHERE state = 'spooled' AND spool_node = @node";
        Sql.Add(command, "@node", database.SpoolOwner);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (Sql.Int(reader, 0), Sql.Long(reader, 1));
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) Sql.Add(command, name, value);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<CatalogEntry>> QueryAsync(string where, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT case_id, camera_id, rule_id, violation, confirmed_at_ms, key_prefix, objects, state, spooled_at_ms, stored_at_ms,
                   attempts, last_error, hold, hold_reason, expired_at_ms
            FROM evidence_cases {where}
            """;
        foreach (var (name, value) in parameters) Sql.Add(command, name, value);
        var result = new List<CatalogEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var objects = JsonSerializer.Deserialize<List<SpooledObject>>(reader.GetString(6), Json) ?? [];
            var c = new SpooledCase(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Sql.Time(reader, 4), reader.GetString(5), objects);
            result.Add(new CatalogEntry(c, ParseState(reader.GetString(7)), Sql.Time(reader, 8),
                Sql.Instant(reader, 9), Sql.Int(reader, 10), reader.IsDBNull(11) ? null : reader.GetString(11),
                Sql.Long(reader, 12) != 0, reader.IsDBNull(13) ? null : reader.GetString(13), Sql.Instant(reader, 14)));
        }
        return result;
    }

    private static DateTimeOffset? Instant(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(column));

    public static string Wire(EvidenceState state) => state.ToString().ToLower(CultureInfo.InvariantCulture);

    private static EvidenceState ParseState(string text) => Enum.Parse<EvidenceState>(text, ignoreCase: true);
}
