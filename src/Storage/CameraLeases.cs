namespace Vision.Storage;

/// <summary>A node of the cluster as its last heartbeat left it.</summary>
/// <param name="CamerasJson">The node's camera states (JSON array of its /api/cameras entries), for any node's console.</param>
public sealed record ClusterNode(string NodeId, int Capacity, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, string? Address, string? CamerasJson);

/// <summary>Who holds a camera, with the fencing token of that holding (it goes up with every new holder).</summary>
public sealed record CameraLease(string CameraId, string? NodeId, long Token, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);

/// <summary>
/// The cluster's shared state in PostgreSQL: node heartbeats and one lease per camera. A lease is taken only when it is
/// free or lapsed, renewed only by its holder with the token it got, and every new holder gets a higher token; a case
/// is written only under the camera's current token (<see cref="CaseStore.AddAsync"/> with a <see cref="CaseFence"/>),
/// so a node that was paused past its lease cannot write for a camera another node took.
/// </summary>
/// <remarks>
/// Every time written or compared here is on the database's clock: a heartbeat is stamped by the server and returns
/// that instant, and the instants given to the other methods come from it. Two nodes whose clocks disagree (a VM
/// without NTP) therefore still agree on who is alive and whose lease lapsed.
/// </remarks>
public sealed class CameraLeases(CaseDatabase database)
{
    /// <summary>The server's clock in Unix milliseconds, read when the statement runs.</summary>
    private const string ServerNow = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    /// <summary>Records that the node is alive, stamped with the database's clock; returns that instant.</summary>
    public async Task<DateTimeOffset> HeartbeatAsync(string nodeId, int capacity, DateTimeOffset startedAt, string? address, string? camerasJson, CancellationToken ct)
    {
        await using var connection = database.Open();
        var at = await Sql.ScalarAsync(connection, null, $"""
            INSERT INTO cluster_nodes (node_id, capacity, started_at_ms, heartbeat_at_ms, address, cameras) VALUES (@node, @capacity, @started, {ServerNow}, @address, @cameras)
            ON CONFLICT (node_id) DO UPDATE SET capacity = @capacity, started_at_ms = @started, heartbeat_at_ms = excluded.heartbeat_at_ms, address = @address, cameras = @cameras
            RETURNING heartbeat_at_ms
            """, ct, ("@node", nodeId), ("@capacity", capacity), ("@started", startedAt.ToUnixTimeMilliseconds()),
            ("@address", address), ("@cameras", camerasJson)).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(at, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Nodes heard from since <paramref name="since"/> (on the database's clock), by id.</summary>
    public async Task<IReadOnlyList<ClusterNode>> NodesAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, """
            SELECT node_id, capacity, started_at_ms, heartbeat_at_ms, address, cameras FROM cluster_nodes WHERE heartbeat_at_ms >= @since ORDER BY node_id
            """, ("@since", since.ToUnixTimeMilliseconds()));
        var nodes = new List<ClusterNode>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            nodes.Add(new ClusterNode(reader.GetString(0), Sql.Int(reader, 1), Sql.Time(reader, 2), Sql.Time(reader, 3), Sql.Text(reader, 4), Sql.Text(reader, 5)));
        return nodes;
    }

    /// <summary>A node leaving on purpose: it is no longer counted, so its cameras move at once.</summary>
    public async Task LeaveAsync(string nodeId, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, "UPDATE cluster_nodes SET heartbeat_at_ms = 0, cameras = NULL WHERE node_id = @node", ct, ("@node", nodeId)).ConfigureAwait(false);
    }

    /// <summary>
    /// Extends the leases the node holds under the tokens it got; returns those (a lease missing from the answer was
    /// lost). A lease of this node that it no longer counts as its own (a release that failed, or one left by an
    /// earlier run under the same node id) is not extended, so it lapses.
    /// </summary>
    /// <param name="now">An instant of the database's clock (from <see cref="HeartbeatAsync"/>), not the node's.</param>
    public async Task<IReadOnlyList<CameraLease>> RenewAsync(string nodeId, IReadOnlyDictionary<string, long> held, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        if (held.Count == 0) return [];
        await using var connection = database.Open();
        return await QueryAsync(connection, """
            UPDATE camera_leases SET expires_at_ms = @until
            WHERE node_id = @node AND expires_at_ms > @now AND (camera_id, token) IN (SELECT * FROM unnest(@cameras, @tokens))
            RETURNING camera_id, node_id, token, acquired_at_ms, expires_at_ms
            """, ct, ("@node", nodeId), ("@now", now.ToUnixTimeMilliseconds()), ("@until", (now + lease).ToUnixTimeMilliseconds()),
            ("@cameras", held.Keys.ToArray()), ("@tokens", held.Values.ToArray())).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes the camera when its lease is free or lapsed, or left by this node id (an earlier run of it, which the new
    /// token fences out); null when another node holds it.
    /// </summary>
    /// <param name="now">An instant of the database's clock (from <see cref="HeartbeatAsync"/>), not the node's.</param>
    public async Task<CameraLease?> TryAcquireAsync(string cameraId, string nodeId, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = database.Open();
        var taken = await QueryAsync(connection, """
            INSERT INTO camera_leases (camera_id, node_id, token, acquired_at_ms, expires_at_ms) VALUES (@camera, @node, 1, @now, @until)
            ON CONFLICT (camera_id) DO UPDATE SET node_id = @node, token = camera_leases.token + 1, acquired_at_ms = @now, expires_at_ms = @until
            WHERE camera_leases.node_id IS NULL OR camera_leases.expires_at_ms <= @now OR camera_leases.node_id = @node
            RETURNING camera_id, node_id, token, acquired_at_ms, expires_at_ms
            """, ct, ("@camera", cameraId), ("@node", nodeId), ("@now", now.ToUnixTimeMilliseconds()), ("@until", (now + lease).ToUnixTimeMilliseconds())).ConfigureAwait(false);
        return taken.SingleOrDefault();
    }

    /// <summary>Gives a camera up (its analysis has stopped here); the token stays, so the next holder's is higher.</summary>
    public async Task ReleaseAsync(string cameraId, string nodeId, long token, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, "UPDATE camera_leases SET node_id = NULL, expires_at_ms = 0 WHERE camera_id = @camera AND node_id = @node AND token = @token", ct,
            ("@camera", cameraId), ("@node", nodeId), ("@token", token)).ConfigureAwait(false);
    }

    /// <summary>The camera's lease row (its last holder and token, lapsed or not); null when it was never taken.</summary>
    public async Task<CameraLease?> FindAsync(string cameraId, CancellationToken ct)
    {
        await using var connection = database.Open();
        return (await QueryAsync(connection, "SELECT camera_id, node_id, token, acquired_at_ms, expires_at_ms FROM camera_leases WHERE camera_id = @camera", ct,
            ("@camera", cameraId)).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<CameraLease>> ListAsync(CancellationToken ct)
    {
        await using var connection = database.Open();
        return await QueryAsync(connection, "SELECT camera_id, node_id, token, acquired_at_ms, expires_at_ms FROM camera_leases ORDER BY camera_id", ct).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<CameraLease>> QueryAsync(System.Data.Common.DbConnection connection, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Sql.Command(connection, null, sql, parameters);
        var leases = new List<CameraLease>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            leases.Add(new CameraLease(reader.GetString(0), Sql.Text(reader, 1), Sql.Long(reader, 2), Sql.Time(reader, 3), Sql.Time(reader, 4)));
        return leases;
    }
}
