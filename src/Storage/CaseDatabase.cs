using System.Data.Common;

namespace Vision.Storage;

/// <summary>
/// Where cases, review history, the outbox, the evidence catalog, users and sessions live: the node's embedded SQLite
/// file (<see cref="SqliteCaseDatabase"/>) or a PostgreSQL database several nodes share (<see cref="PostgresCaseDatabase"/>).
/// The stores write SQL both understand; the few phrases that differ come from <see cref="Dialect"/>.
/// </summary>
public abstract class CaseDatabase
{
    /// <summary>What to name in messages: the file's path, or the server and database (never a password).</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Whose spool a node's evidence rows are: nodes sharing one database each upload only the evidence in their own
    /// spool folder. "local" for a node alone with its SQLite file.
    /// </summary>
    public string SpoolOwner { get; init; } = "local";

    internal abstract SqlDialect Dialect { get; }

    /// <summary>Creates the schema when missing and brings it up to date.</summary>
    public abstract CaseDatabase Migrate();

    /// <summary>An open connection; the caller disposes it.</summary>
    public abstract DbConnection Open();
}

/// <summary>The SQL phrases that differ between SQLite and PostgreSQL.</summary>
/// <param name="ByCode">
/// A text column to sort by, compared by character codes as SQLite compares text. A PostgreSQL database sorts by its
/// default collation otherwise, often a language's (en_US: '_' before '-', 'a' before 'B'), and lists would come out
/// in another order than on SQLite.
/// </param>
/// <param name="SameName">Two user-name expressions naming the same account (names are case-insensitive).</param>
/// <param name="LockUsers">
/// Run first in a transaction that checks "another enabled admin remains" and then changes an admin: PostgreSQL's
/// read-committed transactions would otherwise both see the other admin and leave none. Empty on SQLite, whose
/// transactions here take the write lock when they begin (BEGIN IMMEDIATE).
/// </param>
internal sealed record SqlDialect(string Name, string LockDueRows, Func<string, string, string> Greatest, Func<string, string> SameUser, Func<string, string> WeekOfMs,
    Func<string, string> ByCode, Func<string, string, string> SameName, string LockUsers)
{
    public static readonly SqlDialect Sqlite = new("sqlite", "",
        (a, b) => $"max({a}, {b})",
        column => $"{column} = @user",
        ms => $"strftime('%Y-W%W', {ms} / 1000, 'unixepoch')",
        text => text,
        (a, b) => $"{a} = {b}",
        "");

    // Week numbers as SQLite's %W counts them (weeks start on Monday; days before the year's first Monday are week 00),
    // so both backends label a week alike.
    public static readonly SqlDialect Postgres = new("postgres", "FOR UPDATE SKIP LOCKED",
        (a, b) => $"greatest({a}, {b})",
        column => $"lower({column}) = lower(@user)",
        ms => $"""
            (to_char(to_timestamp({ms} / 1000.0) AT TIME ZONE 'UTC', 'YYYY') || '-W' ||
             lpad(((extract(doy FROM to_timestamp({ms} / 1000.0) AT TIME ZONE 'UTC')::int + 6 - (extract(isodow FROM to_timestamp({ms} / 1000.0) AT TIME ZONE 'UTC')::int - 1)) / 7)::text, 2, '0'))
            """,
        text => $"{text} COLLATE \"C\"",
        (a, b) => $"lower({a}) = lower({b})",
        "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
}
