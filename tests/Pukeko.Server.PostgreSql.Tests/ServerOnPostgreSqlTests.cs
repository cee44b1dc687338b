using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>A real <see cref="Dhcp6Server"/> configured with <c>"type": "postgresql"</c>, opening the store the daemon opens.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class ServerOnPostgreSqlTests(PostgreSqlCluster cluster) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("pukeko-pg-server-");

    [PostgreSqlFact]
    public async Task Server_serves_from_the_PostgreSQL_lease_database_named_in_its_configuration()
    {
        var name = await cluster.CreateDatabaseAsync();
        await using (var db = cluster.DataSource(name))
        {
            // A lease another server (Kea, say) wrote before this one started.
            await PostgreSqlCluster.ExecuteAsync(db,
                "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, "
                + "fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context) VALUES "
                + "('2001:db8:1::42', '\\x0102'::bytea, 4000, now() + interval '1 hour', 1, 3000, 0, 1, 128, false, false, '', "
                + "''::bytea, 0, 0, 0, '')");
        }

        await using var server = NewServer(name);
        await server.StartAsync();

        var store = Assert.IsType<PgSqlLeaseStore>(server.Leases);
        var lease = await store.GetAsync(Ipv6Address.Parse("2001:db8:1::42"));
        Assert.Equal([1, 2], lease!.Duid);
    }

    [PostgreSqlFact]
    public async Task Server_refuses_to_start_on_a_database_without_Kea_schema()
    {
        var name = await cluster.CreateDatabaseAsync(withSchema: false);
        await using var server = NewServer(name);
        var e = await Assert.ThrowsAsync<LeaseDatabaseSchemaException>(() => server.StartAsync());
        Assert.Contains("kea-admin db-init pgsql", e.Message, StringComparison.Ordinal);
        Assert.Null(server.Leases);
    }

    [PostgreSqlFact]
    public async Task Server_on_Kea_3s_schema_writes_the_pool_id_and_keeps_a_released_lease_in_state_3()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        await using var client = new LoopbackDhcpClient();
        // Lease affinity (both non-zero), and no reclamation run during the test.
        await using var server = NewServer(name, client.Port,
            "\"expired-leases-processing\": { \"flush-reclaimed-timer-wait-time\": 25, \"hold-reclaimed-time\": 3600, \"reclaim-timer-wait-time\": 3600 },");
        await server.StartAsync();
        Assert.Equal((34, 0), Assert.IsType<PgSqlLeaseStore>(server.Leases).Statements.Version);
        await using var db = cluster.DataSource(name);

        var duid = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x51]);
        var granted = await client.RequestAsync(server, duid);
        Assert.NotNull(granted.Address);
        Assert.Equal([$"{granted.Address}/7/0/True"], await RowsAsync(db, "SELECT host(address), pool_id, state, valid_lifetime > 0 FROM lease6"));
        Assert.Equal(["1/7/0/0/1"], await RowsAsync(db, "SELECT subnet_id, pool_id, lease_type, state, leases FROM lease6_pool_stat WHERE leases > 0"));

        Assert.NotNull((await client.ReleaseAsync(server, duid, granted)).Reply);
        Assert.Equal([$"{granted.Address}/7/3/0"], await RowsAsync(db, "SELECT host(address), pool_id, state, valid_lifetime FROM lease6"));
        // Kea's triggers count neither a released lease by subnet nor by pool.
        Assert.Empty(await RowsAsync(db, "SELECT subnet_id, lease_type, state, leases FROM lease6_stat WHERE leases > 0"));
        Assert.Empty(await RowsAsync(db, "SELECT subnet_id, pool_id, lease_type, state, leases FROM lease6_pool_stat WHERE leases > 0"));
    }

    [PostgreSqlFact]
    public async Task A_new_lease_is_inserted_without_a_read_first_and_still_takes_over_an_expired_lease_and_skips_a_held_one()
    {
        // The pool's two addresses: ::1 held by an expired (not yet reclaimed) lease, ::2 by another client's valid
        // one, both written as Kea writes them (whole seconds). The store is a database, so the engine inserts first; the insert of ::1 finds it taken, reads it, and
        // takes the expired lease over; ::2 is never given.
        var name = await cluster.CreateDatabaseAsync();
        await using var db = cluster.DataSource(name);
        const string Columns = "address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, "
            + "fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context";
        await PostgreSqlCluster.ExecuteAsync(db,
            $"INSERT INTO lease6 ({Columns}) VALUES ('2001:db8:1::1', '\\x0909'::bytea, 4000, date_trunc('second', now()) - interval '1 hour', 1, 3000, 0, 1, 128, false, false, '', ''::bytea, 0, 0, 0, ''),"
            + "('2001:db8:1::2', '\\x0808'::bytea, 4000, date_trunc('second', now()) + interval '1 hour', 1, 3000, 0, 1, 128, false, false, '', ''::bytea, 0, 0, 0, '')");
        await using var client = new LoopbackDhcpClient();
        await using var server = NewServer(name, client.Port,
            "\"expired-leases-processing\": { \"reclaim-timer-wait-time\": 3600, \"flush-reclaimed-timer-wait-time\": 0 },",
            pool: "2001:db8:1::1-2001:db8:1::2");
        await server.StartAsync();

        var duid = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x61]);
        var granted = await client.RequestAsync(server, duid);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::1"), granted.Address);
        var rows = await RowsAsync(db, "SELECT address, encode(duid, 'hex'), state, expire > now() FROM lease6 ORDER BY address");
        Assert.Equal([$"2001:db8:1::1/{Convert.ToHexStringLower(duid.ToArray())}/0/True", "2001:db8:1::2/0808/0/True"], rows);

        // The pool is now full: another client gets no address, and the held leases stay as they are.
        var refused = await client.RequestAsync(server, Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x62]));
        Assert.Null(refused.Address);
        Assert.Equal(rows, await RowsAsync(db, "SELECT address, encode(duid, 'hex'), state, expire > now() FROM lease6 ORDER BY address"));
    }

    [PostgreSqlFact]
    public async Task Extended_info6_upgrade_checks_the_relay_information_of_every_stored_lease()
    {
        var name = await cluster.CreateDatabaseAsync();
        await using var db = cluster.DataSource(name);

        // Leases written by Kea 2.2 (the old "relays" form), one broken, one already checked, and more than a page
        // (100) of leases without a context, so paging is exercised. Expiry in whole seconds, as Kea writes it (an
        // update is conditional on the expiry read).
        var contexts = new[]
        {
            """{ "ISC": { "relays": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1" } ] } }""",
            """{ "ISC": { "relay-info": "broken" }, "k": 2 }""",
            """{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1" } ] } }""",
        };
        for (var i = 0; i < 250; i++)
        {
            var context = i % 100 < contexts.Length ? contexts[i % 100].Replace("'", "''", StringComparison.Ordinal) : "";
            await PostgreSqlCluster.ExecuteAsync(db,
                "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, "
                + "fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context) VALUES "
                + $"('2001:db8:1::{i + 1:x}', '\\x0102'::bytea, 4000, date_trunc('second', now()) + interval '1 hour', 1, 3000, 0, {i}, 128, false, false, '', "
                + $"''::bytea, 0, 0, 0, '{context}')");
        }

        await using var server = NewServer(name, globals: """
            "hooks-libraries": [ { "library": "libdhcp_lease_query.so", "parameters": { "requesters": [ "2001:db8:1::1" ] } } ],
            """);
        await server.StartAsync();

        var answer = await server.Commands.ExecuteAsync("""{"command": "extended-info6-upgrade"}"""u8.ToArray(), CancellationToken.None);
        Assert.Equal(0, answer["result"]!.GetValue<int>());
        Assert.Equal("Upgraded 6 leases", answer["text"]!.GetValue<string>());

        var stored = await RowsAsync(db, "SELECT user_context FROM lease6 WHERE user_context <> '' ORDER BY address");
        Assert.Equal(9, stored.Count);
        var expected = new[]
        {
            """{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1" } ] } }""",
            """{ "k": 2 }""",
            contexts[2],
        };
        for (var i = 0; i < stored.Count; i++)
        {
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(expected[i % 3]), System.Text.Json.Nodes.JsonNode.Parse(stored[i])), stored[i]);
        }

        // Everything is checked now: a second run changes nothing.
        answer = await server.Commands.ExecuteAsync("""{"command": "extended-info6-upgrade"}"""u8.ToArray(), CancellationToken.None);
        Assert.Equal("Upgraded 0 leases", answer["text"]!.GetValue<string>());
    }

    [PostgreSqlFact]
    public async Task Extended_info6_upgrade_rebuilds_keas_extended_info_tables_when_bulk_leasequery_enables_them()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        await using var db = cluster.DataSource(name);

        // Two leases whose relay information was stored without the tables (a server with them off), one without.
        string[] contexts =
        [
            """{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1", "relay-id": "0a0b", "remote-id": "0102" } ] } }""",
            """{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::2", "remote-id": "0304" } ] } }""",
            "",
        ];
        for (var i = 0; i < contexts.Length; i++)
        {
            await PostgreSqlCluster.ExecuteAsync(db,
                "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, "
                + "fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context, pool_id) VALUES "
                + $"(cast('2001:db8:1::{i + 1}' as inet), '\\x0102'::bytea, 4000, date_trunc('second', now()) + interval '1 hour', 1, 3000, 0, {i}, 128, "
                + $"false, false, '', ''::bytea, 0, 0, 0, '{contexts[i]}', 7)");
        }

        var port = FreeUdpPort();
        await using var server = NewServer(name, globals: $$"""
            "hooks-libraries": [ { "library": "libdhcp_lease_query.so", "parameters": { "requesters": [ "::1" ],
                "advanced": { "bulk-query-enabled": true, "extended-info-tables-enabled": true, "lease-query-ip": "::1", "lease-query-tcp-port": {{port}} } } } ],
            """);
        await server.StartAsync();
        var status = await server.Commands.ExecuteAsync("""{"command": "status-get"}"""u8.ToArray(), CancellationToken.None);
        Assert.True(status["arguments"]!["extended-info-tables"]!.GetValue<bool>());

        var answer = await server.Commands.ExecuteAsync("""{"command": "extended-info6-upgrade"}"""u8.ToArray(), CancellationToken.None);
        Assert.Equal("Upgraded 2 leases", answer["text"]!.GetValue<string>());
        Assert.Equal(["0a0b/2001:db8:1::1"], await RowsAsync(db, "SELECT encode(relay_id, 'hex'), host(lease_addr) FROM lease6_relay_id"));
        Assert.Equal(["0102/2001:db8:1::1", "0304/2001:db8:1::2"], await RowsAsync(db, "SELECT encode(remote_id, 'hex'), host(lease_addr) FROM lease6_remote_id ORDER BY 1"));

        // A rebuild starts from empty tables: a second run gives the same rows, not twice as many.
        answer = await server.Commands.ExecuteAsync("""{"command": "extended-info6-upgrade"}"""u8.ToArray(), CancellationToken.None);
        Assert.Equal("Upgraded 2 leases", answer["text"]!.GetValue<string>());
        Assert.Equal(2, (await RowsAsync(db, "SELECT remote_id FROM lease6_remote_id")).Count);
    }

    [PostgreSqlFact]
    public async Task A_shared_flq_server_takes_its_lease_out_of_Keas_free_lease_queue_and_returns_it_on_release()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        await using var db = cluster.DataSource(name);
        // Kea's queue for the pool, as its sflqCreateFlqPool6 leaves it (four addresses free).
        await PostgreSqlCluster.ExecuteAsync(db,
            "INSERT INTO free_lease6 (address, bin_address) SELECT a, inetToBytea(a) FROM "
            + "(SELECT ('2001:db8:1::' || n)::inet AS a FROM generate_series(1, 4) AS n) AS v");
        await using var client = new LoopbackDhcpClient();
        // No lease affinity: a release deletes the lease.
        await using var server = NewServer(name, client.Port, "\"allocator\": \"shared-flq\", \"expired-leases-processing\": { \"hold-reclaimed-time\": 0 },", pool: "2001:db8:1::1-2001:db8:1::4");
        await server.StartAsync();

        var duid = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x61]);
        var granted = await client.RequestAsync(server, duid);
        Assert.NotNull(granted.Address);
        var free = await RowsAsync(db, "SELECT host(address) FROM free_lease6 ORDER BY address");
        Assert.Equal(3, free.Count);
        Assert.DoesNotContain(granted.Address!.ToString(), free);

        Assert.NotNull((await client.ReleaseAsync(server, duid, granted)).Reply);
        Assert.Empty(await RowsAsync(db, "SELECT host(address) FROM lease6"));
        Assert.Contains(granted.Address!.ToString(), await RowsAsync(db, "SELECT host(address) FROM free_lease6"));
        Assert.Equal(4, (await RowsAsync(db, "SELECT host(address) FROM free_lease6")).Count);
    }

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>Every row of a query, its columns joined by '/'.</summary>
    private static async Task<List<string>> RowsAsync(Npgsql.NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('/', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private Dhcp6Server NewServer(string database, ushort? clientPort = null, string globals = "", string pool = LoopbackTestServer.DefaultPool) =>
        LoopbackTestServer.Create(
            _root,
            $$"""
            {{globals}}
            "lease-database": { "type": "postgresql", "name": "{{database}}", "host": "{{cluster.SocketDirectory}}",
                                "port": {{PostgreSqlCluster.Port}}, "user": "{{PostgreSqlCluster.User}}",
                                "password": "{{PostgreSqlCluster.Password}}", "connect-timeout": 5 },
            """,
            new ServerOptions("") { OpenPostgreSqlLeaseStore = PgSqlLeaseStore.OpenAsync },
            clientPort,
            pool,
            poolKeys: ", \"pool-id\": 7");

    private static ushort FreeUdpPort() => (ushort)Pukeko.Server.Tests.Support.LoopbackPorts.Free();
}
