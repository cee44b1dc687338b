using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The lease store on Kea 3.x's schema (34.0, from the vendored <c>dhcpdb_create.pgsql</c>), and what only it has:
/// <c>inet</c> addresses, <c>pool_id</c>, the released state (3) and the per-pool statistics table.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PgSqlLeaseStoreOnKea3Tests(PostgreSqlCluster cluster) : PgSqlLeaseStoreTests(cluster, PostgreSqlCluster.KeaSchema.Kea3)
{
    private const string SubnetStatistics =
        "SELECT subnet_id, lease_type, state, leases FROM lease6_stat WHERE leases > 0 ORDER BY subnet_id, lease_type, state";

    private const string PoolStatistics =
        "SELECT subnet_id, pool_id, lease_type, state, leases FROM lease6_pool_stat WHERE leases > 0 ORDER BY subnet_id, pool_id, lease_type, state";

    protected override string AddressAsText => "host(address)";

    protected override bool StoresPoolId => true;

    // Kea 3.x's lease6_stat counts registered (4) leases too.
    protected override string CountedStates => "0, 1, 4";

    [PostgreSqlFact]
    public async Task Writes_in_a_shared_flq_subnet_keep_Keas_free_lease_queue_in_step_and_other_subnets_leave_it_alone()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        Assert.True(store.HasSharedFreeLeaseQueue);
        store.SharedFreeLeaseQueueSubnets = new HashSet<(uint, LeaseType)> { (1, LeaseType.NA), (1, LeaseType.PD) };

        // The queue as Kea's sflqCreateFlqPool6 leaves it: every address (and prefix) of the pools free.
        await PostgreSqlCluster.ExecuteAsync(db,
            "INSERT INTO free_lease6 (address, bin_address) SELECT a, inetToBytea(a) FROM "
            + "(VALUES ('2001:db8:1::7'::inet), ('2001:db8:1::8'::inet), ('2001:db8:2::9'::inet), ('2001:db8:8::'::inet)) AS v(a)");
        Task<string> Queue() => ColumnAsync(db, "SELECT host(address) FROM free_lease6 ORDER BY address").ContinueWith(t => string.Join(" ", t.Result), TaskScheduler.Default);

        var lease = Na("2001:db8:1::7");
        var elsewhere = Na("2001:db8:2::9", duid: [9], subnet: 2);
        var prefix = Pd("2001:db8:8::", 56, duid: [8]);
        await WriteAsync(store, (u, ct) => u.InsertAsync(lease, ct), (u, ct) => u.InsertAsync(elsewhere, ct), (u, ct) => u.InsertAsync(prefix, ct));
        Assert.Equal("2001:db8:1::8 2001:db8:2::9", await Queue());

        // Reclaimed: free again; renewed: taken; a stale version writes nothing and moves nothing.
        var reclaimed = lease.Clone();
        reclaimed.State = LeaseState.ExpiredReclaimed;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(lease, reclaimed, ct));
        Assert.Equal("2001:db8:1::7 2001:db8:1::8 2001:db8:2::9", await Queue());
        var renewed = reclaimed.Clone();
        renewed.State = LeaseState.Default;
        renewed.Cltt = Now + 60;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(reclaimed, renewed, ct));
        Assert.Equal("2001:db8:1::8 2001:db8:2::9", await Queue());
        await using (var unit = store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Conflict, await unit.UpdateAsync(lease, reclaimed));
            Assert.Equal(LeaseWriteResult.Conflict, await unit.InsertAsync(Na("2001:db8:1::7", duid: [7])));
            await unit.CommitAsync();
        }

        Assert.Equal("2001:db8:1::8 2001:db8:2::9", await Queue());

        // Deleted (released): free again, once; the other subnet's delete leaves the queue alone.
        await WriteAsync(store, (u, ct) => u.DeleteAsync(renewed, ct), (u, ct) => u.DeleteAsync(prefix, ct), (u, ct) => u.DeleteAsync(elsewhere, ct));
        Assert.Equal("2001:db8:1::7 2001:db8:1::8 2001:db8:2::9 2001:db8:8::", await Queue());
        await using (var unit = store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.NotFound, await unit.DeleteAsync(renewed));
            await unit.CommitAsync();
        }

        // A lease written reclaimed is free from the start.
        var written = Na("2001:db8:1::7", duid: [7]);
        written.State = LeaseState.ExpiredReclaimed;
        await WriteAsync(store, (u, ct) => u.InsertAsync(written, ct));
        Assert.Equal("2001:db8:1::7 2001:db8:1::8 2001:db8:2::9 2001:db8:8::", await Queue());
    }

    [PostgreSqlFact]
    public async Task Writes_in_one_transaction_keep_the_free_lease_queue_in_step_too()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        store.SharedFreeLeaseQueueSubnets = new HashSet<(uint, LeaseType)> { (1, LeaseType.NA) };
        await PostgreSqlCluster.ExecuteAsync(db, "INSERT INTO free_lease6 (address, bin_address) VALUES ('2001:db8:1::7', inetToBytea('2001:db8:1::7'))");
        var lease = Na("2001:db8:1::7");
        await using (var unit = store.BeginTransaction())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(lease));
            Assert.Equal(LeaseWriteResult.Conflict, await unit.InsertAsync(Na("2001:db8:1::7", duid: [7])));
            await unit.CommitAsync();
        }

        Assert.Empty(await ColumnAsync(db, "SELECT host(address) FROM free_lease6"));
        await using (var unit = store.BeginTransaction())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.DeleteAsync(lease));
            await unit.CommitAsync();
        }

        Assert.Equal(["2001:db8:1::7"], await ColumnAsync(db, "SELECT host(address) FROM free_lease6"));
    }

    [PostgreSqlFact]
    public async Task Open_speaks_schema_34_0()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        Assert.Equal((34, 0), store.Statements.Version);
        Assert.True(store.KeepsReleasedLeases);
    }

    [PostgreSqlFact]
    public async Task A_reconnect_to_a_database_upgraded_while_it_was_away_speaks_the_new_version()
    {
        // The store opens a Kea 2.2 database, which is replaced, while the store is away, by one with Kea 3.x's
        // schema under the same name (as kea-admin db-upgrade leaves it).
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea22);
        var upgraded = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        using var store = await PgSqlLeaseStore.OpenAsync(Cluster.Settings(name), NullLogger.Instance);
        Assert.Equal((13, 0), store.Statements.Version);
        store.DataSource.Clear();
        await using (var admin = Cluster.AdminDataSource("postgres"))
        {
            await PostgreSqlCluster.ExecuteAsync(admin, $"DROP DATABASE {name} WITH (FORCE)");
            await PostgreSqlCluster.ExecuteAsync(admin, $"ALTER DATABASE {upgraded} RENAME TO {name}");
        }

        await store.ReconnectAsync(CancellationToken.None);
        Assert.Equal((34, 0), store.Statements.Version);
        Assert.True(store.KeepsReleasedLeases);
        var lease = Na("2001:db8:1::1");
        lease.PoolId = 3;
        lease.State = LeaseState.Released;
        await WriteAsync(store, (u, ct) => u.InsertAsync(lease, ct));
        AssertSame(lease, await store.GetAsync(lease.Address));
    }

    [PostgreSqlFact]
    public async Task Pages_follow_the_numeric_order_of_inet_addresses()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var addresses = new[] { "2001:db8:1::2", "2001:db8:1::10", "2001:db8:1::9", "2001:db8::1", "2001:db8:1::a", "3000::1", "::1" };
        await WriteAsync(store, [.. addresses.Select(a => (Func<ILeaseUnitOfWork, CancellationToken, ValueTask<LeaseWriteResult>>)((u, ct) => u.InsertAsync(Na(a), ct)))]);

        Assert.Equal(addresses.Select(Ipv6Address.Parse).Order().Select(a => a.ToString()), await PageThroughAsync(store));
        Assert.Equal(["::1", "2001:db8::1"], (await store.GetPageAsync(Ipv6Address.Any, 2)).Select(l => l.Address.ToString()));
    }

    [PostgreSqlFact]
    public async Task A_row_written_the_way_Kea_3_writes_it_reads_back_with_its_pool()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        await using (var insert = db.CreateCommand(
            "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, "
            + "fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context, pool_id) VALUES "
            + "(cast($1 as inet), '\\x000102'::bytea, 3600, to_timestamp($2), 1, 1800, 2, 5, 56, false, false, '', ''::bytea, 0, 0, 0, '', 7)"))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = "2001:db8:8:100::" });
            insert.Parameters.Add(new NpgsqlParameter { Value = (double)(Now + 3600) });
            await insert.ExecuteNonQueryAsync();
        }

        var lease = await store.GetAsync(Ipv6Address.Parse("2001:db8:8:100::"));
        Assert.NotNull(lease);
        Assert.Equal(LeaseType.PD, lease.Type);
        Assert.Equal(56, lease.PrefixLength);
        Assert.Equal(7u, lease.PoolId);
        Assert.Equal(Now, lease.Cltt);
    }

    [PostgreSqlFact]
    public async Task A_released_lease_is_kept_in_state_3_is_not_counted_by_Kea_and_is_reclaimed()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var lease = Na("2001:db8:1::77");
        lease.PoolId = 1;
        await WriteAsync(store, (u, ct) => u.InsertAsync(lease, ct));
        Assert.Equal(["1/0/0=1"], await RowsAsync(db, SubnetStatistics));
        Assert.Equal(["1/1/0/0=1"], await RowsAsync(db, PoolStatistics));

        // As a release keeps the lease with lease affinity: zero lifetimes, state 3.
        var released = lease.Clone();
        released.ValidLifetime = 0;
        released.PreferredLifetime = 0;
        released.Cltt = Now + 10;
        released.State = LeaseState.Released;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(lease, released, ct));

        AssertSame(released, await store.GetAsync(lease.Address));
        AssertAddresses([released], await store.GetByStateAsync(LeaseState.Released));
        await using (var state = db.CreateCommand("SELECT state FROM lease6"))
        {
            Assert.Equal(3L, await state.ExecuteScalarAsync());
        }

        // Kea counts states 0, 1 and 4 by subnet and 0 and 1 by pool: a released lease is in neither.
        Assert.Empty(await RowsAsync(db, SubnetStatistics));
        Assert.Empty(await RowsAsync(db, PoolStatistics));

        // With no lifetime left it is due for reclamation at once, and then no longer.
        AssertAddresses([released], await store.GetExpiredAsync(Now + 10, 0));
        var reclaimed = released.Clone();
        reclaimed.State = LeaseState.ExpiredReclaimed;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(released, reclaimed, ct));
        Assert.Empty(await store.GetExpiredAsync(Now + 10, 0));
    }

    [PostgreSqlFact]
    public async Task Kea_3_statistics_tables_count_by_subnet_and_by_pool_as_stat_lease6_get_reads_them()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        Lease6 InPool(Lease6 lease, uint pool, LeaseState state = LeaseState.Default)
        {
            lease.PoolId = pool;
            lease.State = state;
            return lease;
        }

        var a = InPool(Na("2001:db8:1::1", duid: [1]), 1);
        var b = InPool(Na("2001:db8:1::2", duid: [2]), 1);
        var declined = InPool(Na("2001:db8:1::8001", duid: [3]), 2);
        declined.Decline(3600, Now);
        var prefix = InPool(Pd("2001:db8:8::", 56, duid: [4]), 3);
        var other = Na("2001:db8:2::1", duid: [5], subnet: 2);
        var released = InPool(Na("2001:db8:1::3", duid: [6]), 1, LeaseState.Released);
        var reclaimed = InPool(Na("2001:db8:1::4", duid: [7]), 1, LeaseState.ExpiredReclaimed);
        var registered = InPool(Na("2001:db8:1::5", duid: [8]), 1, LeaseState.Registered);
        await WriteAsync(store, [.. new[] { a, b, declined, prefix, other, released, reclaimed, registered }
            .Select(l => (Func<ILeaseUnitOfWork, CancellationToken, ValueTask<LeaseWriteResult>>)((u, ct) => u.InsertAsync(l, ct)))]);

        // What Kea 3.x's stat-lease6-get reads (its all_lease6_stats and all_pool_lease6_stats statements).
        Assert.Equal(["1/0/0=2", "1/0/1=1", "1/0/4=1", "1/2/0=1", "2/0/0=1"], await RowsAsync(db, SubnetStatistics));
        Assert.Equal(["1/1/0/0=2", "1/2/0/1=1", "1/3/2/0=1", "2/0/0/0=1"], await RowsAsync(db, PoolStatistics));

        // A renewal into another pool (the pools were renumbered) and a delete: the counts follow.
        var moved = b.Clone();
        moved.PoolId = 2;
        moved.Cltt = Now + 100;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(b, moved, ct), (u, ct) => u.DeleteAsync(a, ct));
        Assert.Equal(["1/0/0=1", "1/0/1=1", "1/0/4=1", "1/2/0=1", "2/0/0=1"], await RowsAsync(db, SubnetStatistics));
        Assert.Equal(["1/2/0/0=1", "1/2/0/1=1", "1/3/2/0=1", "2/0/0/0=1"], await RowsAsync(db, PoolStatistics));
        AssertSame(moved, await store.GetAsync(moved.Address));
        await AssertStatisticsCountTheLeasesAsync(db);
    }

    [PostgreSqlFact]
    public async Task A_temporary_address_has_no_type_in_Kea_3s_schema_and_is_refused_with_a_clear_message()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var lease = Na("2001:db8:1::9");
        lease.Type = LeaseType.TA;
        await using var unit = store.BeginWork();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => unit.InsertAsync(lease).AsTask());
        Assert.Contains("lease type 1 (IA_TA) cannot be stored in Kea 3.x's PostgreSQL schema (34.0)", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Also Kea 3.x's per-pool table (states 0 and 1) against the rows.</summary>
    protected override async Task AssertStatisticsCountTheLeasesAsync(NpgsqlDataSource db)
    {
        await base.AssertStatisticsCountTheLeasesAsync(db);
        var counted = await RowsAsync(db,
            "SELECT subnet_id, pool_id, lease_type, state, count(*) FROM lease6 WHERE state IN (0, 1) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
        Assert.Equal(counted, await RowsAsync(db, PoolStatistics));
    }
}
