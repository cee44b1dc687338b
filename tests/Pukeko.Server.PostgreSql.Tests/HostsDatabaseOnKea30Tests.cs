using Microsoft.Extensions.Logging.Abstractions;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// <c>hosts-database</c> on Kea 3.0's schema (29.0, from the vendored <c>dhcpdb_create.pgsql</c> of Kea 3.0.0): the
/// host tables of 34.0, except that <c>dhcp6_options.client_classes</c> may be NULL.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class HostsDatabaseOnKea30Tests(PostgreSqlCluster cluster) : HostsDatabaseTests(cluster, PostgreSqlCluster.KeaSchema.Kea30)
{
    // Left NULL, as a row written before Kea 3.1 made the column NOT NULL.
    protected override (string Columns, string Values) OptionExtras => (string.Empty, string.Empty);

    [PostgreSqlFact]
    public async Task Host_source_speaks_schema_29_0()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea30);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        Assert.Equal((29, 0), source.Statements.Version);
        Assert.True(source.Statements.HoldsKea3Extras);
    }
}
