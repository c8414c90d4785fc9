namespace Vision.Storage;

/// <summary>What a console account may do: officers review; engineers also read cameras and rules; admins also manage users.</summary>
public enum ConsoleRole { Officer, Engineer, Admin }

public static class ConsoleRoleNames
{
    public static string ToWire(this ConsoleRole role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out ConsoleRole role) => Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role);
}

/// <summary>A console account. <see cref="PasswordHash"/> is a standard salted hash (ASP.NET Core Identity's PBKDF2 format), never the password.</summary>
public sealed record ConsoleAccount(string Username, string DisplayName, ConsoleRole Role, string PasswordHash, int FailedSignIns, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);

/// <summary>Local console accounts in the node's database, with the failed sign-in count and lock-out that protect them.</summary>
public sealed class UserStore(CaseDatabase database)
{
    /// <summary>Adds an account; false when the user name is taken (names are case-insensitive).</summary>
    public async Task<bool> AddAsync(ConsoleAccount account, CancellationToken ct)
    {
        await using var connection = database.Open();
        return await Sql.ExecuteAsync(connection, null, """
            INSERT INTO users (username, display_name, role, password_hash, created_at_ms) VALUES (@user, @name, @role, @hash, @at) ON CONFLICT DO NOTHING
            """, ct, ("@user", account.Username), ("@name", account.DisplayName), ("@role", account.Role.ToWire()), ("@hash", account.PasswordHash),
            ("@at", account.CreatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false) > 0;
    }

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

    private async Task<IReadOnlyList<ConsoleAccount>> QueryAsync(string where, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = database.Open();
        await using var command = Sql.Command(connection, null,
            $"SELECT username, display_name, role, password_hash, failed_sign_ins, locked_until_ms, created_at_ms FROM users {where}", parameters);
        var result = new List<ConsoleAccount>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            ConsoleRoleNames.TryParse(reader.GetString(2), out var role);
            result.Add(new ConsoleAccount(reader.GetString(0), reader.GetString(1), role, reader.GetString(3), Sql.Int(reader, 4),
                Sql.Instant(reader, 5), Sql.Time(reader, 6)));
        }
        return result;
    }
}
