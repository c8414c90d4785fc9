
namespace Vision.Pipeline.Tests.Support;

/// <summary>
/// The PostgreSQL tests share one throwaway cluster (<see cref="PostgresFixture"/>); each takes its own database from
/// <see cref="PostgresServer.CreateDatabaseAsync"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>Starts the collection's cluster, unless PostgreSQL is missing (its tests skip then); stops it at the end.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    /// <summary>scripts/postgres.sh of this checkout.</summary>
    public static string Script => Path.Combine(SharedData.ProjectRoot, "scripts", "postgres.sh");

    public PostgresServer Server => _server ?? throw new InvalidOperationException(PostgresServer.UnavailableReason ?? "the PostgreSQL fixture is not started");

    public async Task InitializeAsync()
    {
        if (PostgresServer.UnavailableReason is null) _server = await PostgresServer.StartAsync(Script);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>A fact that needs Debian's PostgreSQL 15; skipped, saying how to install it, without it.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.UnavailableReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs Debian's PostgreSQL 15; skipped, saying how to install it, without it.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresServer.UnavailableReason is { } reason) Skip = reason;
    }
}

/// <summary>A fact that needs both Debian's PostgreSQL 15 and ../shared (model and footage); skipped with the reason otherwise.</summary>
public sealed class PostgresSharedDataFactAttribute : FactAttribute
{
    public PostgresSharedDataFactAttribute()
    {
        if (PostgresServer.UnavailableReason is { } reason) Skip = reason;
        else if (!SharedData.Available) Skip = SharedData.MissingReason;
    }
}
