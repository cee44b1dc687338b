using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Reservations;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// <c>hosts-database</c>: host rows written with SQL exactly as Kea's schema takes them (as Kea's host commands or
/// an operator write them), read by the host source and served by a real server on loopback. Run on each schema
/// version by the subclasses, which add what only their version has.
/// </summary>
public abstract class HostsDatabaseTests(PostgreSqlCluster cluster, PostgreSqlCluster.KeaSchema schema) : IDisposable
{
    protected static readonly byte[] Mac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];

    /// <summary>Reserved by hw-address (the MAC inside its DUID-LLT).</summary>
    private static readonly Duid Reserved = Duid.CreateLlt(1, 700_000_000, Mac);

    /// <summary>Reserved globally (subnet 0) by DUID.</summary>
    private static readonly Duid GlobalClient = Duid.CreateEn(2495, [0x0a, 0x0b]);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("pukeko-pg-hosts-");

    [PostgreSqlFact]
    public async Task Host_source_reads_a_reservation_as_Kea_stores_it()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using (var db = cluster.DataSource(name))
        {
            await InsertHostsAsync(db);
        }

        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        var host = await source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly);
        Assert.NotNull(host);
        Assert.Equal(1u, host.SubnetId);
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::1")], host.IpAddresses);
        Assert.Equal([Ipv6Prefix.Parse("2001:db8:2:100::/56")], host.Prefixes);
        Assert.Equal("alpha.example.org", host.Hostname);
        Assert.Equal(["vip", "lab"], host.ClientClasses);

        // formatted_value encoded through the option's definition; a binary-only value taken as is; persistent kept.
        var dns = Assert.Single(host.Options, o => o.Code == OptionCode.DnsServers);
        Assert.Equal(Convert.FromHexString("20010db8000000000000000000000053"), dns.Data);
        Assert.Equal("dhcp6", dns.Space);
        Assert.False(dns.AlwaysSend);
        var preference = Assert.Single(host.Options, o => o.Code == 7);
        Assert.Equal([0xff], preference.Data);
        Assert.True(preference.AlwaysSend);
        Assert.Equal(2, host.Options.Count);

        // By reserved address and prefix, within the subnet only.
        Assert.True(HostReservation.SameHost(host, Assert.Single(await source.FindByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::1")))));
        Assert.True(HostReservation.SameHost(host, Assert.Single(await source.FindByPrefixAsync(1, Ipv6Prefix.Parse("2001:db8:2:100::/56")))));
        Assert.Empty(await source.FindByAddressAsync(2, Ipv6Address.Parse("2001:db8:1::1")));
        Assert.Empty(await source.FindByPrefixAsync(1, Ipv6Prefix.Parse("2001:db8:2:100::/64")));
        Assert.Null(await source.FindAsync(2, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly));
        Assert.Null(await source.FindAsync(1, HostIdentifierType.Duid, Mac, OptionDefinitionSet.StandardOnly));

        // Subnet 0 holds global reservations.
        var global = await source.FindAsync(0, HostIdentifierType.Duid, GlobalClient.ToArray(), OptionDefinitionSet.StandardOnly);
        Assert.NotNull(global);
        Assert.Null(global.SubnetId);
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::3")], global.IpAddresses);
        Assert.Empty(global.Options);
        Assert.Empty(global.ClientClasses);
    }

    [PostgreSqlFact]
    public async Task On_a_packet_workers_thread_host_lookups_complete_on_that_thread()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using (var db = cluster.DataSource(name))
        {
            await InsertHostsAsync(db);
        }

        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        var expected = await source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly);
        Assert.NotNull(expected);

        // A first-host query leaves the rest of its rows unread; the reader still closes on the worker's thread.
        PacketWorkerThread.Run(() =>
        {
            var host = PacketWorkerThread.Completed(source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly));
            Assert.NotNull(host);
            Assert.True(HostReservation.SameHost(expected, host));
            Assert.Equal(expected.Options.Count, host.Options.Count);
            Assert.Null(PacketWorkerThread.Completed(source.FindAsync(2, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly)));
            Assert.Single(PacketWorkerThread.Completed(source.FindByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::1"))));
            Assert.Single(PacketWorkerThread.Completed(source.FindByPrefixAsync(1, Ipv6Prefix.Parse("2001:db8:2:100::/56"))));
        });
    }

    [PostgreSqlFact]
    public async Task Host_source_answers_every_host_reserving_an_address_when_reservations_are_not_unique()
    {
        // ip-reservations-unique false: two hosts of subnet 1 reserve 2001:db8:1::9 (Kea's getAll6 finds both).
        var name = await cluster.CreateDatabaseAsync(schema);
        await using (var db = cluster.DataSource(name))
        {
            const string HostId = "currval('hosts_host_id_seq')";
            await PostgreSqlCluster.ExecuteAsync(db,
                "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id) VALUES ('\\x0a01'::bytea, 1, 1);"
                + $"INSERT INTO ipv6_reservations (address, prefix_len, type, host_id) VALUES ('2001:db8:1::9', 128, 0, {HostId});"
                + $"INSERT INTO ipv6_reservations (address, prefix_len, type, host_id) VALUES ('2001:db8:1::a', 128, 0, {HostId});"
                + "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id) VALUES ('\\x0a02'::bytea, 1, 1);"
                + $"INSERT INTO ipv6_reservations (address, prefix_len, type, host_id) VALUES ('2001:db8:1::9', 128, 0, {HostId});");
        }

        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        var hosts = await source.FindByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::9"));
        Assert.Equal([[0x0a, 0x01], [0x0a, 0x02]], hosts.Select(h => h.Identifier));
        Assert.Equal(2, hosts[0].IpAddresses.Count); // each host comes with all of its reservations
        Assert.Single(await source.FindByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::a")));
    }

    [PostgreSqlFact]
    public async Task Readonly_hosts_database_refuses_writes_on_its_connection()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name) with { ReadOnly = true }, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<PostgresException>(() => PostgreSqlCluster.ExecuteAsync(source.DataSource,
            "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id) VALUES ('\\x01'::bytea, 1, 1)"));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, e.SqlState);
    }

    [PostgreSqlFact]
    public async Task Server_gives_reserved_address_prefix_and_options_from_the_database_and_never_the_address_to_another()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using (var db = cluster.DataSource(name))
        {
            await InsertHostsAsync(db);
        }

        await using var client = new LoopbackDhcpClient();
        await using var server = NewServer(name, client.Port);
        await server.StartAsync();
        Assert.Single(server.HostSources);

        // Others first: the pool is ::1-::3, ::1 reserved in the subnet and ::3 globally, so one other client gets
        // ::2 and the next none; the pd-pool has two /56s, one reserved, so the same for prefixes.
        var other = await client.RequestAsync(server, Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x77]));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::2"), other.Address);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:2::/56"), other.Prefix);
        var another = await client.RequestAsync(server, Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x78]));
        Assert.Null(another.Address);
        Assert.Null(another.Prefix);

        var reserved = await client.RequestAsync(server, Reserved);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::1"), reserved.Address);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:2:100::/56"), reserved.Prefix);
        // The host's own option (formatted_value in the row), and the option of the class the row assigns.
        Assert.Equal([Ipv6Address.Parse("2001:db8::53")], reserved.Reply!.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses);
        Assert.Equal(["vip.example.org"], reserved.Reply.Options.Get<DomainListOption>(OptionCode.DomainSearch)!.Names);

        var global = await client.RequestAsync(server, GlobalClient);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::3"), global.Address);
        Assert.Null(global.Reply!.Options.Get<AddressListOption>(OptionCode.DnsServers));

        // A row added while the server runs is seen at once (no cache).
        await using (var db = cluster.DataSource(name))
        {
            await PostgreSqlCluster.ExecuteAsync(db,
                "UPDATE ipv6_reservations SET address = '2001:db8:1::2' WHERE address = '2001:db8:1::1'");
        }

        var late = await client.RequestAsync(server, Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x79]));
        Assert.Null(late.Address);
    }

    [PostgreSqlFact]
    public async Task Host_source_writes_a_host_in_Keas_columns_and_reads_it_back()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        await source.AddAsync(WrittenHost(), uniqueReservations: true);

        var host = await source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly);
        Assert.NotNull(host);
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::1")], host.IpAddresses);
        Assert.Equal([Ipv6Prefix.Parse("2001:db8:2:100::/56")], host.Prefixes);
        Assert.Equal("Alpha.example.org", host.Hostname);
        Assert.Equal(["vip", "lab"], host.ClientClasses);
        Assert.Equal(Convert.FromHexString("20010db8000000000000000000000053"), Assert.Single(host.Options, o => o.Code == OptionCode.DnsServers).Data);
        Assert.True(Assert.Single(host.Options, o => o.Code == 7).AlwaysSend);

        // The rows as Kea's own insert statements leave them (what Kea's reader expects): a DHCPv6 host has no DHCPv4
        // subnet and zero/empty DHCPv4 columns, classes comma-separated; the option given as text is kept as text
        // (value NULL), the one given as hex as its payload; host options have scope 3.
        await using var db = cluster.DataSource(name);
        Assert.Equal(
            [[Mac, (short)0, null, 1L, 0L, "Alpha.example.org", "", "vip,lab", null, 0L, "", "", null]],
            await RowsAsync(db, "SELECT dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id, dhcp6_subnet_id::bigint, ipv4_address, hostname, "
                + "dhcp4_client_classes, dhcp6_client_classes, user_context, dhcp4_next_server, dhcp4_server_hostname, dhcp4_boot_file_name, auth_key FROM hosts"));
        Assert.Equal(
            [["2001:db8:1::1", (short)128, (short)0, null], ["2001:db8:2:100::", (short)56, (short)2, null]],
            await RowsAsync(db, "SELECT host(address::inet), prefix_len, type, dhcp6_iaid FROM ipv6_reservations ORDER BY reservation_id"));
        Assert.Equal(
            [[23, null, "2001:db8::53", "dhcp6", false, null, (short)3], [7, new byte[] { 0xff }, null, "dhcp6", true, null, (short)3]],
            await RowsAsync(db, "SELECT code, value, formatted_value, space, persistent, user_context, scope_id FROM dhcp6_options ORDER BY option_id"));
    }

    [PostgreSqlFact]
    public async Task Host_source_refuses_a_second_host_or_a_reserved_address_and_writes_nothing_of_it()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        await source.AddAsync(WrittenHost(), uniqueReservations: true);

        // The same identifier in the same subnet (the schema's unique key), and another host reserving the same
        // address with ip-reservations-unique: Kea's duplicate error, and the transaction leaves no row behind.
        var again = await Assert.ThrowsAsync<HostDatabaseWriteException>(() => source.AddAsync(WrittenHost(), uniqueReservations: true).AsTask());
        Assert.Equal("Database duplicate entry error", again.Message);
        var other = WrittenHost(identifier: [0x02, 0, 0, 0, 0, 0x02]);
        var taken = await Assert.ThrowsAsync<HostDatabaseWriteException>(() => source.AddAsync(other, uniqueReservations: true).AsTask());
        Assert.Equal("Database duplicate entry error", taken.Message);
        await using var db = cluster.DataSource(name);
        Assert.Equal([[1L, 2L, 2L]], await RowsAsync(db,
            "SELECT (SELECT count(*) FROM hosts), (SELECT count(*) FROM ipv6_reservations), (SELECT count(*) FROM dhcp6_options)"));

        // The same identifier in another subnet is another host; with ip-reservations-unique false the address may be
        // reserved twice.
        await source.AddAsync(WrittenHost(subnetId: null, addresses: [], prefixes: []), uniqueReservations: true);
        await source.AddAsync(other, uniqueReservations: false);
        Assert.Equal(2, (await source.FindByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::1"))).Count);
    }

    [PostgreSqlFact]
    public async Task Host_source_deletes_and_replaces_a_host_with_its_rows()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        await source.AddAsync(WrittenHost(), uniqueReservations: true);
        await source.AddAsync(WrittenHost(identifier: [0x0b], addresses: [Ipv6Address.Parse("2001:db8:1::b")], prefixes: []), uniqueReservations: true);

        // Replaced: the new addresses and options only (the old rows went with the old host).
        var replacement = WrittenHost(addresses: [Ipv6Address.Parse("2001:db8:1::7")], prefixes: [], options: [], hostname: null);
        Assert.True(await source.ReplaceAsync(replacement, uniqueReservations: true));
        var host = await source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly);
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::7")], host!.IpAddresses);
        Assert.Empty(host.Options);
        Assert.Null(host.Hostname);
        Assert.False(await source.ReplaceAsync(WrittenHost(identifier: [0x0c]), uniqueReservations: true));

        // By identifier, and by address (only the host reserving it, in that subnet); the schema cascades the rest.
        Assert.False(await source.DeleteAsync(2, HostIdentifierType.HwAddress, Mac));
        Assert.True(await source.DeleteAsync(1, HostIdentifierType.HwAddress, Mac));
        Assert.False(await source.DeleteAsync(1, HostIdentifierType.HwAddress, Mac));
        Assert.False(await source.DeleteByAddressAsync(2, Ipv6Address.Parse("2001:db8:1::b")));
        await source.AddAsync(WrittenHost(), uniqueReservations: true);
        Assert.True(await source.DeleteByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::b")));
        Assert.NotNull(await source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly));
        await using var db = cluster.DataSource(name);
        Assert.Equal([[1L, 2L, 2L]], await RowsAsync(db,
            "SELECT (SELECT count(*) FROM hosts), (SELECT count(*) FROM ipv6_reservations), (SELECT count(*) FROM dhcp6_options)"));
    }

    [PostgreSqlFact]
    public async Task Host_source_selects_hosts_for_the_host_commands()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using (var db = cluster.DataSource(name))
        {
            await InsertHostsAsync(db);
        }

        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        async Task<List<string>> Select(HostSelection selection) =>
            [.. (await source.SelectAsync(selection, OptionDefinitionSet.StandardOnly)).Select(h => h.Host.ToString())];
        var all = await Select(new HostSelection());
        Assert.Equal(3, all.Count);
        Assert.StartsWith("hw-address=02:00:5e:10:00:01 subnet-id=1", all[0], StringComparison.OrdinalIgnoreCase);
        Assert.Equal([all[0]], await Select(new HostSelection { SubnetId = 1 }));
        Assert.Equal([all[2]], await Select(new HostSelection { SubnetId = 0 }));
        Assert.Equal([all[0]], await Select(new HostSelection { Hostname = "ALPHA.example.org" }));
        Assert.Equal([all[0]], await Select(new HostSelection { IdentifierType = HostIdentifierType.HwAddress, Identifier = Mac }));
        Assert.Equal([all[0]], await Select(new HostSelection { SubnetId = 1, Address = Ipv6Address.Parse("2001:db8:2:100::") }));
        Assert.Equal([all[1]], await Select(new HostSelection { Address = Ipv6Address.Parse("2001:db8:1::2") }));
        Assert.Empty(await Select(new HostSelection { SubnetId = 1, Address = Ipv6Address.Parse("2001:db8:1::2") }));

        // Pages count hosts, not the join's rows (the first host has 2 options x 2 reservations = 4 rows).
        var first = await source.SelectAsync(new HostSelection { Limit = 2 }, OptionDefinitionSet.StandardOnly);
        Assert.Equal(all[..2], first.Select(h => h.Host.ToString()));
        Assert.Equal(2, first[0].Host.Options.Count);
        var rest = await source.SelectAsync(new HostSelection { Limit = 2, AfterHostId = first[^1].HostId }, OptionDefinitionSet.StandardOnly);
        Assert.Equal([all[2]], rest.Select(h => h.Host.ToString()));
        Assert.Empty(await source.SelectAsync(new HostSelection { Limit = 2, AfterHostId = rest[^1].HostId }, OptionDefinitionSet.StandardOnly));
    }

    [PostgreSqlFact]
    public async Task Readonly_hosts_database_refuses_the_host_commands_writes_with_Keas_text()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name) with { ReadOnly = true }, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<HostDatabaseWriteException>(() => source.AddAsync(WrittenHost(), uniqueReservations: true).AsTask());
        Assert.Equal("PostgreSQL host database backend is configured to operate in read only mode", e.Message);
        await Assert.ThrowsAsync<HostDatabaseWriteException>(() => source.DeleteAsync(1, HostIdentifierType.HwAddress, Mac).AsTask());
    }

    [PostgreSqlFact]
    public async Task Host_commands_write_hosts_to_the_database_and_the_server_serves_them_at_once()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var client = new LoopbackDhcpClient();
        await using var server = NewServer(name, client.Port, readOnly: false, hostCommands: true);
        await server.StartAsync();
        var newcomer = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x42]);
        async Task<JsonObject> Command(string json) => await server.Commands.ExecuteAsync(System.Text.Encoding.UTF8.GetBytes(json), CancellationToken.None);
        static void Result(JsonObject answer, int result, string text)
        {
            Assert.Equal(text, answer["text"]!.GetValue<string>());
            Assert.Equal(result, answer["result"]!.GetValue<int>());
        }

        // No target: the database (Kea's default for changes). The host applies to the very next packet.
        var reservation = $$$"""{"subnet-id": 1, "duid": "{{{newcomer}}}", "ip-addresses": ["2001:db8:1::3"], "hostname": "New.example.org", "option-data": [ { "name": "dns-servers", "data": "2001:db8::99" } ]}""";
        Result(await Command($$$"""{"command": "reservation-add", "arguments": {"reservation": {{{reservation}}} }}"""), 0, "Host added.");
        Result(await Command($$$"""{"command": "reservation-add", "arguments": {"reservation": {{{reservation}}} }}"""), 1, "Database duplicate entry error");
        var granted = await client.RequestAsync(server, newcomer);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::3"), granted.Address);
        Assert.Equal([Ipv6Address.Parse("2001:db8::99")], granted.Reply!.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses);
        Assert.Null((await Command("""{"command": "config-get"}"""))["arguments"]!["Dhcp6"]!["subnet6"]![0]!["reservations"]);

        // A second host in the configuration ("memory"); reads search both unless told otherwise, configuration first.
        Result(await Command("""{"command": "reservation-add", "arguments": {"operation-target": "memory", "reservation": {"subnet-id": 1, "hw-address": "0a:0b:0c:0d:0e:0f", "hostname": "mem.example.org"} }}"""), 0, "Host added.");
        var get = await Command($$$"""{"command": "reservation-get", "arguments": {"subnet-id": 1, "identifier-type": "duid", "identifier": "{{{newcomer}}}"}}""");
        Result(get, 0, "Host found.");
        var found = (JsonObject)get["arguments"]!;
        Assert.Equal("New.example.org", found["hostname"]!.GetValue<string>());
        Assert.Equal("2001:db8:1::3", found["ip-addresses"]![0]!.GetValue<string>());
        Assert.Equal("1", found["subnet-id"]!.ToJsonString());
        var option = (JsonObject)found["option-data"]![0]!;
        Assert.Equal("2001:db8::99", option["data"]!.GetValue<string>());
        Assert.True(option["csv-format"]!.GetValue<bool>());
        Assert.Equal("dns-servers", option["name"]!.GetValue<string>());
        Result(await Command($$$"""{"command": "reservation-get", "arguments": {"subnet-id": 1, "identifier-type": "duid", "identifier": "{{{newcomer}}}", "operation-target": "memory"}}"""), 3, "Host not found.");
        Result(await Command("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::3", "operation-target": "database"}}"""), 0, "Host found.");

        static List<string> Names(JsonObject answer) => [.. answer["arguments"]!["hosts"]!.AsArray().Select(h => h!["hostname"]!.GetValue<string>())];
        Assert.Equal(["mem.example.org", "New.example.org"], Names(await Command("""{"command": "reservation-get-all", "arguments": {"subnet-id": 1}}""")));
        Assert.Equal(["New.example.org"], Names(await Command("""{"command": "reservation-get-all", "arguments": {"subnet-id": 1, "operation-target": "database"}}""")));
        Assert.Equal(["mem.example.org"], Names(await Command("""{"command": "reservation-get-all", "arguments": {"subnet-id": 1, "operation-target": "memory"}}""")));
        Assert.Equal(["New.example.org"], Names(await Command("""{"command": "reservation-get-by-hostname", "arguments": {"hostname": "new.EXAMPLE.org"}}""")));
        Assert.Equal(["New.example.org"], Names(await Command($$$"""{"command": "reservation-get-by-id", "arguments": {"identifier-type": "duid", "identifier": "{{{newcomer}}}"}}""")));
        Assert.Equal(["New.example.org"], Names(await Command("""{"command": "reservation-get-by-address", "arguments": {"ip-address": "2001:db8:1::3"}}""")));

        // Pages: the configuration (source 0), then the database (source 1) by host_id, then nothing.
        var page = await Command("""{"command": "reservation-get-page", "arguments": {"limit": 10}}""");
        Assert.Equal(["mem.example.org"], Names(page));
        var next = page["arguments"]!["next"]!;
        Assert.Equal("0", next["source-index"]!.ToJsonString());
        page = await Command($$$"""{"command": "reservation-get-page", "arguments": {"limit": 10, "source-index": {{{next["source-index"]!.ToJsonString()}}}, "from": {{{next["from"]!.ToJsonString()}}} }}""");
        Assert.Equal(["New.example.org"], Names(page));
        next = page["arguments"]!["next"]!;
        Assert.Equal("1", next["source-index"]!.ToJsonString());
        page = await Command($$$"""{"command": "reservation-get-page", "arguments": {"limit": 10, "source-index": {{{next["source-index"]!.ToJsonString()}}}, "from": {{{next["from"]!.ToJsonString()}}} }}""");
        Result(page, 3, "0 IPv6 host(s) found.");

        // Deleted from the database by default; the configuration's host stays until deleted there.
        Result(await Command($$$"""{"command": "reservation-del", "arguments": {"subnet-id": 1, "identifier-type": "duid", "identifier": "{{{newcomer}}}"}}"""), 0, "Host deleted.");
        Result(await Command($$$"""{"command": "reservation-del", "arguments": {"subnet-id": 1, "identifier-type": "duid", "identifier": "{{{newcomer}}}"}}"""), 3, "Host not deleted (not found).");
        Result(await Command("""{"command": "reservation-del", "arguments": {"subnet-id": 1, "identifier-type": "hw-address", "identifier": "0a:0b:0c:0d:0e:0f"}}"""), 3, "Host not deleted (not found).");
        Result(await Command("""{"command": "reservation-del", "arguments": {"subnet-id": 1, "identifier-type": "hw-address", "identifier": "0a:0b:0c:0d:0e:0f", "operation-target": "all"}}"""), 0, "Host deleted.");
        await using var db = cluster.DataSource(name);
        Assert.Equal([[0L]], await RowsAsync(db, "SELECT count(*) FROM hosts"));
    }

    [PostgreSqlFact]
    public async Task Host_commands_store_the_user_context_of_a_host_and_of_its_options_and_show_it()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        await using var client = new LoopbackDhcpClient();
        await using var server = NewServer(name, client.Port, readOnly: false, hostCommands: true);
        await server.StartAsync();
        async Task<JsonObject> Command(string json) => await server.Commands.ExecuteAsync(System.Text.Encoding.UTF8.GetBytes(json), CancellationToken.None);

        var added = await Command("""
            {"command": "reservation-add", "arguments": {"operation-target": "database", "reservation": {
              "subnet-id": 1, "hw-address": "0a:0b:0c:0d:0e:01", "hostname": "ctx.example.org",
              "user-context": {"site": "north", "asset": {"tags": [1, "rack-7"], "active": true}},
              "option-data": [
                {"name": "dns-servers", "data": "2001:db8::98", "user-context": {"note": "set by ops"}},
                {"name": "sntp-servers", "data": "2001:db8::7b"} ] } } }
            """);
        Assert.Equal(0, added["result"]!.GetValue<int>());

        // Kea's columns hold the map as Kea prints JSON (keys sorted); an option without one has NULL.
        await using var db = cluster.DataSource(name);
        Assert.Equal(
            [["{ \"asset\": { \"active\": true, \"tags\": [ 1, \"rack-7\" ] }, \"site\": \"north\" }"]],
            await RowsAsync(db, "SELECT user_context FROM hosts"));
        Assert.Equal(
            [[23, "{ \"note\": \"set by ops\" }"], [31, null]],
            await RowsAsync(db, "SELECT code, user_context FROM dhcp6_options ORDER BY option_id"));

        var get = await Command("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "identifier-type": "hw-address", "identifier": "0a:0b:0c:0d:0e:01", "operation-target": "database"}}""");
        var host = (JsonObject)get["arguments"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"site": "north", "asset": {"tags": [1, "rack-7"], "active": true}}"""), host["user-context"]));
        var options = host["option-data"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"note": "set by ops"}"""), options[0]!["user-context"]));
        Assert.Null(options[1]!["user-context"]);

        // A user context Kea itself wrote (as text) reads the same; an empty column is none, as Kea reads it.
        await PostgreSqlCluster.ExecuteAsync(db, "UPDATE hosts SET user_context = '{\"written\":\"by kea\"}'");
        await PostgreSqlCluster.ExecuteAsync(db, "UPDATE dhcp6_options SET user_context = '' WHERE code = 23");
        host = (JsonObject)(await Command("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "identifier-type": "hw-address", "identifier": "0a:0b:0c:0d:0e:01"}}"""))["arguments"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"written": "by kea"}"""), host["user-context"]));
        Assert.Null(host["option-data"]![0]!["user-context"]);
    }

    /// <summary>A host as the host commands hand one to the source: an address, a prefix, a hostname, two classes, an option given as text and one given as hex.</summary>
    private protected static HostReservation WrittenHost(
        uint? subnetId = 1, byte[]? identifier = null, IReadOnlyList<Ipv6Address>? addresses = null, IReadOnlyList<Ipv6Prefix>? prefixes = null,
        IReadOnlyList<OptionDescriptor>? options = null, string? hostname = "Alpha.example.org", Dictionary<Ipv6Prefix, Ipv6Prefix>? excluded = null) => new()
    {
        IdentifierType = HostIdentifierType.HwAddress,
        Identifier = identifier ?? Mac,
        SubnetId = subnetId,
        IpAddresses = addresses ?? [Ipv6Address.Parse("2001:db8:1::1")],
        Prefixes = prefixes ?? [Ipv6Prefix.Parse("2001:db8:2:100::/56")],
        ExcludedPrefixes = excluded ?? [],
        Hostname = hostname,
        ClientClasses = ["vip", "lab"],
        Options = options ??
        [
            new OptionDescriptor(OptionCode.DnsServers, "dhcp6", "dns-servers", Convert.FromHexString("20010db8000000000000000000000053"), false, false, null, "2001:db8::53"),
            new OptionDescriptor(7, "dhcp6", "preference", [0xff], true, false),
        ],
    };

    /// <summary>Every row of a query, each column's value (null for SQL NULL).</summary>
    protected static async Task<List<object?[]>> RowsAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i))]);
        }

        return rows;
    }

    /// <summary>The columns (with a leading comma) and values a <c>dhcp6_options</c> row needs beyond 13.0's.</summary>
    protected abstract (string Columns, string Values) OptionExtras { get; }

    protected PostgreSqlCluster Cluster => cluster;

    protected DirectoryInfo Root => _root;

    public void Dispose()
    {
        _root.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Three hosts as Kea's schema holds them: by hw-address in subnet 1 with an address, a prefix, a hostname, two
    /// classes and two options (one formatted, one binary and persistent); by DUID in subnet 2 (must not leak into
    /// subnet 1); by DUID globally (subnet 0).
    /// </summary>
    private async Task InsertHostsAsync(NpgsqlDataSource db)
    {
        const string HostId = "currval('hosts_host_id_seq')";
        var (extraColumns, extraValues) = OptionExtras;
        await PostgreSqlCluster.ExecuteAsync(db,
            "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id, hostname, dhcp6_client_classes) "
            + $"VALUES ('\\x{Convert.ToHexString(Mac)}'::bytea, 0, 1, 'alpha.example.org', 'vip, lab');"
            + $"INSERT INTO ipv6_reservations (address, prefix_len, type, dhcp6_iaid, host_id) VALUES ('2001:db8:1::1', 128, 0, NULL, {HostId});"
            + $"INSERT INTO ipv6_reservations (address, prefix_len, type, dhcp6_iaid, host_id) VALUES ('2001:db8:2:100::', 56, 2, NULL, {HostId});"
            + $"INSERT INTO dhcp6_options (code, value, formatted_value, space, persistent, host_id, scope_id{extraColumns}) "
            + $"VALUES (23, '\\x20010db8000000000000000000000053'::bytea, '2001:db8::53', 'dhcp6', false, {HostId}, 3{extraValues});"
            + $"INSERT INTO dhcp6_options (code, value, formatted_value, space, persistent, host_id, scope_id{extraColumns}) "
            + $"VALUES (7, '\\xff'::bytea, '', 'dhcp6', true, {HostId}, 3{extraValues});"
            + "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id) "
            + $"VALUES ('\\x{Convert.ToHexString(Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x77]).ToArray())}'::bytea, 1, 2);"
            + $"INSERT INTO ipv6_reservations (address, prefix_len, type, host_id) VALUES ('2001:db8:1::2', 128, 0, {HostId});"
            + "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id) "
            + $"VALUES ('\\x{Convert.ToHexString(GlobalClient.ToArray())}'::bytea, 1, 0);"
            + $"INSERT INTO ipv6_reservations (address, prefix_len, type, host_id) VALUES ('2001:db8:1::3', 128, 0, {HostId});");
    }

    private const string HostCommandsLibrary = "{ \"library\": \"/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_host_cmds.so\" }";

    private protected HostsDatabaseConfig Hosts(string name) => new(
        SqlDatabaseAccess.Default with { Name = name, Host = cluster.SocketDirectory, Port = PostgreSqlCluster.Port, User = PostgreSqlCluster.User, Password = PostgreSqlCluster.Password },
        ReadOnly: false);

    private Dhcp6Server NewServer(string database, ushort clientPort, bool readOnly = true, bool hostCommands = false)
    {
        var environment = new ConfigEnvironment(
            Path.Combine(_root.FullName, "data"), Path.Combine(_root.FullName, "log"), Path.Combine(_root.FullName, "run"), Path.Combine(_root.FullName, "hooks"));
        Directory.CreateDirectory(environment.DataDirectory);
        var configFile = Path.Combine(_root.FullName, "kea-dhcp6.conf");
        var access = $$"""
            "name": "{{database}}", "host": "{{cluster.SocketDirectory}}", "port": {{PostgreSqlCluster.Port}},
            "user": "{{PostgreSqlCluster.User}}", "password": "{{PostgreSqlCluster.Password}}"
            """;
        File.WriteAllText(configFile, $$"""
            {
              "Dhcp6": {
                "interfaces-config": { "interfaces": [ "lo" ] },
                "lease-database": { "type": "postgresql", {{access}} },
                "hosts-database": { "type": "postgresql", {{access}}, "readonly": {{(readOnly ? "true" : "false")}} },
                "hooks-libraries": [ {{(hostCommands ? HostCommandsLibrary : string.Empty)}} ],
                "reservations-global": true,
                "client-classes": [ { "name": "vip", "option-data": [ { "name": "domain-search", "data": "vip.example.org" } ] } ],
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "lo",
                               "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::3" } ],
                               "pd-pools": [ { "prefix": "2001:db8:2::", "prefix-len": 55, "delegated-len": 56 } ] } ]
              }
            }
            """);
        var options = new ServerOptions(configFile, (ushort)LoopbackPorts.Free(), clientPort)
        {
            OpenPostgreSqlLeaseStore = PgSqlLeaseStore.OpenAsync,
            OpenPostgreSqlHostSource = PgSqlHostDataSource.OpenAsync,
        };
        return new Dhcp6Server(options, environment, NullLoggerFactory.Instance, TimeProvider.System);
    }
}
