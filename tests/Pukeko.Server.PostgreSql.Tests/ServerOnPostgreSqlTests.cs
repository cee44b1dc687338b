using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
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

    public void Dispose() => _root.Delete(recursive: true);

    private Dhcp6Server NewServer(string database)
    {
        var environment = new ConfigEnvironment(
            Path.Combine(_root.FullName, "data"), Path.Combine(_root.FullName, "log"), Path.Combine(_root.FullName, "run"), Path.Combine(_root.FullName, "hooks"));
        Directory.CreateDirectory(environment.DataDirectory);
        var configFile = Path.Combine(_root.FullName, "kea-dhcp6.conf");
        File.WriteAllText(configFile, $$"""
            {
              "Dhcp6": {
                "interfaces-config": { "interfaces": [ "lo" ] },
                "lease-database": { "type": "postgresql", "name": "{{database}}", "host": "{{cluster.SocketDirectory}}",
                                    "port": {{PostgreSqlCluster.Port}}, "user": "{{PostgreSqlCluster.User}}",
                                    "password": "{{PostgreSqlCluster.Password}}", "connect-timeout": 5 },
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "lo", "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::ffff" } ] } ]
              }
            }
            """);
        var options = new ServerOptions(configFile, FreeUdpPort(), FreeUdpPort())
        {
            OpenPostgreSqlLeaseStore = PgSqlLeaseStore.OpenAsync,
        };
        return new Dhcp6Server(options, environment, NullLoggerFactory.Instance, TimeProvider.System);
    }

    private static ushort FreeUdpPort() => (ushort)Pukeko.Server.Tests.Support.LoopbackPorts.Free();
}
