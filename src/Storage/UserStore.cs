using System.Data.Common;

namespace Vision.Storage;

/// <summary>What a console account may do: officers review; engineers also read cameras and rules; admins also manage users.</summary>
public enum ConsoleRole { Officer, Engineer, Admin }

public static class ConsoleRoleNames
{
    public static string ToWire(this ConsoleRole role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out ConsoleRole role) => Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role);
}

/// <summary>A console account. <see cref="PasswordHash"/> is a standard salted hash (ASP.NET Core Identity's PBKDF2 format), never the password.</summary>
public sealed record ConsoleAccount(string Username, string DisplayName, ConsoleRole Role, string PasswordHash, int FailedSignIns, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt)
{
    /// <summary>Since when the account may not sign in and its sessions do not count; null while it is enabled.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
}

/// <summary>What became of an account change: done, no such account, or refused because it would leave no enabled admin.</summary>
public enum AccountChangeResult { Done, NoSuchUser, LastAdmin }

/// <summary>
/// Local console accounts in the node's database, with the failed sign-in count and lock-out that protect them. Every
/// change an admin (or <c>vision users</c>) makes is written with its audit row (<see cref="AccountChangeLog"/>) in one
/// transaction; a change that takes away an account's access also ends its open sessions in that transaction.
/// </summary>
public sealed class UserStore(CaseDatabase database)
{
    // True for the row being changed unless it is the last enabled admin: a console nobody can administer stays that way.
    private const string KeepsAnAdmin = """
        (NOT (role = 'admin' AND disabled_at_ms IS NULL)
         OR EXISTS (SELECT 1 FROM users other WHERE other.role = 'admin' AND other.disabled_at_ms IS NULL AND other.username <> users.username))
        """;

