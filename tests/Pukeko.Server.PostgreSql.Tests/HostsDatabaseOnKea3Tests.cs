using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// <c>hosts-database</c> on Kea 3.x's schema (34.0, from the vendored <c>dhcpdb_create.pgsql</c>), and what only it
/// has: <c>inet</c> reservation addresses, excluded prefixes, and options' <c>cancelled</c> and <c>client_classes</c>.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class HostsDatabaseOnKea3Tests(PostgreSqlCluster cluster) : HostsDatabaseTests(cluster, PostgreSqlCluster.KeaSchema.Kea3)
{
    // client_classes is NOT NULL in 34.0; Kea writes an empty class list as "[  ]".
    protected override (string Columns, string Values) OptionExtras => (", client_classes", ", '[  ]'");

    [PostgreSqlFact]
    public async Task Host_source_speaks_schema_34_0()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        Assert.Equal((34, 0), source.Statements.Version);
    }

    [PostgreSqlFact]
    public async Task Host_source_reads_a_reservation_as_Kea_3_writes_it()
    {
        // The rows as Kea 3.x's host commands write them (its insert statements' casts and values): addresses cast
        // to inet, a prefix with an excluded prefix (the other prefix has none: NULL and 0), options with
        // cancelled, a user context and a JSON list of classes.
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        await using (var db = Cluster.DataSource(name))
        {
            const string HostId = "currval('hosts_host_id_seq')";
            const string Reservation = "INSERT INTO ipv6_reservations (address, prefix_len, type, dhcp6_iaid, excluded_prefix, excluded_prefix_len, host_id) ";
            const string Option = "INSERT INTO dhcp6_options (code, value, formatted_value, space, persistent, cancelled, user_context, client_classes, host_id, scope_id) ";
            await PostgreSqlCluster.ExecuteAsync(db,
                "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id, hostname, dhcp6_client_classes) "
                + $"VALUES ('\\x{Convert.ToHexString(Mac)}'::bytea, 0, 1, 'beta.example.org', 'vip');"
                + Reservation + $"VALUES (cast('2001:db8:1::5' as inet), 128, 0, NULL, NULL, 0, {HostId});"
                + Reservation + $"VALUES (cast('2001:db8:2:100::' as inet), 56, 2, NULL, cast('2001:db8:2:100:ff00::' as inet), 72, {HostId});"
                + Reservation + $"VALUES (cast('2001:db8:3::' as inet), 48, 2, NULL, NULL, 0, {HostId});"
                + Option + $"VALUES (23, '\\x20010db8000000000000000000000053'::bytea, '2001:db8::53', 'dhcp6', false, false, '{{ \"note\": 1 }}', '[ \"vip\", \"lab\" ]', {HostId}, 3);"
                + Option + $"VALUES (7, '\\xff'::bytea, '', 'dhcp6', false, true, NULL, '[  ]', {HostId}, 3);");
        }

        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        var host = await source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly);
        Assert.NotNull(host);
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::5")], host.IpAddresses);
        Assert.Equal([Ipv6Prefix.Parse("2001:db8:2:100::/56"), Ipv6Prefix.Parse("2001:db8:3::/48")], host.Prefixes);
        var excluded = Assert.Single(host.ExcludedPrefixes);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:2:100::/56"), excluded.Key);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:2:100:ff00::/72"), excluded.Value);
        Assert.Equal(["vip"], host.ClientClasses);

        var dns = Assert.Single(host.Options, o => o.Code == 23);
        Assert.Equal(["vip", "lab"], dns.ClientClasses);
        Assert.False(dns.NeverSend);
        var preference = Assert.Single(host.Options, o => o.Code == 7);
        Assert.True(preference.NeverSend);
        Assert.Null(preference.ClientClasses);

        // Found by its inet address and prefix as well.
        Assert.True(HostReservation.SameHost(host, Assert.Single(await source.FindByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::5")))));
        Assert.True(HostReservation.SameHost(host, Assert.Single(await source.FindByPrefixAsync(1, Ipv6Prefix.Parse("2001:db8:3::/48")))));
        Assert.Empty(await source.FindByPrefixAsync(1, Ipv6Prefix.Parse("2001:db8:3::/56")));
    }

    [PostgreSqlFact]
    public async Task Host_source_refuses_an_excluded_prefix_outside_its_reserved_prefix()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        await using (var db = Cluster.DataSource(name))
        {
            await PostgreSqlCluster.ExecuteAsync(db,
                "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id) VALUES ('\\x0a01'::bytea, 1, 1);"
                + "INSERT INTO ipv6_reservations (address, prefix_len, type, excluded_prefix, excluded_prefix_len, host_id) "
                + "VALUES ('2001:db8:2:100::', 56, 2, '2001:db8:9::', 64, currval('hosts_host_id_seq'));");
        }

        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => source.FindAsync(1, HostIdentifierType.Duid, new byte[] { 0x0a, 0x01 }, OptionDefinitionSet.StandardOnly).AsTask());
        Assert.Contains("2001:db8:9::/64", e.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Host_source_writes_Kea_3_columns_as_Kea_3_does()
    {
        // What only 34.0 holds: an excluded prefix (NULL and 0 for a prefix without one), a never-send option and an
        // option limited to classes (Kea's JSON list text, "[  ]" for none).
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea3);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        var delegated = Ipv6Prefix.Parse("2001:db8:2:100::/56");
        var written = WrittenHost(
            prefixes: [delegated, Ipv6Prefix.Parse("2001:db8:3::/48")],
            excluded: new() { [delegated] = Ipv6Prefix.Parse("2001:db8:2:100::/64") },
            options:
            [
                new OptionDescriptor(OptionCode.DnsServers, "dhcp6", "dns-servers", Convert.FromHexString("20010db8000000000000000000000053"), false, false, ["vip", "lab"], "2001:db8::53"),
                new OptionDescriptor(7, "dhcp6", "preference", [1], false, NeverSend: true, FormattedValue: "1"),
            ]);
        await source.AddAsync(written, uniqueReservations: true);

        var host = await source.FindAsync(1, HostIdentifierType.HwAddress, Mac, OptionDefinitionSet.StandardOnly);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:2:100::/64"), Assert.Single(host!.ExcludedPrefixes).Value);
        Assert.Equal(["vip", "lab"], host.Options.Single(o => o.Code == OptionCode.DnsServers).ClientClasses);
        Assert.True(host.Options.Single(o => o.Code == 7).NeverSend);
        await using var db = Cluster.DataSource(name);
        Assert.Equal(
            [["2001:db8:1::1", null, (short)0], ["2001:db8:2:100::", "2001:db8:2:100::", (short)64], ["2001:db8:3::", null, (short)0]],
            await RowsAsync(db, "SELECT host(address), host(excluded_prefix), excluded_prefix_len FROM ipv6_reservations ORDER BY reservation_id"));
        Assert.Equal(
            [[false, "[ \"vip\", \"lab\" ]"], [true, "[  ]"]],
            await RowsAsync(db, "SELECT cancelled, client_classes FROM dhcp6_options ORDER BY option_id"));
    }
}
