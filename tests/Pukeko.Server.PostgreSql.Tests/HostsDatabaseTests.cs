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

    private protected HostsDatabaseConfig Hosts(string name) => new(
        SqlDatabaseAccess.Default with { Name = name, Host = cluster.SocketDirectory, Port = PostgreSqlCluster.Port, User = PostgreSqlCluster.User, Password = PostgreSqlCluster.Password },
        ReadOnly: false);

    private Dhcp6Server NewServer(string database, ushort clientPort)
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
                "hosts-database": { "type": "postgresql", {{access}}, "readonly": true },
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
