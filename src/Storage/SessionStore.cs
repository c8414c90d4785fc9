using System.Data.Common;
using System.Security.Cryptography;
using System.Text;

namespace Vision.Storage;

/// <summary>A signed-in console session as the server remembers it, with its account's role and name as they are now.</summary>
public sealed record ConsoleSession(string Username, string DisplayName, ConsoleRole Role, string? Address, DateTimeOffset CreatedAt, DateTimeOffset SeenAt);

/// <summary>
/// Server-side records of console sessions, so that signing out ends a session for every copy of its cookie. The
/// cookie carries only a random session id; a store keeps (a hash of) it with the account, the address it signed in
/// from and when it was last used. Kept behind an interface so the records can move to another database with the cases.
/// </summary>
public interface ISessionStore
{
    Task CreateAsync(string sessionId, string username, string? address, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// The session when it is not ended, was used since <paramref name="seenSince"/>, began since
    /// <paramref name="startedSince"/>, and its account exists and is enabled; else null. One lookup by the session's key
    /// joined to the account's, so the role it carries is the account's role now, whatever the cookie says.
    /// </summary>
    Task<ConsoleSession?> FindActiveAsync(string sessionId, DateTimeOffset seenSince, DateTimeOffset startedSince, CancellationToken ct);

    /// <summary>Those of <paramref name="sessionIds"/> that <see cref="FindActiveAsync"/> would find, in one query.</summary>
    Task<IReadOnlySet<string>> ActiveAmongAsync(IReadOnlyCollection<string> sessionIds, DateTimeOffset seenSince, DateTimeOffset startedSince, CancellationToken ct);

    /// <summary>Active sessions per account (names as the accounts spell them).</summary>
    Task<IReadOnlyDictionary<string, int>> CountActiveAsync(DateTimeOffset seenSince, DateTimeOffset startedSince, CancellationToken ct);

    Task TouchAsync(string sessionId, DateTimeOffset now, CancellationToken ct);

    Task RevokeAsync(string sessionId, DateTimeOffset now, CancellationToken ct);

    /// <summary>True when the account signed in from <paramref name="address"/> since <paramref name="since"/> (an address the real user uses).</summary>
    Task<bool> SignedInFromAsync(string username, string address, DateTimeOffset since, CancellationToken ct);
}

/// <summary>Console sessions in the case database. Only a SHA-256 of each session id is stored, so a copy of the file signs nobody in.</summary>
public sealed class SessionStore(CaseDatabase database) : ISessionStore
{
    /// <summary>How long ended sessions are kept: they tell which addresses an account signs in from.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    public async Task CreateAsync(string sessionId, string username, string? address, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await Sql.ExecuteAsync(connection, tx, "DELETE FROM console_sessions WHERE seen_at_ms < @old", ct, ("@old", (now - Retention).ToUnixTimeMilliseconds())).ConfigureAwait(false);
        await Sql.ExecuteAsync(connection, tx, """
            INSERT INTO console_sessions (id_hash, username, address, created_at_ms, seen_at_ms) VALUES (@id, @user, @address, @now, @now)
            """, ct, ("@id", Hash(sessionId)), ("@user", username), ("@address", address), ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    // A session counts while it is not ended, within both lifetimes, and its account exists and is enabled (the join
    // uses the account's name index: NOCASE on SQLite, lower(username) on PostgreSQL).
    private readonly string _active = $"""
        FROM console_sessions s JOIN users u ON {database.Dialect.SameName("u.username", "s.username")}
        WHERE s.revoked_at_ms IS NULL AND s.seen_at_ms >= @seen AND s.created_at_ms >= @started AND u.disabled_at_ms IS NULL
        """;

    public async Task<ConsoleSession?> FindActiveAsync(string sessionId, DateTimeOffset seenSince, DateTimeOffset startedSince, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, $"""
            SELECT u.username, u.display_name, u.role, s.address, s.created_at_ms, s.seen_at_ms {_active} AND s.id_hash = @id
            """, ("@id", Hash(sessionId)), ("@seen", seenSince.ToUnixTimeMilliseconds()), ("@started", startedSince.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
        // An unknown role (a newer Vision's) is no role here: the session is not used.
        if (!ConsoleRoleNames.TryParse(reader.GetString(2), out var role)) return null;
        return new ConsoleSession(reader.GetString(0), reader.GetString(1), role, Sql.Text(reader, 3), Sql.Time(reader, 4), Sql.Time(reader, 5));
    }

    public async Task<IReadOnlySet<string>> ActiveAmongAsync(IReadOnlyCollection<string> sessionIds, DateTimeOffset seenSince, DateTimeOffset startedSince, CancellationToken ct)
    {
        var active = new HashSet<string>(StringComparer.Ordinal);
        if (sessionIds.Count == 0) return active;
        var byHash = sessionIds.Distinct(StringComparer.Ordinal).ToDictionary(Hash, id => id, StringComparer.Ordinal);
        var parameters = new List<(string, object?)> { ("@seen", seenSince.ToUnixTimeMilliseconds()), ("@started", startedSince.ToUnixTimeMilliseconds()) };
        var names = new List<string>(byHash.Count);
        foreach (string hash in byHash.Keys)
        {
            names.Add("@h" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            parameters.Add((names[^1], hash));
        }
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, $"SELECT s.id_hash {_active} AND s.id_hash IN ({string.Join(", ", names)})", [.. parameters]);
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) active.Add(byHash[reader.GetString(0)]);
        return active;
    }

    public async Task<IReadOnlyDictionary<string, int>> CountActiveAsync(DateTimeOffset seenSince, DateTimeOffset startedSince, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, $"SELECT u.username, count(*) {_active} GROUP BY u.username",
            ("@seen", seenSince.ToUnixTimeMilliseconds()), ("@started", startedSince.ToUnixTimeMilliseconds()));
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) counts[reader.GetString(0)] = Sql.Int(reader, 1);
        return counts;
    }

    /// <summary>Ends every open session of <paramref name="username"/> but <paramref name="exceptSessionId"/>, inside the caller's transaction; how many.</summary>
    internal static Task<int> EndAllAsync(DbConnection connection, DbTransaction tx, SqlDialect dialect, string username, string? exceptSessionId, DateTimeOffset now,
        CancellationToken ct) =>
        Sql.ExecuteAsync(connection, tx, $"""
            UPDATE console_sessions SET revoked_at_ms = @now WHERE {dialect.SameUser("username")} AND revoked_at_ms IS NULL AND id_hash <> @keep
            """, ct, ("@user", username), ("@now", now.ToUnixTimeMilliseconds()), ("@keep", exceptSessionId is null ? "" : Hash(exceptSessionId)));

    public async Task TouchAsync(string sessionId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, $"UPDATE console_sessions SET seen_at_ms = {database.Dialect.Greatest("seen_at_ms", "@now")} WHERE id_hash = @id", ct,
            ("@id", Hash(sessionId)), ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    public async Task RevokeAsync(string sessionId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, "UPDATE console_sessions SET revoked_at_ms = @now WHERE id_hash = @id AND revoked_at_ms IS NULL", ct,
            ("@id", Hash(sessionId)), ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    public async Task<bool> SignedInFromAsync(string username, string address, DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = database.Open();
        return await Sql.ScalarAsync(connection, null, $"""
            SELECT 1 FROM console_sessions WHERE {database.Dialect.SameUser("username")} AND address = @address AND created_at_ms >= @since LIMIT 1
            """, ct, ("@user", username), ("@address", address), ("@since", since.ToUnixTimeMilliseconds())).ConfigureAwait(false) is not null;
    }

    private static string Hash(string sessionId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)));
}
