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
}
