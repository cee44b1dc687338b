using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The lease store on Kea 3.0's schema (29.0, from the vendored <c>dhcpdb_create.pgsql</c> of Kea 3.0.0, the same
/// file through 3.0.4): <c>lease6</c> as in 34.0, with <c>lease6_types</c> still holding IA_TA.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PgSqlLeaseStoreOnKea30Tests(PostgreSqlCluster cluster) : PgSqlLeaseStoreTests(cluster, PostgreSqlCluster.KeaSchema.Kea30)
{
    protected override string AddressAsText => "host(address)";

    protected override bool StoresPoolId => true;

    // As 34.0's triggers: registered (4) leases are counted too.
    protected override string CountedStates => "0, 1, 4";

    [PostgreSqlFact]
    public async Task Open_speaks_schema_29_0()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        Assert.Equal((29, 0), store.Statements.Version);
        Assert.Equal("Kea 3.0", store.Statements.Release);
        Assert.True(store.KeepsReleasedLeases);
    }

    /// <summary>
    /// Kea 3.1.0 to 3.1.8's schemas (30.0 to 33.0), made as kea-admin's upgrade scripts make them from 29.0: what
    /// those steps change that a reader could notice (option classes made NOT NULL, the new indexes), then the version.
    /// </summary>
    [PostgreSqlFact]
    public async Task The_schemas_of_kea_3_1s_development_releases_are_spoken_as_29_0()
    {
        foreach (var version in (int[])[30, 33])
        {
            var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea30);
            await using var db = Cluster.DataSource(name);
            await PostgreSqlCluster.ExecuteAsync(db, "ALTER TABLE dhcp6_options ALTER COLUMN client_classes SET NOT NULL");
            await PostgreSqlCluster.ExecuteAsync(db, "CREATE INDEX lease6_by_hwaddr ON lease6 (hwaddr)");
            await PostgreSqlCluster.ExecuteAsync(db, "CREATE INDEX lease6_by_state ON lease6 (state, subnet_id)");
            await PostgreSqlCluster.ExecuteAsync(db, $"UPDATE schema_version SET version = '{version}', minor = '0'");

            using var store = await PgSqlLeaseStore.OpenAsync(Cluster.Settings(name), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            Assert.Equal((version, 0), store.Statements.Version);
            var temporary = Na("2001:db8:1::9", duid: [1]);
            temporary.Type = LeaseType.TA;
            await WriteAsync(store, (u, ct) => u.InsertAsync(temporary, ct));
            AssertSame(temporary, await store.GetAsync(temporary.Address));

            var access = Configuration.SqlDatabaseAccess.Default with
            {
                Name = name,
                Host = Cluster.SocketDirectory,
                Port = PostgreSqlCluster.Port,
                User = PostgreSqlCluster.User,
                Password = PostgreSqlCluster.Password,
            };
            await using var hosts = await PgSqlHostDataSource.OpenAsync(new Configuration.HostsDatabaseConfig(access, ReadOnly: false), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            Assert.Equal((version, 0), hosts.Statements.Version);
            Assert.Empty(await hosts.FindByAddressAsync(1, temporary.Address));
        }
    }

    [PostgreSqlFact]
    public async Task A_temporary_address_and_a_released_lease_are_stored_and_read_back()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var temporary = Na("2001:db8:1::9", duid: [1]);
        temporary.Type = LeaseType.TA;
        temporary.PoolId = 2;
        var released = Na("2001:db8:1::a", duid: [2]);
        released.State = LeaseState.Released;
        await WriteAsync(store, (u, ct) => u.InsertAsync(temporary, ct), (u, ct) => u.InsertAsync(released, ct));
        AssertSame(temporary, await store.GetAsync(temporary.Address));
        AssertSame(released, await store.GetAsync(released.Address));
        await AssertStatisticsCountTheLeasesAsync(db);
    }
}
