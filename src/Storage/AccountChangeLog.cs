using System.Data.Common;

namespace Vision.Storage;

/// <summary>What was done to a console account.</summary>
public enum AccountAction { Added, Disabled, Enabled, Deleted, RoleChanged, PasswordReset, PasswordChanged, SessionsEnded }

/// <summary>The names of <see cref="AccountAction"/>s in the audit and the API (<c>role_changed</c>, …).</summary>
public static class AccountActionNames
{
    public static string ToWire(this AccountAction action) => action switch
    {
        AccountAction.Added => "added",
        AccountAction.Disabled => "disabled",
        AccountAction.Enabled => "enabled",
        AccountAction.Deleted => "deleted",
        AccountAction.RoleChanged => "role_changed",
        AccountAction.PasswordReset => "password_reset",
        AccountAction.PasswordChanged => "password_changed",
        AccountAction.SessionsEnded => "sessions_ended",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}

/// <summary>Who changes an account, from which address and when: the first columns of its audit row.</summary>
/// <param name="Actor">A console user name, or <c>cli:&lt;os user&gt;</c> for <c>vision users</c>.</param>
public sealed record AccountActor(string Actor, string? Address, DateTimeOffset At);

/// <summary>One audited account change. <see cref="Username"/> is text, not a reference: the row outlives a deleted account.</summary>
public sealed record AccountChange(long Id, DateTimeOffset At, string Actor, string? Address, string Username, string Action, string? Detail);

/// <summary>The audit of account changes (table <c>account_changes</c>), written by <see cref="UserStore"/> in the transaction of each change.</summary>
public sealed class AccountChangeLog(CaseDatabase database)
{
    internal static Task AddAsync(DbConnection connection, DbTransaction tx, AccountActor by, string username, AccountAction action, string? detail, CancellationToken ct) =>
        Sql.ExecuteAsync(connection, tx, """
            INSERT INTO account_changes (at_ms, actor, address, username, action, detail) VALUES (@at, @actor, @address, @name, @action, @detail)
            """, ct, ("@at", by.At.ToUnixTimeMilliseconds()), ("@actor", by.Actor), ("@address", by.Address), ("@name", username), ("@action", action.ToWire()),
            ("@detail", detail));

    /// <summary>The latest changes, newest first; only those of <paramref name="username"/> (any case) when given.</summary>
    public async Task<IReadOnlyList<AccountChange>> LatestAsync(string? username, int limit, CancellationToken ct)
    {
        await using var connection = database.Open();
        string where = username is null ? "" : "WHERE " + database.Dialect.SameUser("username");
        (string, object?)[] parameters = username is null ? [("@limit", limit)] : [("@limit", limit), ("@user", username)];
        await using var command = Sql.Command(connection, null, $"""
            SELECT id, at_ms, actor, address, username, action, detail FROM account_changes {where} ORDER BY at_ms DESC, id DESC LIMIT @limit
            """, parameters);
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var changes = new List<AccountChange>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            changes.Add(new AccountChange(Sql.Long(reader, 0), Sql.Time(reader, 1), reader.GetString(2), Sql.Text(reader, 3), reader.GetString(4), reader.GetString(5),
                Sql.Text(reader, 6)));
        return changes;
    }
}
