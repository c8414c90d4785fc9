using System.Data.Common;

namespace Vision.Storage;

/// <summary>One audited change of the config made from the console: who, when, from where, which camera and file, and the zones before and after (JSON).</summary>
public sealed record ConfigChange(long Id, DateTimeOffset ChangedAt, string Username, string? Address, string CameraId, string File, string BeforeJson, string AfterJson);

/// <summary>The audit of config changes made from the console (table <c>config_changes</c>), on either backend.</summary>
public sealed class ConfigChangeLog(CaseDatabase database)
{
    public async Task AddAsync(ConfigChange change, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, """
            INSERT INTO config_changes (changed_at_ms, username, address, camera_id, file, before_json, after_json)
            VALUES (@at, @user, @address, @camera, @file, @before, @after)
            """, ct, ("@at", change.ChangedAt.ToUnixTimeMilliseconds()), ("@user", change.Username), ("@address", change.Address), ("@camera", change.CameraId),
            ("@file", change.File), ("@before", change.BeforeJson), ("@after", change.AfterJson)).ConfigureAwait(false);
    }

    /// <summary>A camera's latest changes, newest first.</summary>
    public async Task<IReadOnlyList<ConfigChange>> LatestAsync(string cameraId, int limit, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, """
            SELECT id, changed_at_ms, username, address, camera_id, file, before_json, after_json FROM config_changes
            WHERE camera_id = @camera ORDER BY changed_at_ms DESC, id DESC LIMIT @limit
            """, ("@camera", cameraId), ("@limit", limit));
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var changes = new List<ConfigChange>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            changes.Add(new ConfigChange(Sql.Long(reader, 0), Sql.Time(reader, 1), reader.GetString(2), Sql.Text(reader, 3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.GetString(7)));
        return changes;
    }
}
