using Npgsql;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Server.PostgreSql.Tests;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Real Kea 2.2 (<c>kea-dhcp6</c> with its PostgreSQL backend) and <c>pukeko-dhcp6</c> taking turns on one
/// PostgreSQL database made by Debian's <c>kea-admin db-init pgsql</c>, with ISC dhclient as the client: each
/// server reads and renews the leases the other wrote, and Kea's statistics table stays right.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PostgreSqlInteropTests : IAsyncLifetime
{
    private readonly NetworkLab _lab = new();
    private readonly PostgreSqlCluster _cluster = new();
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-pg-interop-").FullName;
    private readonly string _clientsDir = Directory.CreateTempSubdirectory("pukeko-pg-interop-clients-").FullName;
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        if (PostgreSqlCluster.MissingReason is null)
        {
            _database = await _cluster.CreateDatabaseAsync();
        }
    }

    /// <summary>One configuration file both servers run unchanged.</summary>
    private string Config() => $$"""
        {
          "Dhcp6": {
            "data-directory": "{dir}",
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "postgresql", "name": "{{_database}}", "host": "{{_cluster.SocketDirectory}}",
                                "port": {{PostgreSqlCluster.Port}}, "user": "{{PostgreSqlCluster.User}}",
                                "password": "{{PostgreSqlCluster.Password}}" },
            "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
            // Lease caching (on by default in both) would hand out a lease this young unchanged.
            "cache-max-age": 1,
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
                           "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] } ],
            "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
          }
        }
        """;

    [PostgreSqlFact]
    public async Task KeaAndPukekoRenewEachOthersLeasesInOneDatabase()
    {
        using var first = ClientWithDuidLl("first", [0x02, 0, 0, 0, 0xcc, 0x01]);
        using var second = ClientWithDuidLl("second", [0x02, 0, 0, 0, 0xcc, 0x02]);
        string firstAddress, secondAddress;
        DateTime keaExpiry;

        // 1. Kea 2.2 gives the first client a lease: a row in lease6, counted in Kea's lease6_stat.
        using (var kea = KeaProcess.Start(_lab, Config(), _serverDir))
        {
            firstAddress = first.ObtainAddress(kea.Output);
            Assert.True(kea.Stop(TimeSpan.FromSeconds(10)), "kea-dhcp6 did not stop on SIGTERM");
        }

        keaExpiry = await ExpiryAsync(firstAddress);

        // 2. Pukeko on the same database: the first client gets Kea's lease renewed (same address, later
        //    expiry), and a new client gets another address, not Kea's.
        using (var pukeko = ServerProcess.Start(_lab, Config(), _serverDir))
        {
            await Task.Delay(2100); // older than cache-max-age, and expire has whole seconds
            first.ForgetLease();
            Assert.Equal(firstAddress, first.ObtainAddress(pukeko.Output));
            var renewed = await ExpiryAsync(firstAddress);
            Assert.True(renewed > keaExpiry, $"Pukeko did not renew the lease Kea wrote: {keaExpiry:O} then {renewed:O}\n{pukeko.Output}");
            secondAddress = second.ObtainAddress(pukeko.Output);
            Assert.NotEqual(firstAddress, secondAddress);
        }

        var pukekoExpiry = await ExpiryAsync(secondAddress);

        // 3. Kea again: it renews the lease Pukeko wrote.
        using (var kea = KeaProcess.Start(_lab, Config(), _serverDir))
        {
            await Task.Delay(2100);
            second.ForgetLease();
            Assert.Equal(secondAddress, second.ObtainAddress(kea.Output));
            Assert.True(await ExpiryAsync(secondAddress) > pukekoExpiry, "Kea did not renew the lease Pukeko wrote");
            Assert.True(kea.Stop(TimeSpan.FromSeconds(10)), "kea-dhcp6 did not stop on SIGTERM");
        }

        // Two leases, each once; Kea's statistics table (kept by the schema's triggers) agrees.
        await using var db = _cluster.DataSource(_database);
        Assert.Equal(2L, await ScalarAsync(db, "SELECT count(*) FROM lease6 WHERE subnet_id = 1 AND lease_type = 0 AND state = 0"));
        Assert.Equal(2L, await ScalarAsync(db, "SELECT coalesce(sum(leases), 0) FROM lease6_stat WHERE subnet_id = 1 AND lease_type = 0 AND state = 0"));
    }

    public async Task DisposeAsync()
    {
        _lab.Dispose();
        await _cluster.DisposeAsync();
        Directory.Delete(_serverDir, recursive: true);
        Directory.Delete(_clientsDir, recursive: true);
    }

    private async Task<DateTime> ExpiryAsync(string address)
    {
        await using var db = _cluster.DataSource(_database);
        await using var command = db.CreateCommand("SELECT expire FROM lease6 WHERE address = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = address });
        var value = await command.ExecuteScalarAsync();
        Assert.True(value is DateTime, $"no lease6 row for {address}");
        return (DateTime)value;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Dhclient ClientWithDuidLl(string name, byte[] mac)
    {
        var client = new Dhclient(_lab, Directory.CreateDirectory(Path.Combine(_clientsDir, name)).FullName);
        client.UseDuidLl(mac);
        return client;
    }
}
