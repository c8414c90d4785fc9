using System.Data.Common;
using System.Globalization;

namespace Vision.Storage;

/// <summary>One row of the case change feed: a case_history entry (a case added, or its status changed).</summary>
public sealed record CaseChange(long Id, string CaseId, string CameraId, string Status)
{
    /// <summary>True for the entry that recorded the case (auto-captured by Vision).</summary>
    public bool Added => Status == "auto_captured";
}

/// <summary>Cases counted per 15-minute slot (UTC) and camera, type and status: the building block of the officers' reports.</summary>
public sealed record CaseCountSlot(long SlotStartMs, string CameraId, string Violation, string Status, long Cases);

/// <summary>
/// Read-only queries for the console beyond the review queue: the change feed (which every node of a cluster reads from
/// the shared database, so a case added on one node shows on every console) and case counts for reports. The SQL is
/// plain enough for SQLite and PostgreSQL alike: @name parameters, no dialect functions, times as *_ms integers.
/// </summary>
public sealed class CaseReports(CaseDatabase database)
{
    /// <summary>Quarter hours: every real time zone's offset is a whole number of them, so local days and hours can be built from slots.</summary>
    public const long SlotMs = 15 * 60 * 1000;

    /// <summary>The id of the newest case_history entry (0 for none): it grows on every case added or decided, on any node.</summary>
    public async Task<long> LatestChangeAsync(CancellationToken ct)
    {
        await using DbConnection connection = database.Open();
        await using var command = Command(connection, "SELECT coalesce(max(id), 0) FROM case_history");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>History entries after <paramref name="afterId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<CaseChange>> ChangesSinceAsync(long afterId, int limit, CancellationToken ct)
    {
        await using DbConnection connection = database.Open();
        await using var command = Command(connection, """
            SELECT h.id, h.case_id, c.camera_id, h.status FROM case_history h JOIN cases c ON c.case_id = h.case_id
            WHERE h.id > @after ORDER BY h.id LIMIT @limit
            """, ("@after", afterId), ("@limit", limit));
        var changes = new List<CaseChange>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            changes.Add(new CaseChange(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return changes;
    }

    /// <summary>Cases confirmed in [from, to), counted per 15-minute slot, camera, type and current status.</summary>
    public async Task<IReadOnlyList<CaseCountSlot>> CountSlotsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using DbConnection connection = database.Open();
        // Integer division of a non-negative integer by an integer is integer division in both SQLite and PostgreSQL.
        await using var command = Command(connection, """
            SELECT confirmed_at_ms / @slot AS slot, camera_id, violation, status, count(*)
            FROM cases
            WHERE confirmed_at_ms >= @from AND confirmed_at_ms < @to
            GROUP BY confirmed_at_ms / @slot, camera_id, violation, status
            ORDER BY slot, camera_id, violation, status
            """, ("@slot", SlotMs), ("@from", from.ToUnixTimeMilliseconds()), ("@to", to.ToUnixTimeMilliseconds()));
        var slots = new List<CaseCountSlot>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            slots.Add(new CaseCountSlot(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture) * SlotMs, reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture)));
        return slots;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
