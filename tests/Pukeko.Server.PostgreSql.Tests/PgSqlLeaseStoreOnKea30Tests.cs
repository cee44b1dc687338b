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