    /// <summary>Adds an account, audited; false when the user name is taken (names are case-insensitive).</summary>
    public async Task<bool> AddAsync(ConsoleAccount account, AccountActor by, CancellationToken ct)
    {
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        bool added = await Sql.ExecuteAsync(connection, tx, """
            INSERT INTO users (username, display_name, role, password_hash, created_at_ms) VALUES (@user, @name, @role, @hash, @at) ON CONFLICT DO NOTHING
            """, ct, ("@user", account.Username), ("@name", account.DisplayName), ("@role", account.Role.ToWire()), ("@hash", account.PasswordHash),
            ("@at", account.CreatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false) > 0;
        if (!added) return false;
        await AccountChangeLog.AddAsync(connection, tx, by, account.Username, AccountAction.Added, account.Role.ToWire(), ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Disables (and ends the sessions of) or enables an account; the last enabled admin is not disabled.</summary>
    public Task<AccountChangeResult> SetDisabledAsync(string username, bool disabled, AccountActor by, CancellationToken ct) => disabled
        ? ChangeAsync(username, by, AccountAction.Disabled, endSessions: true, ct,
            $"UPDATE users SET disabled_at_ms = coalesce(disabled_at_ms, @now) WHERE {database.Dialect.SameUser("username")} AND {KeepsAnAdmin}")
        : ChangeAsync(username, by, AccountAction.Enabled, endSessions: false, ct,
            $"UPDATE users SET disabled_at_ms = NULL WHERE {database.Dialect.SameUser("username")}");

    /// <summary>Deletes an account and ends its sessions; its audit rows and the case history keep its name. The last enabled admin is not deleted.</summary>
    public Task<AccountChangeResult> DeleteAsync(string username, AccountActor by, CancellationToken ct) =>
        ChangeAsync(username, by, AccountAction.Deleted, endSessions: true, ct, $"DELETE FROM users WHERE {database.Dialect.SameUser("username")} AND {KeepsAnAdmin}");

    /// <summary>Gives an account another role (its sessions read it at their next request); the last enabled admin stays admin.</summary>
    public Task<AccountChangeResult> SetRoleAsync(string username, ConsoleRole role, AccountActor by, CancellationToken ct) =>
        ChangeAsync(username, by, AccountAction.RoleChanged, endSessions: false, ct,
            $"UPDATE users SET role = @role WHERE {database.Dialect.SameUser("username")} AND (@role = 'admin' OR {KeepsAnAdmin})", ("@role", role.ToWire()),
            detail: before => $"{before.Role.ToWire()} → {role.ToWire()}");

    /// <summary>
    /// Sets a new password hash (<see cref="AccountAction.PasswordReset"/> by an admin, <see cref="AccountAction.PasswordChanged"/>
    /// by the user), clears the lock-out, and ends the account's sessions but <paramref name="keepSessionId"/> (the one asking).
    /// </summary>
    public Task<AccountChangeResult> SetPasswordAsync(string username, string hash, AccountAction action, string? keepSessionId, AccountActor by, CancellationToken ct)
    {
        if (action is not (AccountAction.PasswordReset or AccountAction.PasswordChanged)) throw new ArgumentOutOfRangeException(nameof(action));
        return ChangeAsync(username, by, action, endSessions: true, ct,
            $"UPDATE users SET password_hash = @hash, failed_sign_ins = 0, locked_until_ms = NULL WHERE {database.Dialect.SameUser("username")}", ("@hash", hash),
            keepSessionId: keepSessionId);
    }

    /// <summary>Ends every open session of the account (on every node: each checks its sessions against the database).</summary>
    public Task<AccountChangeResult> EndSessionsAsync(string username, AccountActor by, CancellationToken ct) =>
        ChangeAsync(username, by, AccountAction.SessionsEnded, endSessions: true, ct, null);

    public async Task<ConsoleAccount?> FindAsync(string username, CancellationToken ct) =>
        (await QueryAsync("WHERE " + database.Dialect.SameUser("username"), ct, ("@user", username)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>Every account by name, whatever its case (as SQLite's NOCASE column sorts them).</summary>
    public Task<IReadOnlyList<ConsoleAccount>> ListAsync(CancellationToken ct) => QueryAsync($"ORDER BY {database.Dialect.ByCode("lower(username)")}", ct);

    /// <summary>
    /// Counts a failed sign-in. The count runs until a successful sign-in (the users page shows it as it is); each time
    /// it reaches a multiple of <paramref name="maxFailures"/> while the account is not locked, the account locks until
    /// <paramref name="lockUntil"/>. Failures during a lock are counted but do not extend it.
    /// </summary>
    public async Task RecordFailureAsync(string username, int maxFailures, DateTimeOffset now, DateTimeOffset lockUntil, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, $"""
            UPDATE users SET
              locked_until_ms = CASE WHEN (locked_until_ms IS NULL OR locked_until_ms <= @now) AND (failed_sign_ins + 1) % @max = 0
                                     THEN @until ELSE locked_until_ms END,
              failed_sign_ins = failed_sign_ins + 1
            WHERE {database.Dialect.SameUser("username")}
            """, ct, ("@user", username), ("@max", maxFailures), ("@now", now.ToUnixTimeMilliseconds()), ("@until", lockUntil.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    public async Task RecordSuccessAsync(string username, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, "UPDATE users SET failed_sign_ins = 0, locked_until_ms = NULL WHERE " + database.Dialect.SameUser("username"), ct, ("@user", username)).ConfigureAwait(false);
    }

    public async Task SetPasswordHashAsync(string username, string hash, CancellationToken ct)
    {
        await using var connection = database.Open();
        await Sql.ExecuteAsync(connection, null, "UPDATE users SET password_hash = @hash WHERE " + database.Dialect.SameUser("username"), ct, ("@user", username), ("@hash", hash)).ConfigureAwait(false);
    }

    /// <summary>
    /// One audited change of an existing account in one transaction: the account as it was (none: <see cref="AccountChangeResult.NoSuchUser"/>),
    /// <paramref name="update"/> (no row changed: it would have taken the last enabled admin), its sessions ended when
    /// <paramref name="endSessions"/>, and the audit row (for ended sessions, how many).
    /// </summary>
    private async Task<AccountChangeResult> ChangeAsync(string username, AccountActor by, AccountAction action, bool endSessions, CancellationToken ct, string? update,
        (string Name, object? Value)? parameter = null, Func<ConsoleAccount, string>? detail = null, string? keepSessionId = null)
    {
        await using var connection = database.Open();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (database.Dialect.LockUsers.Length > 0) await Sql.ExecuteAsync(connection, tx, database.Dialect.LockUsers, ct).ConfigureAwait(false);
        var before = (await QueryAsync(connection, tx, "WHERE " + database.Dialect.SameUser("username"), ct, ("@user", username)).ConfigureAwait(false)).SingleOrDefault();
        if (before is null) return AccountChangeResult.NoSuchUser;
        if (update is not null)
        {
            var parameters = new List<(string, object?)> { ("@user", before.Username), ("@now", by.At.ToUnixTimeMilliseconds()) };
            if (parameter is { } p) parameters.Add(p);
            if (await Sql.ExecuteAsync(connection, tx, update, ct, [.. parameters]).ConfigureAwait(false) == 0) return AccountChangeResult.LastAdmin;
        }
        string? text = detail?.Invoke(before);
        if (endSessions)
        {
            int ended = await SessionStore.EndAllAsync(connection, tx, database.Dialect, before.Username, keepSessionId, by.At, ct).ConfigureAwait(false);
            if (action == AccountAction.SessionsEnded) text = ended.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await AccountChangeLog.AddAsync(connection, tx, by, before.Username, action, text, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return AccountChangeResult.Done;
    }

    private async Task<IReadOnlyList<ConsoleAccount>> QueryAsync(string where, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = database.Open();
        return await QueryAsync(connection, null, where, ct, parameters).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<ConsoleAccount>> QueryAsync(DbConnection connection, DbTransaction? tx, string where, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Sql.Command(connection, tx,
            $"SELECT username, display_name, role, password_hash, failed_sign_ins, locked_until_ms, created_at_ms, disabled_at_ms FROM users {where}", parameters);
        var result = new List<ConsoleAccount>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            ConsoleRoleNames.TryParse(reader.GetString(2), out var role);
            result.Add(new ConsoleAccount(reader.GetString(0), reader.GetString(1), role, reader.GetString(3), Sql.Int(reader, 4),
                Sql.Instant(reader, 5), Sql.Time(reader, 6)) { DisabledAt = Sql.Instant(reader, 7) });
        }
        return result;
    }
}
