using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.PostgreSql;
using Pukeko.Server.PostgreSql.Tests;
using Pukeko.Server.Reservations;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Real Kea 2.2 (<c>kea-dhcp6</c>, PostgreSQL host backend) and <c>pukeko-dhcp6</c> reading the same host rows
/// from one database made by Debian's <c>kea-admin db-init pgsql</c>: each gives ISC dhclient the address its
/// reservation names, and a client without a reservation gets a pool address from either; and Kea serves a host
/// that Pukeko's host commands' code wrote.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HostsDatabaseInteropTests : IAsyncLifetime
{
    private const string ReservedAddress = "2001:db8:1::1:beef";
    private static readonly byte[] ReservedMac = [0x02, 0, 0, 0, 0xdd, 0x01];

    private readonly NetworkLab _lab = new();
    private readonly PostgreSqlCluster _cluster = new();
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-pg-hosts-").FullName;
    private readonly string _clientsDir = Directory.CreateTempSubdirectory("pukeko-pg-hosts-clients-").FullName;
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        if (PostgreSqlCluster.MissingReason is null)
        {
            _database = await _cluster.CreateDatabaseAsync();
        }
    }

    /// <summary>One configuration both servers run unchanged: leases and hosts in the same database.</summary>
    private string Config()
    {
        var access = $$"""
            "name": "{{_database}}", "host": "{{_cluster.SocketDirectory}}", "port": {{PostgreSqlCluster.Port}},
            "user": "{{PostgreSqlCluster.User}}", "password": "{{PostgreSqlCluster.Password}}"
            """;
        return $$"""
            {
              "Dhcp6": {
                "data-directory": "{dir}",
                "interfaces-config": { "interfaces": [ "{iface}" ] },
                "lease-database": { "type": "postgresql", {{access}} },
                "hosts-database": { "type": "postgresql", {{access}}, "readonly": true },
                "host-reservation-identifiers": [ "duid" ],
                "preferred-lifetime": 3000, "valid-lifetime": 4000,
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
                               "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] } ],
                "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
              }
            }
            """;
    }

    [PostgreSqlFact]
    public async Task KeaAndPukekoGiveTheReservedAddressFromTheSameHostRows()
    {
        byte[] duid = [0, 3, 0, 1, .. ReservedMac];
        await using (var db = _cluster.DataSource(_database))
        {
            // As Kea's reservation-add (or an operator) writes a DUID reservation in subnet 1.
            await PostgreSqlCluster.ExecuteAsync(db,
                $"INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id) VALUES ('\\x{Convert.ToHexString(duid)}'::bytea, 1, 1);"
                + $"INSERT INTO ipv6_reservations (address, prefix_len, type, host_id) VALUES ('{ReservedAddress}', 128, 0, currval('hosts_host_id_seq'));");
        }

        using var reserved = ClientWithDuidLl("reserved", ReservedMac);
        using var kea = ClientWithDuidLl("kea-other", [0x02, 0, 0, 0, 0xdd, 0x02]);
        using var pukeko = ClientWithDuidLl("pukeko-other", [0x02, 0, 0, 0, 0xdd, 0x03]);

        using (var server = KeaProcess.Start(_lab, Config(), _serverDir))
        {
            Assert.Equal(ReservedAddress, reserved.ObtainAddress(server.Output));
            Assert.StartsWith("2001:db8:1::1", kea.ObtainAddress(server.Output), StringComparison.Ordinal);
            Assert.True(server.Stop(TimeSpan.FromSeconds(10)), "kea-dhcp6 did not stop on SIGTERM");
        }

        // Pukeko: with Kea's leases gone, so only the host row can name the address, a fresh start of the same
        // client (its lease forgotten, so it solicits) gets the same address.
        await using (var db = _cluster.DataSource(_database))
        {
            await PostgreSqlCluster.ExecuteAsync(db, "DELETE FROM lease6");
        }

        reserved.ForgetLease();
        using (var server = ServerProcess.Start(_lab, Config(), _serverDir))
        {
            Assert.Equal(ReservedAddress, reserved.ObtainAddress(server.Output));
            var other = pukeko.ObtainAddress(server.Output);
            Assert.NotEqual(ReservedAddress, other);
            Assert.StartsWith("2001:db8:1::1", other, StringComparison.Ordinal);
        }
    }

    [PostgreSqlFact]
    public async Task KeaServesAHostThatPukekoWrote()
    {
        // The host written by the code behind Pukeko's reservation-add (an address, a hostname, an option as text and
        // one as hex): Kea 2.2 reads every row of it (a row it cannot read fails its lookup and the client gets no
        // address) and gives the reserved address.
        const string WrittenAddress = "2001:db8:1::2:beef";
        byte[] mac = [0x02, 0, 0, 0, 0xdd, 0x04];
        var access = SqlDatabaseAccess.Default with
        {
            Name = _database, Host = _cluster.SocketDirectory, Port = PostgreSqlCluster.Port, User = PostgreSqlCluster.User, Password = PostgreSqlCluster.Password,
        };
        await using (var source = await PgSqlHostDataSource.OpenAsync(new HostsDatabaseConfig(access, ReadOnly: false), NullLogger.Instance))
        {
            await source.AddAsync(
                new HostReservation
                {
                    IdentifierType = HostIdentifierType.Duid,
                    Identifier = [0, 3, 0, 1, .. mac],
                    SubnetId = 1,
                    IpAddresses = [Ipv6Address.Parse(WrittenAddress)],
                    Hostname = "written.example.org",
                    Options =
                    [
                        new OptionDescriptor(23, "dhcp6", "dns-servers", Convert.FromHexString("20010db8000000000000000000000053"), false, false, null, "2001:db8::53"),
                        new OptionDescriptor(7, "dhcp6", "preference", [0xff], true, false),
                    ],
                },
                uniqueReservations: true);
        }

        using var written = ClientWithDuidLl("written", mac);
        using var server = KeaProcess.Start(_lab, Config(), _serverDir);
        Assert.Equal(WrittenAddress, written.ObtainAddress(server.Output));
        Assert.True(server.Stop(TimeSpan.FromSeconds(10)), "kea-dhcp6 did not stop on SIGTERM");
    }

    public async Task DisposeAsync()
    {
        _lab.Dispose();
        await _cluster.DisposeAsync();
        Directory.Delete(_serverDir, recursive: true);
        Directory.Delete(_clientsDir, recursive: true);
    }

    private Dhclient ClientWithDuidLl(string name, byte[] mac)
    {
        var client = new Dhclient(_lab, Directory.CreateDirectory(Path.Combine(_clientsDir, name)).FullName);
        client.UseDuidLl(mac);
        return client;
    }
}
