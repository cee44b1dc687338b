using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The lease store contract on a real PostgreSQL, and the rows as Kea writes them: every test here runs once per
/// Kea schema the store speaks (<see cref="PgSqlLeaseStoreOnKea22Tests"/>, <see cref="PgSqlLeaseStoreOnKea3Tests"/>),
/// each on a fresh database of that schema.
/// </summary>
public abstract class PgSqlLeaseStoreTests(PostgreSqlCluster cluster, PostgreSqlCluster.KeaSchema schema)
{
    protected const long Now = 1_764_000_000;

    protected PostgreSqlCluster Cluster => cluster;

    /// <summary>SQL that reads <c>lease6.address</c> as Kea's address text.</summary>
    protected abstract string AddressAsText { get; }

    /// <summary>Whether the schema has <c>lease6.pool_id</c>.</summary>
    protected abstract bool StoresPoolId { get; }

    /// <summary>The states Kea's triggers count in <c>lease6_stat</c>.</summary>
    protected abstract string CountedStates { get; }

    [PostgreSqlFact]
    public async Task Open_refuses_another_schema_version()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using (var db = cluster.DataSource(name))
        {
            await PostgreSqlCluster.ExecuteAsync(db, "UPDATE schema_version SET version = 35, minor = 0");
        }

        var e = await Assert.ThrowsAsync<LeaseDatabaseSchemaException>(() => PgSqlLeaseStore.OpenAsync(cluster.Settings(name), NullLogger.Instance));
        Assert.Contains("PostgreSQL schema version mismatch: need version: 13.0 or 29.0 or 30.0 or 31.0 or 32.0 or 33.0 or 34.0 found version: 35.0", e.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Insert_stores_every_column_as_Kea_does_and_reads_it_back()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var lease = Na("2001:db8:1::100", duid: [0, 1, 2, 3], iaid: 0xFFFFFFFE);
        lease.HardwareAddress = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
        lease.HardwareType = 1;
        lease.HardwareAddressSource = 2;
        lease.Hostname = "Host.Example.Com.";
        lease.FqdnForward = true;
        lease.UserContext = "{\"ISC\":{\"client-classes\":[\"a\"]}}";
        lease.PoolId = 5;
        var plain = Pd("2001:db8:8::", 56, duid: [9, 9], iaid: 7);
        await WriteAsync(store, (u, ct) => u.InsertAsync(lease, ct), (u, ct) => u.InsertAsync(plain, ct));

        AssertSame(lease, await store.GetAsync(lease.Address));
        AssertSame(plain, await store.GetAsync(plain.Address));

        // The rows as Kea reads them: canonical text address, signed IAID, expire = cltt + valid,
        // hwtype/source 0 and empty strings (not NULL) when there is nothing; Kea 3.x's pool_id.
        await using var command = db.CreateCommand(
            $"SELECT {AddressAsText}, iaid, extract(epoch from expire)::bigint, hwaddr, hwtype, hwaddr_source, hostname, user_context, prefix_len, "
            + (StoresPoolId ? "pool_id" : "0::bigint") + " FROM lease6 ORDER BY address");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("2001:db8:1::100", reader.GetString(0));
        Assert.Equal(-2, reader.GetInt32(1));
        Assert.Equal(Now + 4000, reader.GetInt64(2));
        Assert.Equal(1, reader.GetInt16(4));
        Assert.Equal(2, reader.GetInt16(5));
        Assert.Equal(StoresPoolId ? 5 : 0, reader.GetInt64(9));
        Assert.True(await reader.ReadAsync());
        Assert.Equal("2001:db8:8::", reader.GetString(0));
        Assert.Empty(reader.GetFieldValue<byte[]>(3));
        Assert.Equal(0, reader.GetInt16(4));
        Assert.Equal(0, reader.GetInt16(5));
        Assert.Equal(string.Empty, reader.GetString(6));
        Assert.Equal(string.Empty, reader.GetString(7));
        Assert.Equal(56, reader.GetInt16(8));
    }

    [PostgreSqlFact]
    public async Task Infinite_lifetime_is_stored_with_expire_equal_to_cltt_and_is_never_expired()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var lease = Na("2001:db8:1::5");
        lease.ValidLifetime = Lease6.InfiniteLifetime;
        lease.PreferredLifetime = Lease6.InfiniteLifetime;
        await WriteAsync(store, (u, ct) => u.InsertAsync(lease, ct));

