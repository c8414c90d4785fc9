using System.Security.Cryptography;
using System.Text;

namespace Vision.Storage;

/// <summary>A signed-in console session as the server remembers it.</summary>
public sealed record ConsoleSession(string Username, string? Address, DateTimeOffset CreatedAt, DateTimeOffset SeenAt);

/// <summary>
/// Server-side records of console sessions, so that signing out ends a session for every copy of its cookie. The
/// cookie carries only a random session id; a store keeps (a hash of) it with the account, the address it signed in
/// from and when it was last used. Kept behind an interface so the records can move to another database with the cases.
/// </summary>
public interface ISessionStore
{
    Task CreateAsync(string sessionId, string username, string? address, DateTimeOffset now, CancellationToken ct);

    /// <summary>The session when it exists, is not revoked and was used since <paramref name="idleSince"/>; else null.</summary>
    Task<ConsoleSession?> FindActiveAsync(string sessionId, DateTimeOffset idleSince, CancellationToken ct);

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

    public async Task<ConsoleSession?> FindActiveAsync(string sessionId, DateTimeOffset idleSince, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null, """
            SELECT username, address, created_at_ms, seen_at_ms FROM console_sessions
            WHERE id_hash = @id AND revoked_at_ms IS NULL AND seen_at_ms >= @since
            """, ("@id", Hash(sessionId)), ("@since", idleSince.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
        return new ConsoleSession(reader.GetString(0), Sql.Text(reader, 1), Sql.Time(reader, 2),
            Sql.Time(reader, 3));
    }

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
