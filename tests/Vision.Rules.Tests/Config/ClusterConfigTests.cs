using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

/// <summary>The database and cluster keys: SQLite by default, PostgreSQL through a connection string kept out of the config.</summary>
public sealed class ClusterConfigTests
{
    [Fact]
    public void Without_the_keys_a_node_is_alone_on_its_sqlite_file()
    {
        var config = Parse(Minimal);
        Assert.Equal(DatabaseBackend.Sqlite, config.Database.Backend);
        Assert.Null(config.Cluster);
    }

    [Fact]
    public void Postgres_with_a_connection_string_variable_and_a_cluster_with_defaults()
    {
        var config = Parse(Minimal + "database: { backend: postgres, connection_string_env: VISION_DATABASE_URL }\ncluster: {}\n");
        Assert.Equal((DatabaseBackend.Postgres, "VISION_DATABASE_URL", (string?)null),
            (config.Database.Backend, config.Database.ConnectionStringVariable, config.Database.ConnectionStringFile));
        Assert.Equal(new ClusterConfig { Capacity = 25, Lease = TimeSpan.FromSeconds(15), Heartbeat = TimeSpan.FromSeconds(3) }, config.Cluster);
    }

    [Fact]
    public void Postgres_needs_exactly_one_place_for_its_connection_string()
    {
        SingleError(Minimal + "database: { backend: postgres }\n", AppendedLine, "database.backend", "exactly one of connection_string_env", "never goes in the config");
        SingleError(Minimal + "database: { backend: postgres, connection_string_env: A, connection_string_file: /run/b }\n", AppendedLine, "database.backend", "exactly one");
    }

    [Fact]
    public void A_connection_string_for_sqlite_or_a_cluster_on_sqlite_is_refused_with_what_to_do()
    {
        SingleError(Minimal + "database: { connection_string_env: VISION_DATABASE_URL }\n", AppendedLine, "database.connection_string_env", "only for backend: postgres");
        SingleError(Minimal + "cluster: { capacity: 10 }\n", AppendedLine, "cluster", "needs database.backend: postgres");
    }

    [Fact]
    public void A_heartbeat_longer_than_half_the_lease_is_refused()
    {
        SingleError(Minimal + "database: { backend: postgres, connection_string_file: /run/db }\ncluster: { lease: 10s, heartbeat: 6s }\n",
            AppendedLine + 1, "cluster.heartbeat", "at most half the lease");
    }
}
