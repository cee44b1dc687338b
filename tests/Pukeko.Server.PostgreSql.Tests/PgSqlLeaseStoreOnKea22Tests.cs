using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>The lease store on Kea 2.2's schema (13.0, Debian's <c>kea-admin db-init pgsql</c>), and what only it does.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PgSqlLeaseStoreOnKea22Tests(PostgreSqlCluster cluster) : PgSqlLeaseStoreTests(cluster, PostgreSqlCluster.KeaSchema.Kea22)
{
    protected override string AddressAsText => "address";

    protected override bool StoresPoolId => false;

    protected override string CountedStates => "0, 1";

    [PostgreSqlFact]
    public async Task Open_refuses_a_database_without_Kea_schema()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.None);
        var e = await Assert.ThrowsAsync<LeaseDatabaseSchemaException>(() => PgSqlLeaseStore.OpenAsync(Cluster.Settings(name), NullLogger.Instance));
        Assert.Contains("kea-admin db-init pgsql", e.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Open_speaks_schema_13_0()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        Assert.Equal((13, 0), store.Statements.Version);
        Assert.False(store.KeepsReleasedLeases);
    }

    [PostgreSqlFact]
    public async Task Pages_follow_Kea_2_2_text_order_and_visit_every_lease_once()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var addresses = new[] { "2001:db8:1::2", "2001:db8:1::10", "2001:db8:1::9", "2001:db8::1", "2001:db8:1::a", "3000::1", "::1" };
        await WriteAsync(store, [.. addresses.Select(a => (Func<ILeaseUnitOfWork, CancellationToken, ValueTask<LeaseWriteResult>>)((u, ct) => u.InsertAsync(Na(a), ct)))]);

        // The cluster uses the C collation: text order is ordinal.
        Assert.Equal(addresses.Order(StringComparer.Ordinal), await PageThroughAsync(store));
        Assert.Equal(["2001:db8:1::10", "2001:db8:1::2"], (await store.GetPageAsync(Ipv6Address.Any, 2)).Select(l => l.Address.ToString()));
    }

    [PostgreSqlFact]
    public async Task A_released_lease_has_no_state_in_Kea_22s_schema_and_is_refused_with_a_clear_message()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var lease = Na("2001:db8:1::77");
        lease.State = LeaseState.Released;
        await using var unit = store.BeginWork();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => unit.InsertAsync(lease).AsTask());
        Assert.Contains("state 3 cannot be stored in Kea 2.2's PostgreSQL schema (13.0)", e.Message, StringComparison.Ordinal);
    }
}