        await using var command = db.CreateCommand("SELECT extract(epoch from expire)::bigint, valid_lifetime FROM lease6");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(Now, reader.GetInt64(0));
        Assert.Equal(4294967295L, reader.GetInt64(1));
        AssertSame(lease, await store.GetAsync(lease.Address));
        Assert.Empty(await store.GetExpiredAsync(Now + 1_000_000, 0));
    }

    [PostgreSqlFact]
    public async Task A_row_written_the_way_Kea_writes_it_reads_back()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        // Kea binds expire as a zone-less local time; the session's TimeZone turns it into the instant.
        var wall = KeaDatabaseTime.ToLocalWallClock(Now + 3600).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await PostgreSqlCluster.ExecuteAsync(db,
            "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, "
            + "fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context) VALUES "
            + $"('2001:db8:1::77', '\\x000102'::bytea, 3600, '{wall}'::timestamp, 1, 1800, 0, -1, 128, false, false, '', "
            + "''::bytea, 0, 0, 0, '')");

        var lease = await store.GetAsync(Ipv6Address.Parse("2001:db8:1::77"));
        Assert.NotNull(lease);
        Assert.Equal(Now, lease.Cltt);
        Assert.Equal(0xFFFFFFFFu, lease.Iaid);
        Assert.Equal([0, 1, 2], lease.Duid);
        Assert.Null(lease.HardwareAddress);
        Assert.Null(lease.UserContext);
        Assert.Equal(string.Empty, lease.Hostname);
    }

    [PostgreSqlFact]
    public async Task Insert_of_a_taken_address_is_a_conflict_and_the_database_arbitrates_between_servers()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;

        // Another server's transaction holds its insert of the address; this store's insert waits for it, then loses.
        await using (var other = await HoldInsertInATransactionAsync(store, db, Na("2001:db8:1::1", duid: [1])))
        {
            await using var unit = store.BeginWork();
            var racing = unit.InsertAsync(Na("2001:db8:1::1", duid: [2])).AsTask();
            await WaitForALockWaitAsync(db, racing);
            Assert.False(racing.IsCompleted);
            await other.CommitAsync();
            Assert.Equal(LeaseWriteResult.Conflict, await racing);
        }

        Assert.Equal([1], (await store.GetAsync(Ipv6Address.Parse("2001:db8:1::1")))!.Duid);
        await using var again = store.BeginWork();
        Assert.Equal(LeaseWriteResult.Conflict, await again.InsertAsync(Na("2001:db8:1::1", duid: [3])));
    }

    [PostgreSqlFact]
    public async Task Update_and_delete_are_conditional_on_the_version_read()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        await WriteAsync(store, (u, ct) => u.InsertAsync(Na("2001:db8:1::1"), ct));
        var read = (await store.GetAsync(Ipv6Address.Parse("2001:db8:1::1")))!;

        // Another server renews it first.
        var renewed = read.Clone();
        renewed.Cltt = Now + 100;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(read, renewed, ct));
        AssertSame(renewed, await store.GetAsync(read.Address));

        var stale = read.Clone();
        stale.Hostname = "late";
        await using (var unit = store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Conflict, await unit.UpdateAsync(read, stale));
            Assert.Equal(LeaseWriteResult.Conflict, await unit.DeleteAsync(read));
            var missing = Na("2001:db8:1::99");
            Assert.Equal(LeaseWriteResult.NotFound, await unit.UpdateAsync(missing, missing));
            Assert.Equal(LeaseWriteResult.NotFound, await unit.DeleteAsync(missing));

            // Same expire but another state (reclaimed by someone else) is another version too.
            var reclaimed = renewed.Clone();
            reclaimed.State = LeaseState.ExpiredReclaimed;
            Assert.Equal(LeaseWriteResult.Written, await unit.UpdateAsync(renewed, reclaimed));
            Assert.Equal(LeaseWriteResult.Conflict, await unit.DeleteAsync(renewed));
            Assert.Equal(LeaseWriteResult.Written, await unit.DeleteAsync(reclaimed));
            await unit.CommitAsync();
        }

        Assert.Null(await store.GetAsync(read.Address));
    }

    [PostgreSqlFact]
    public async Task A_write_is_committed_when_it_returns_and_abandoning_the_unit_leaves_it_as_in_Kea()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        await using (var unit = store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(Na("2001:db8:1::1")));
            Assert.NotNull(await store.GetAsync(Ipv6Address.Parse("2001:db8:1::1")));
            Assert.False(await unit.AbandonAsync());
        }

        await using (var unit = store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(Na("2001:db8:1::2")));
        }

        Assert.Equal(2, (await store.GetAllAsync()).Count);
    }

    [PostgreSqlFact]
    public async Task A_transaction_unit_writes_all_or_nothing_and_its_writes_are_invisible_until_commit()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        await using (var unit = store.BeginTransaction())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(Na("2001:db8:1::1", duid: [1])));
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(Na("2001:db8:1::2", duid: [2])));
            Assert.Null(await store.GetAsync(Ipv6Address.Parse("2001:db8:1::1")));
            Assert.True(await unit.AbandonAsync());
        }

        Assert.Empty(await store.GetAllAsync());
        await using (var unit = store.BeginTransaction())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(Na("2001:db8:1::3", duid: [3])));
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(Na("2001:db8:1::4", duid: [4])));
            await unit.CommitAsync();
        }

        Assert.Equal(2, (await store.GetAllAsync()).Count);
        await AssertStatisticsCountTheLeasesAsync(db);
    }

    [PostgreSqlFact]
    public async Task A_write_does_not_hold_the_statistics_row_once_it_returns()
    {
        // Every lease write locks the lease6_stat row of its subnet, type and state until it commits, so the writes
        // of all servers pass that row one at a time. A unit that kept its transaction open until the packet ended
        // held the row across the packet's other work and bounded every server at a few hundred leases per second.
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        await using var first = store.BeginWork();
        Assert.Equal(LeaseWriteResult.Written, await first.InsertAsync(Na("2001:db8:1::1", duid: [1])));

        await using var connection = await db.OpenConnectionAsync();
        await using (var timeout = new NpgsqlCommand("SET lock_timeout = '30s'", connection))
        {
            await timeout.ExecuteNonQueryAsync();
        }

        await using var other = await connection.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(store.Statements.Insert, connection, other);
        store.Statements.AddValues(insert.Parameters, Na("2001:db8:1::2", duid: [2]));
        await insert.ExecuteNonQueryAsync();
        await using var locked = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE NOT granted", connection, other);
        Assert.Equal(0L, await locked.ExecuteScalarAsync());
        await other.CommitAsync();
        await first.CommitAsync();
        await AssertStatisticsCountTheLeasesAsync(db);
    }

    [PostgreSqlFact]
    public async Task Queries_find_leases_by_client_duid_hardware_address_hostname_subnet_and_state()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var a = Na("2001:db8:1::1", duid: [1, 1], iaid: 1);
        a.Hostname = "Alpha.Example.";
        a.HardwareAddress = [0xaa, 0xbb];
        a.HardwareType = 1;
        var b = Pd("2001:db8:8::", 56, duid: [1, 1], iaid: 1);
        var c = Na("2001:db8:2::1", duid: [2, 2], iaid: 1, subnet: 2);
        c.Decline(3600, Now);
        await WriteAsync(store, (u, ct) => u.InsertAsync(a, ct), (u, ct) => u.InsertAsync(b, ct), (u, ct) => u.InsertAsync(c, ct));

        AssertAddresses([a], await store.GetByClientAsync(new byte[] { 1, 1 }, 1, LeaseType.NA));
        AssertAddresses([b], await store.GetByClientAsync(new byte[] { 1, 1 }, 1, LeaseType.PD));
        Assert.Empty(await store.GetByClientAsync(new byte[] { 1, 1 }, 2, LeaseType.NA));
        AssertAddresses([a, b], await store.GetByDuidAsync(new byte[] { 1, 1 }));
        AssertAddresses([a], await store.GetByHardwareAddressAsync(new byte[] { 0xaa, 0xbb }));
        Assert.Empty(await store.GetByHardwareAddressAsync(Array.Empty<byte>()));
        AssertAddresses([a], await store.GetByHostnameAsync("alpha.EXAMPLE."));
        AssertAddresses([a, b], await store.GetBySubnetAsync(1));
        AssertAddresses([c], await store.GetBySubnetAsync(2));
        AssertAddresses([c], await store.GetByStateAsync(LeaseState.Declined));
        AssertAddresses([a, b], await store.GetByStateAsync(LeaseState.Default));
        AssertAddresses([a, b, c], await store.GetAllAsync());
        AssertSame(c, await store.GetAsync(c.Address));
    }

    [PostgreSqlFact]
    public async Task Expired_batch_is_oldest_first_limited_and_skips_reclaimed_ones()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var leases = Enumerable.Range(1, 5).Select(i =>
        {
            var lease = Na($"2001:db8:1::{i}");
            lease.Cltt = Now - (i * 100);
            lease.ValidLifetime = 50;
            return lease;
        }).ToList();
        leases[4].State = LeaseState.ExpiredReclaimed;
        var live = Na("2001:db8:1::99");
        await WriteAsync(store, [.. leases.Select(l => (Func<ILeaseUnitOfWork, CancellationToken, ValueTask<LeaseWriteResult>>)((u, ct) => u.InsertAsync(l, ct))),
            (u, ct) => u.InsertAsync(live, ct)]);

        AssertAddresses([leases[3], leases[2], leases[1], leases[0]], await store.GetExpiredAsync(Now, 0), ordered: true);
        AssertAddresses([leases[3], leases[2]], await store.GetExpiredAsync(Now, 2), ordered: true);
        // Expire exactly now counts as expired, as in the memfile store.
        AssertAddresses([leases[3]], await store.GetExpiredAsync(leases[3].Expire, 0));

        await using (var unit = store.BeginWork())
        {
            AssertAddresses([], await unit.DeleteExpiredReclaimedAsync(leases[4].Expire));
            AssertAddresses([leases[4]], await unit.DeleteExpiredReclaimedAsync(leases[4].Expire + 1));
            await unit.CommitAsync();
        }

        Assert.Null(await store.GetAsync(leases[4].Address));
    }

    [PostgreSqlFact]
    public async Task Counts_group_by_subnet_type_and_state_and_by_address_range()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var declined = Na("2001:db8:1::3");
        declined.Decline(3600, Now);
        await WriteAsync(store,
            (u, ct) => u.InsertAsync(Na("2001:db8:1::1"), ct),
            (u, ct) => u.InsertAsync(Na("2001:db8:1::2"), ct),
            (u, ct) => u.InsertAsync(declined, ct),
            (u, ct) => u.InsertAsync(Pd("2001:db8:8::", 56), ct),
            (u, ct) => u.InsertAsync(Na("2001:db8:2::1", subnet: 2), ct));

        Assert.Equal(
            [new LeaseCount(1, LeaseType.NA, LeaseState.Default, 2), new LeaseCount(1, LeaseType.NA, LeaseState.Declined, 1),
             new LeaseCount(1, LeaseType.PD, LeaseState.Default, 1), new LeaseCount(2, LeaseType.NA, LeaseState.Default, 1)],
            Sorted(await store.CountAsync(null)));
        Assert.Equal([new LeaseCount(2, LeaseType.NA, LeaseState.Default, 1)], Sorted(await store.CountAsync(2)));
        Assert.Equal(
            [new LeaseCount(1, LeaseType.NA, LeaseState.Default, 1), new LeaseCount(1, LeaseType.NA, LeaseState.Declined, 1)],
            Sorted(await store.CountRangeAsync(Ipv6Address.Parse("2001:db8:1::2"), Ipv6Address.Parse("2001:db8:1::ff"))));

        // Kea's triggers keep its statistics tables from our writes too.
        await using var command = db.CreateCommand("SELECT leases FROM lease6_stat WHERE subnet_id = 1 AND lease_type = 0 AND state = 0");
        Assert.Equal(2L, await command.ExecuteScalarAsync());
        await AssertStatisticsCountTheLeasesAsync(db);
    }

    [PostgreSqlFact]
    public async Task Lease_statistics_are_keas_lease6_stat_rows_of_the_subnet_range()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var declined = Na("2001:db8:1::3");
        declined.Decline(3600, Now);
        await WriteAsync(store,
            (u, ct) => u.InsertAsync(Na("2001:db8:1::1"), ct),
            (u, ct) => u.InsertAsync(Na("2001:db8:1::2"), ct),
            (u, ct) => u.InsertAsync(declined, ct),
            (u, ct) => u.InsertAsync(Pd("2001:db8:8::", 56), ct),
            (u, ct) => u.InsertAsync(Na("2001:db8:2::1", subnet: 2), ct),
            (u, ct) => u.InsertAsync(Na("2001:db8:3::1", subnet: 3), ct));

        Assert.Equal(
            [new LeaseCount(1, LeaseType.NA, LeaseState.Default, 2), new LeaseCount(1, LeaseType.NA, LeaseState.Declined, 1),
             new LeaseCount(1, LeaseType.PD, LeaseState.Default, 1), new LeaseCount(2, LeaseType.NA, LeaseState.Default, 1)],
            await store.GetLeaseStatisticsAsync(1, 2));

        // What the table says is what is reported, as in Kea: an operator who sees a wrong count sees the table's.
        await using (var edit = db.CreateCommand("UPDATE lease6_stat SET leases = 41 WHERE subnet_id = 3 AND lease_type = 0 AND state = 0"))
        {
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }

        Assert.Equal([new LeaseCount(3, LeaseType.NA, LeaseState.Default, 41)], await store.GetLeaseStatisticsAsync(3, 3));
        Assert.Empty(await store.GetLeaseStatisticsAsync(4, 100));
    }

    [PostgreSqlFact]
    public async Task Concurrent_workers_never_both_get_one_address()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        const int workers = 8;
        const int addresses = 40;

        // Every worker tries every address, in its own order, one transaction per insert (as one packet each).
        var won = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = new List<int>();
            foreach (var i in Enumerable.Range(0, addresses).Select(i => (i * 7 + w * 13) % addresses))
            {
                await using var unit = store.BeginWork();
                if (await unit.InsertAsync(Na($"2001:db8:1::{i + 1:x}", duid: [(byte)w])) == LeaseWriteResult.Written)
                {
                    mine.Add(i);
                }

                await unit.CommitAsync();
            }

            return mine;
        })));

        var all = won.SelectMany(m => m).ToList();
        Assert.Equal(addresses, all.Count);
        Assert.Equal(addresses, all.Distinct().Count());
        var stored = await store.GetAllAsync();
        Assert.Equal(addresses, stored.Count);
        foreach (var lease in stored)
        {
            var index = (int)(lease.Address.Value & 0xffff) - 1;
            Assert.Contains(index, won[lease.Duid[0]]);
        }
    }

    [PostgreSqlFact]
    public async Task A_write_racing_another_server_for_the_first_lease_of_a_kind_is_written_and_counted()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;

        // Another server's transaction has added the (subnet 1, NA, default) statistics row by its trigger and not
        // committed; this store's insert finds no row to update, inserts one too and waits on that key. When the
        // other commits, the write fails on the statistics key and is run again.
        await using (var other = await HoldInsertInATransactionAsync(store, db, Na("2001:db8:1::1", duid: [1])))
        {
            await using var unit = store.BeginWork();
            var racing = unit.InsertAsync(Na("2001:db8:1::2", duid: [2])).AsTask();
            await WaitForALockWaitAsync(db, racing);
            await other.CommitAsync();
            Assert.Equal(LeaseWriteResult.Written, await racing);
        }

        // The same race through an update: both leases become the first declined ones of the subnet.
        var leases = (await store.GetAllAsync()).OrderBy(l => l.Address.ToString(), StringComparer.Ordinal).ToList();
        await using (var connection = await db.OpenConnectionAsync())
        await using (var other = await connection.BeginTransactionAsync())
        {
            await using var decline = new NpgsqlCommand("UPDATE lease6 SET state = 1 WHERE duid = $1", connection, other);
            decline.Parameters.Add(new NpgsqlParameter { Value = leases[0].Duid });
            Assert.Equal(1, await decline.ExecuteNonQueryAsync());
            await using var unit = store.BeginWork();
            var racing = unit.UpdateAsync(leases[1], Declined(leases[1])).AsTask();
            await WaitForALockWaitAsync(db, racing);
            await other.CommitAsync();
            Assert.Equal(LeaseWriteResult.Written, await racing);
        }

        await AssertStatisticsCountTheLeasesAsync(db);
    }

    [PostgreSqlFact]
    public async Task Concurrent_first_leases_of_many_kinds_are_all_written_and_counted()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        using var store = await PgSqlLeaseStore.OpenAsync(cluster.Settings(name) with { MaxPoolSize = 40 }, NullLogger.Instance);
        await using var db = cluster.DataSource(name);
        const int rounds = 5;
        const int writers = 32;
        const int kinds = 8; // 4 subnets x (NA, PD), new subnets each round: each round races for the first rows

        for (var round = 0; round < rounds; round++)
        {
            using var start = new ManualResetEventSlim();
            var writes = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                var subnet = (uint)(round * 4 + (w % kinds) / 2 + 1);
                var lease = w % 2 == 0
                    ? Na($"2001:db8:{subnet:x}::{w + 1:x}", duid: [(byte)w], subnet: subnet)
                    : Pd($"2001:db8:{subnet:x}:{w + 1:x}00::", 56, duid: [(byte)w], subnet: subnet);
                start.Wait(TimeSpan.FromMinutes(1));
                await using var unit = store.BeginWork();
                var result = await unit.InsertAsync(lease);
                await unit.CommitAsync();
                return result;
            })).ToList();
            start.Set();
            Assert.All(await Task.WhenAll(writes), r => Assert.Equal(LeaseWriteResult.Written, r));
        }

        Assert.Equal(rounds * writers, (await store.GetAllAsync()).Count);
        await AssertStatisticsCountTheLeasesAsync(db);
    }

    [PostgreSqlFact]
    public async Task A_refused_connection_for_too_many_connections_fails_that_write_only_and_the_pool_waits_within_its_size()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var admin = cluster.AdminDataSource("postgres");
        await PostgreSqlCluster.ExecuteAsync(admin, $"ALTER DATABASE {name} CONNECTION LIMIT 2");
        using var store = await PgSqlLeaseStore.OpenAsync(cluster.Settings(name) with { MaxPoolSize = 4 }, NullLogger.Instance);
        var lost = 0;
        store.ConnectionLost += _ => Interlocked.Increment(ref lost);

        // Another client takes the second connection the database allows. The store's pooled connection, opened at
        // start, is busy (held here as another packet's statement would hold it), so a write needs a new one and is
        // refused (53300). That write fails, the database is not taken as lost, and it succeeds once a connection
        // is free.
        await using (var other = cluster.DataSource(name))
        {
            await using var otherConnection = await other.OpenConnectionAsync();
            await using (var busy = await store.DataSource.OpenConnectionAsync())
            {
                await using var refusedWork = store.BeginWork();
                var refused = await Assert.ThrowsAsync<PostgresException>(() => refusedWork.InsertAsync(Na("2001:db8:1::101", duid: [2])).AsTask());
                Assert.Equal(PostgresErrorCodes.TooManyConnections, refused.SqlState);
            }

            await WriteAsync(store, (u, ct) => u.InsertAsync(Na("2001:db8:1::100", duid: [1]), ct));
        }

        Assert.Equal(0, Volatile.Read(ref lost));
        await WaitForBackendsAsync(admin, name, atMost: 1);

        // More writers than the pool's size wait for a pooled connection, and all succeed (with room in the
        // database for the whole pool: refusals past the few retries are the part above).
        await PostgreSqlCluster.ExecuteAsync(admin, $"ALTER DATABASE {name} CONNECTION LIMIT -1");
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            await using var unit = store.BeginWork();
            var result = await unit.InsertAsync(Na($"2001:db8:1::{i + 1:x}", duid: [(byte)i]));
            await unit.CommitAsync();
            return result;
        })));
        Assert.All(results, r => Assert.Equal(LeaseWriteResult.Written, r));
        Assert.Equal(0, Volatile.Read(ref lost));
        Assert.Equal(13, (await store.GetAllAsync()).Count);
    }

    [PostgreSqlFact]
    public async Task On_a_packet_workers_thread_every_packet_operation_completes_on_that_thread()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var lease = Na("2001:db8:1::7", duid: [7, 7], iaid: 9);
        lease.UserContext = """{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1", "relay-id": "0a0b", "remote-id": "0102" } ] } }""";
        var renewed = lease.Clone();
        renewed.Cltt = Now + 60;
        renewed.UserContext = """{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1", "relay-id": "0a0b", "remote-id": "0304" } ] } }""";
        var stale = lease.Clone();
        stale.Hostname = "stale";
        store.ExtendedInfoTablesEnabled = true;

        // Every call returns a completed ValueTask: the statement ran (and its connection went back to the pool) on
        // the calling thread, so a packet does not move to the thread pool on a database round trip.
        PacketWorkerThread.Run(() =>
        {
            var unit = store.BeginWork();
            Assert.Equal(LeaseWriteResult.Written, PacketWorkerThread.Completed(unit.InsertAsync(lease)));
            Assert.Equal(LeaseWriteResult.Conflict, PacketWorkerThread.Completed(unit.InsertAsync(Na("2001:db8:1::7", duid: [8]))));
            AssertSame(lease, PacketWorkerThread.Completed(store.GetAsync(lease.Address)));
            Assert.Equal(lease.Address, Assert.Single(PacketWorkerThread.Completed(store.GetByClientAsync(lease.Duid, lease.Iaid, LeaseType.NA))).Address);
            Assert.Equal(LeaseWriteResult.Written, PacketWorkerThread.Completed(unit.UpdateAsync(lease, renewed)));
            Assert.Equal(LeaseWriteResult.Conflict, PacketWorkerThread.Completed(unit.UpdateAsync(lease, stale)));
            Assert.Equal(LeaseWriteResult.Written, PacketWorkerThread.Completed(unit.DeleteAsync(renewed)));
            Assert.Equal(LeaseWriteResult.NotFound, PacketWorkerThread.Completed(unit.DeleteAsync(renewed)));
            Assert.True(unit.CommitAsync().IsCompleted);
            Assert.True(unit.DisposeAsync().IsCompleted);
            Assert.Empty(PacketWorkerThread.Completed(store.GetAllAsync()));
        });

        // What the worker wrote is what anyone else reads; the same calls off a worker's thread are asynchronous
        // (on the other pool) and agree.
        Assert.Null(await store.GetAsync(lease.Address));
        await WriteAsync(store, (u, ct) => u.InsertAsync(lease, ct));
        PacketWorkerThread.Run(() => AssertSame(lease, PacketWorkerThread.Completed(store.GetAsync(lease.Address))));
    }

    [PostgreSqlFact]
    public async Task A_wait_for_a_pooled_connection_that_times_out_while_all_are_busy_is_not_a_lost_database()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        using var store = await PgSqlLeaseStore.OpenAsync(cluster.Settings(name) with { MaxPoolSize = 1, ConnectTimeoutSeconds = 1 }, NullLogger.Instance);
        var lost = 0;
        store.ConnectionLost += _ => Interlocked.Increment(ref lost);
        await WriteAsync(store, (u, ct) => u.InsertAsync(Na("2001:db8:1::1", duid: [1]), ct));
        await using (var busy = await store.DataSource.OpenConnectionAsync())
        {
            await using var waiting = store.BeginWork();
            await Assert.ThrowsAsync<PgSqlPoolExhaustedException>(() => waiting.InsertAsync(Na("2001:db8:1::2", duid: [2])).AsTask());
        }

        Assert.Equal(0, Volatile.Read(ref lost));
        await WriteAsync(store, (u, ct) => u.InsertAsync(Na("2001:db8:1::2", duid: [2]), ct));
    }

    [PostgreSqlFact]
    public async Task Statements_are_prepared_on_their_pooled_connection()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        await using var connection = await store.DataSource.OpenConnectionAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var query = new NpgsqlCommand("SELECT duid FROM lease6 WHERE duid = $1", connection);
            query.Parameters.Add(new NpgsqlParameter { Value = new byte[] { 1, 2 } });
            await query.ExecuteScalarAsync();
        }

        await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM lease6 WHERE duid%'", connection);
        Assert.Equal(1L, await prepared.ExecuteScalarAsync());
    }

    private static IEnumerable<LeaseCount> Sorted(IReadOnlyList<LeaseCount> counts) =>
        counts.OrderBy(c => c.SubnetId).ThenBy(c => c.Type).ThenBy(c => c.State);

    private static Lease6 Declined(Lease6 lease)
    {
        var declined = lease.Clone();
        declined.State = LeaseState.Declined;
        return declined;
    }

    /// <summary>Waits (bounded) until a backend of this database waits for a lock, i.e. <paramref name="racing"/> is blocked.</summary>
    /// <summary>Another server's insert of <paramref name="lease"/>, in a transaction left open: it holds the address and its statistics row.</summary>
    private static async Task<HeldTransaction> HoldInsertInATransactionAsync(PgSqlLeaseStore store, NpgsqlDataSource db, Lease6 lease)
    {
        var connection = await db.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(store.Statements.Insert, connection, transaction);
        store.Statements.AddValues(insert.Parameters, lease);
        Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        return new HeldTransaction(connection, transaction);
    }

    private sealed class HeldTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private static async Task WaitForALockWaitAsync(NpgsqlDataSource db, Task racing)
    {
        for (var i = 0; i < 600 && !racing.IsCompleted; i++)
        {
            await using var command = db.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the second transaction neither waited for the first nor finished");
    }

    /// <summary>Waits (bounded) until database <paramref name="name"/> has at most <paramref name="atMost"/> backends.</summary>
    private static async Task WaitForBackendsAsync(NpgsqlDataSource admin, string name, int atMost)
    {
        for (var i = 0; i < 600; i++)
        {
            await using var command = admin.CreateCommand($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'");
            if ((long)(await command.ExecuteScalarAsync())! <= atMost)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"database {name} kept more than {atMost} backends");
    }

    /// <summary>Kea's triggers count leases in some states (<see cref="CountedStates"/>); the counts must equal the rows.</summary>
    protected virtual async Task AssertStatisticsCountTheLeasesAsync(NpgsqlDataSource db)
    {
        var counted = await RowsAsync(db, $"SELECT subnet_id, lease_type, state, count(*) FROM lease6 WHERE state IN ({CountedStates}) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        var statistics = await RowsAsync(db, "SELECT subnet_id, lease_type, state, leases FROM lease6_stat WHERE leases > 0 ORDER BY 1, 2, 3");
        Assert.NotEmpty(counted);
        Assert.Equal(counted, statistics);
    }

    /// <summary>The rows of a query whose columns are all integers, each row as "a/b/c=d".</summary>
    protected static Task<List<string>> RowsAsync(NpgsqlDataSource db, string sql) => PostgreSqlCluster.IntegerRowsAsync(db, sql);

    /// <summary>Every lease's address, page by page (pages of 3), in the order the pages give them.</summary>
    private protected static async Task<List<string>> PageThroughAsync(PgSqlLeaseStore store)
    {
        var seen = new List<string>();
        Ipv6Address? after = null;
        while (true)
        {
            var page = await store.GetPageAsync(after, 3);
            if (page.Count == 0)
            {
                return seen;
            }

            Assert.True(page.Count <= 3);
            seen.AddRange(page.Select(l => l.Address.ToString()));
            after = page[^1].Address;
        }
    }

    [PostgreSqlFact]
    public async Task Extended_info_tables_follow_a_leases_relay_information_while_enabled()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        static string Context(string remoteId) =>
            $$"""{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1", "relay-id": "0a0b", "remote-id": "{{remoteId}}" } ] } }""";

        var lease = Na("2001:db8:1::77");
        lease.UserContext = Context("010203");
        store.ExtendedInfoTablesEnabled = true;
        await WriteAsync(store, (u, ct) => u.InsertAsync(lease, ct));
        if (!store.HasExtendedInfoTables)
        {
            // Kea 2.2's schema has no such tables: the switch changes nothing and the lease is written.
            Assert.Equal((13, 0), store.Statements.Version);
            Assert.Equal(lease.UserContext, (await store.GetAsync(lease.Address))!.UserContext);
            return;
        }

        async Task<string> Rows() => string.Join(" ", [
            .. await ColumnAsync(db, "SELECT 'relay:' || encode(relay_id, 'hex') || '@' || host(lease_addr) FROM lease6_relay_id ORDER BY 1"),
            .. await ColumnAsync(db, "SELECT 'remote:' || encode(remote_id, 'hex') || '@' || host(lease_addr) FROM lease6_remote_id ORDER BY 1")]);

        Assert.Equal("relay:0a0b@2001:db8:1::77 remote:010203@2001:db8:1::77", await Rows());

        // New relay information replaces the rows; a renewal that keeps it leaves them alone.
        var renewed = lease.Clone();
        renewed.UserContext = Context("0405");
        await WriteAsync(store, (u, ct) => u.UpdateAsync(lease, renewed, ct));
        Assert.Equal("relay:0a0b@2001:db8:1::77 remote:0405@2001:db8:1::77", await Rows());
        var again = renewed.Clone();
        again.Cltt += 10;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(renewed, again, ct));
        Assert.Equal("relay:0a0b@2001:db8:1::77 remote:0405@2001:db8:1::77", await Rows());

        // Losing the user context (reclamation) removes them.
        var reclaimed = again.Clone();
        reclaimed.UserContext = null;
        reclaimed.State = LeaseState.ExpiredReclaimed;
        await WriteAsync(store, (u, ct) => u.UpdateAsync(again, reclaimed, ct));
        Assert.Equal("", await Rows());

        // Off: nothing is written; on again, deleting the lease removes its rows (Kea's cascading key).
        store.ExtendedInfoTablesEnabled = false;
        var other = Na("2001:db8:1::78", iaid: 2);
        other.UserContext = Context("99");
        await WriteAsync(store, (u, ct) => u.InsertAsync(other, ct));
        Assert.Equal("", await Rows());
        store.ExtendedInfoTablesEnabled = true;
        Assert.True(await store.AddExtendedInfoAsync(other));
        Assert.Equal("relay:0a0b@2001:db8:1::78 remote:99@2001:db8:1::78", await Rows());
        await WriteAsync(store, (u, ct) => u.DeleteAsync(other, ct));
        Assert.Equal("", await Rows());
    }

    private protected static async Task<List<string>> ColumnAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private protected async Task<(PgSqlLeaseStore Store, NpgsqlDataSource Db)> OpenAsync()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        return (await PgSqlLeaseStore.OpenAsync(cluster.Settings(name), NullLogger.Instance), cluster.DataSource(name));
    }

    private protected static async Task WriteAsync(ILeaseStore store, params Func<ILeaseUnitOfWork, CancellationToken, ValueTask<LeaseWriteResult>>[] writes)
    {
        await using var unit = store.BeginWork();
        foreach (var write in writes)
        {
            Assert.Equal(LeaseWriteResult.Written, await write(unit, CancellationToken.None));
        }

        await unit.CommitAsync();
    }

    private protected static Lease6 Na(string address, byte[]? duid = null, uint iaid = 1, uint subnet = 1) => new()
    {
        Address = Ipv6Address.Parse(address),
        Type = LeaseType.NA,
        Duid = duid ?? [0, 1, 0, 1, 0xde, 0xad],
        Iaid = iaid,
        PreferredLifetime = 3000,
        ValidLifetime = 4000,
        Cltt = Now,
        SubnetId = subnet,
    };

    private protected static Lease6 Pd(string prefix, byte length, byte[]? duid = null, uint iaid = 1, uint subnet = 1)
    {
        var lease = Na(prefix, duid, iaid, subnet);
        lease.Type = LeaseType.PD;
        lease.PrefixLength = length;
        return lease;
    }

    private protected void AssertSame(Lease6 expected, Lease6? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.ToString(), actual.ToString());
        Assert.True(expected.IsSameVersion(actual));
        Assert.Equal(expected.PreferredLifetime, actual.PreferredLifetime);
        Assert.Equal(expected.SubnetId, actual.SubnetId);
        Assert.Equal(expected.FqdnForward, actual.FqdnForward);
        Assert.Equal(expected.FqdnReverse, actual.FqdnReverse);
        Assert.Equal(expected.Hostname, actual.Hostname);
        Assert.Equal(expected.HardwareAddress, actual.HardwareAddress);
        Assert.Equal(expected.HardwareAddress is null ? 0 : expected.HardwareType, actual.HardwareType);
        Assert.Equal(expected.HardwareAddress is null ? 0u : expected.HardwareAddressSource, actual.HardwareAddressSource);
        Assert.Equal(expected.UserContext, actual.UserContext);
        Assert.Equal(StoresPoolId ? expected.PoolId : 0, actual.PoolId);
    }

    private protected static void AssertAddresses(IEnumerable<Lease6> expected, IReadOnlyList<Lease6> actual, bool ordered = false)
    {
        var want = expected.Select(l => l.Address).ToList();
        var got = actual.Select(l => l.Address).ToList();
        if (!ordered)
        {
            want.Sort();
            got.Sort();
        }

        Assert.Equal(want, got);
    }
}
