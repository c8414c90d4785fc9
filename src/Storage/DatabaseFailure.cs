using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Vision.Storage;

/// <summary>Tells a case database that is away for a while (down, restarting, a broken connection) from a mistake in a statement.</summary>
public static class DatabaseFailure
{
    /// <summary>
    /// True when the error says the database could not be reached or dropped the connection: retrying later is right.
    /// False for errors a retry cannot fix (a constraint, a syntax error, a wrong password): those are reported.
    /// </summary>
    public static bool IsUnavailable(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException p:
                    // 08: connection exception; 53: insufficient resources; 57P01-57P03: shut down, crashed, starting up; 40001/40P01: serialisation, deadlock.
                    return p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || p.SqlState is "57P01" or "57P02" or "57P03" or "40001" or "40P01";
                case NpgsqlException n:
                    return n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException;
                case Microsoft.Data.Sqlite.SqliteException s:
                    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
                    return s.SqliteErrorCode is 5 or 6 or 10 or 13 or 14;
                case SocketException or TimeoutException:
                    return true;
                case DbException:
                    return false;
            }
        }
        return false;
    }

    /// <summary>What to say of it in one line: the server's code and message, never a connection string.</summary>
    public static string Describe(Exception e) => e switch
    {
        PostgresException p => $"{p.SqlState} {p.MessageText}",
        NpgsqlException { InnerException: { } inner } n => $"{n.Message} ({inner.Message})",
        _ => e.Message,
    };
}
