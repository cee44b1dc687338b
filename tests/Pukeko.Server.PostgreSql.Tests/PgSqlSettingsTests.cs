using Npgsql;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>How Kea's <c>lease-database</c> keys become a connection.</summary>
public sealed class PgSqlSettingsTests
{
    [Fact]
    public void An_empty_host_is_libpqs_default_as_with_kea()
    {
        // Forge and Kea's own examples write "host": "", which Kea hands to libpq as is.
        var settings = PgSqlLeaseDatabaseSettings.From(SqlDatabaseAccess.Default with { Name = "keadb", Host = "" });
        Assert.Equal(Environment.GetEnvironmentVariable("PGHOST") is { Length: > 0 } pgHost ? pgHost : "/var/run/postgresql", settings.Host);
        Assert.Contains("Host=", settings.ToConnectionString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_host_is_localhost_as_with_kea() =>
        Assert.Equal("localhost", PgSqlLeaseDatabaseSettings.From(SqlDatabaseAccess.Default with { Name = "keadb" }).Host);

    [Fact]
    public void Too_many_connections_is_not_a_lost_connection_and_the_pool_grows_with_the_workers()
    {
        Assert.False(PgSqlConnectionHealth.IsConnectionLoss(new PostgresException("too many", "FATAL", "FATAL", PostgresErrorCodes.TooManyConnections)));
        Assert.True(PgSqlConnectionHealth.IsConnectionLoss(new PostgresException("out of memory", "ERROR", "ERROR", PostgresErrorCodes.OutOfMemory)));
        Assert.True(PgSqlConnectionHealth.IsConnectionLoss(new PostgresException("shutdown", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)));
        var access = SqlDatabaseAccess.Default with { PacketWorkers = 8 };
        Assert.Equal(20, PgSqlLeaseDatabaseSettings.From(access).MaxPoolSize);
        Assert.Contains("Maximum Pool Size=20", PgSqlLeaseDatabaseSettings.From(access).ToConnectionString(), StringComparison.Ordinal);
    }
}
