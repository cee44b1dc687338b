using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The database server restarted or gone under a running <see cref="Dhcp6Server"/>: Kea's <c>on-fail</c> modes with
/// <c>max-reconnect-tries</c> and <c>reconnect-wait-time</c>, on a real PostgreSQL stopped and started by the test.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class DatabaseRecoveryTests(PostgreSqlCluster cluster) : IDisposable
{
    private static readonly Ipv6Address Probe = Ipv6Address.Parse("2001:db8:1::42");
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("pukeko-pg-recovery-");

    [PostgreSqlFact]
    public async Task Stop_retry_exit_disables_service_while_the_database_is_down_and_enables_it_once_reconnected()
    {
        await using var server = await StartServerAsync("\"max-reconnect-tries\": 100, \"reconnect-wait-time\": 200");
        var shutdown = RecordShutdown(server);
        try
        {
            await cluster.StopServerAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => server.Leases!.GetAsync(Probe).AsTask());
            Assert.True(await Eventually.WaitUntilAsync(() => server.Network.DisabledBy.Contains(DatabaseRecovery.Origin)), "service not disabled");

            // While it is lost, operations fail at once instead of waiting for a connect timeout each.
            var started = Stopwatch.StartNew();
            await Assert.ThrowsAsync<LeaseStoreUnavailableException>(() => server.Leases!.GetAsync(Probe).AsTask());
            Assert.True(started.ElapsedMilliseconds < 1000);
        }
        finally
        {
            await cluster.StartServerAsync();
        }

        Assert.True(await Eventually.WaitUntilAsync(() => server.Network.Enabled), "service not enabled again after the database came back");
        Assert.Null(await server.Leases!.GetAsync(Probe));
        Assert.Empty(shutdown);
    }

    [PostgreSqlFact]
    public async Task Stop_retry_exit_shuts_the_server_down_with_exit_code_1_when_the_tries_run_out()
    {
        await using var server = await StartServerAsync("\"max-reconnect-tries\": 2, \"reconnect-wait-time\": 100");
        var shutdown = RecordShutdown(server);
        try
        {
            await cluster.StopServerAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => server.Leases!.GetAsync(Probe).AsTask());
            Assert.True(await Eventually.WaitUntilAsync(() => !shutdown.IsEmpty), "no shutdown requested");
            Assert.Equal([1], shutdown);
        }
        finally
        {
            await cluster.StartServerAsync();
        }
    }

    [PostgreSqlFact]
    public async Task Without_reconnect_settings_a_lost_connection_shuts_the_server_down_as_Keas_default_does()
    {
        await using var server = await StartServerAsync(string.Empty);
        var shutdown = RecordShutdown(server);
        try
        {
            await cluster.StopServerAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => server.Leases!.GetAsync(Probe).AsTask());
            Assert.True(await Eventually.WaitUntilAsync(() => !shutdown.IsEmpty), "no shutdown requested");
        }
        finally
        {
            await cluster.StartServerAsync();
        }
    }

    [PostgreSqlFact]
    public async Task Serve_retry_continue_keeps_serving_and_running_and_uses_the_database_again_when_it_is_back()
    {
        await using var server = await StartServerAsync("\"max-reconnect-tries\": 1, \"reconnect-wait-time\": 100, \"on-fail\": \"serve-retry-continue\"");
        var shutdown = RecordShutdown(server);
        try
        {
            await cluster.StopServerAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => server.Leases!.GetAsync(Probe).AsTask());

            // The one retry fails; the server gives up reconnecting but neither stops serving nor exits.
            await Task.Delay(1000);
            Assert.True(server.Network.Enabled);
            Assert.Empty(shutdown);
        }
        finally
        {
            await cluster.StartServerAsync();
        }

        // The next operation tries the database itself.
        Assert.True(await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                return await server.Leases!.GetAsync(Probe) is null;
            }
            catch (Exception e) when (e is LeaseStoreUnavailableException or Npgsql.NpgsqlException)
            {
                return false;
            }
        }), "the database was not used again");
        Assert.Empty(shutdown);
    }

    [PostgreSqlFact]
    public async Task Retry_on_startup_starts_the_server_before_the_database_and_serves_and_counts_once_it_is_reached()
    {
        var database = await cluster.CreateDatabaseAsync();
        var existing = Ipv6Address.Parse("2001:db8:1::7");
        await using (var db = cluster.DataSource(database))
        {
            await PostgreSqlCluster.ExecuteAsync(db,
                "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, state) "
                + "VALUES ('2001:db8:1::7', '\\x0001000102030405'::bytea, 4000, now() + interval '1 hour', 1, 3000, 0, 1, 128, false, false, '', 0)");
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
        Dhcp6Server? server = null;
        System.Collections.Concurrent.ConcurrentQueue<int> shutdown;
        await cluster.StopServerAsync();
        try
        {
            server = await StartServerAsync("\"retry-on-startup\": true, \"max-reconnect-tries\": 600, \"reconnect-wait-time\": 100", database);
            shutdown = RecordShutdown(server);

            // Up without its database: service disabled (stop-retry-exit), lease operations fail at once.
            Assert.True(await Eventually.WaitUntilAsync(() => server.Network.DisabledBy.Contains(DatabaseRecovery.Origin)), "service not disabled");
            await Assert.ThrowsAsync<LeaseStoreUnavailableException>(() => server.Leases!.GetAsync(Probe).AsTask());
        }
        finally
        {
            await cluster.StartServerAsync();
        }

        await using (server)
        {
            Assert.True(await Eventually.WaitUntilAsync(() => server.Network.Enabled), "service not enabled once the database was reached");
            Assert.NotNull(await server.Leases!.GetAsync(existing));

            // The statistics the start could not count are counted on reconnecting.
            Assert.Equal(1, server.Statistics.Value(Pukeko.Server.Statistics.StatisticsRegistry.SubnetName(1, "assigned-nas")));
            Assert.Empty(shutdown);
        }
    }

    [PostgreSqlFact]
    public async Task Retry_on_startup_exits_with_code_1_when_the_database_is_never_reached()
    {
        var database = await cluster.CreateDatabaseAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await cluster.StopServerAsync();
        try
        {
            // The tries take 2 s, long after the watch below begins.
            await using var server = await StartServerAsync("\"retry-on-startup\": true, \"max-reconnect-tries\": 2, \"reconnect-wait-time\": 1000", database);
            var shutdown = RecordShutdown(server);
            Assert.True(await Eventually.WaitUntilAsync(() => !shutdown.IsEmpty), "no shutdown requested");
            Assert.Equal([1], shutdown);
        }
        finally
        {
            await cluster.StartServerAsync();
        }
    }

    [PostgreSqlFact]
    public async Task Without_retry_on_startup_a_database_that_is_down_fails_the_start()
    {
        var database = await cluster.CreateDatabaseAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await cluster.StopServerAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => StartServerAsync("\"max-reconnect-tries\": 600, \"reconnect-wait-time\": 100", database));
        }
        finally
        {
            await cluster.StartServerAsync();
        }
    }

    [PostgreSqlFact]
    public async Task A_lost_hosts_database_disables_service_under_its_own_origin_until_it_is_back()
    {
        await using var server = await StartServerWithHostsDatabaseAsync("\"max-reconnect-tries\": 100, \"reconnect-wait-time\": 200");
        var shutdown = RecordShutdown(server);
        var hosts = (PgSqlHostDataSource)Assert.Single(server.HostSources);
        try
        {
            await cluster.StopServerAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => hosts.FindByAddressAsync(1, Probe).AsTask());
            Assert.True(await Eventually.WaitUntilAsync(() => server.Network.DisabledBy.Contains(DatabaseRecovery.HostsOrigin(0))), "service not disabled");
            var status = await server.Commands.ExecuteAsync("""{"command": "status-get"}"""u8.ToArray(), CancellationToken.None);
            Assert.True(status["arguments"]!["dhcp-state"]!["disabled-by-db-connection"]!.GetValue<bool>());

            // While it is lost, lookups fail at once instead of waiting for a connect timeout each.
            var started = Stopwatch.StartNew();
            await Assert.ThrowsAsync<LeaseStoreUnavailableException>(() => hosts.FindByAddressAsync(1, Probe).AsTask());
            Assert.True(started.ElapsedMilliseconds < 1000);
        }
        finally
        {
            await cluster.StartServerAsync();
        }

        Assert.True(await Eventually.WaitUntilAsync(() => server.Network.Enabled), "service not enabled again after the hosts database came back");
        Assert.Empty(await hosts.FindByAddressAsync(1, Probe));
        Assert.Empty(shutdown);
    }

    [PostgreSqlFact]
    public async Task A_hosts_database_that_stays_away_shuts_the_server_down_with_exit_code_1()
    {
        await using var server = await StartServerWithHostsDatabaseAsync("\"max-reconnect-tries\": 2, \"reconnect-wait-time\": 100");
        var shutdown = RecordShutdown(server);
        var hosts = Assert.Single(server.HostSources);
        try
        {
            await cluster.StopServerAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => hosts.FindByAddressAsync(1, Probe).AsTask());
            Assert.True(await Eventually.WaitUntilAsync(() => !shutdown.IsEmpty), "no shutdown requested");
            Assert.Equal([1], shutdown);
        }
        finally
        {
            await cluster.StartServerAsync();
        }
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static System.Collections.Concurrent.ConcurrentQueue<int> RecordShutdown(Dhcp6Server server)
    {
        var requested = new System.Collections.Concurrent.ConcurrentQueue<int>();
        server.ShutdownRequested += requested.Enqueue;
        return requested;
    }

    /// <summary>A server whose leases are in the PostgreSQL database <paramref name="database"/> (null: a new one).</summary>
    private async Task<Dhcp6Server> StartServerAsync(string reconnect, string? database = null)
    {
        database ??= await cluster.CreateDatabaseAsync();
        var extra = reconnect.Length > 0 ? ", " + reconnect : string.Empty;
        return await StartAsync(
            $$"""
            "lease-database": { "type": "postgresql", {{Connection(database)}} {{extra}} },
            """,
            new ServerOptions("", 0) { OpenPostgreSqlLeaseStore = PgSqlLeaseStore.OpenAsync });
    }

    [PostgreSqlFact]
    public async Task Retry_on_startup_starts_the_server_before_its_hosts_database_and_serves_once_it_is_reached()
    {
        var database = await cluster.CreateDatabaseAsync();
        await cluster.StopServerAsync();
        Dhcp6Server server;
        try
        {
            server = await StartServerWithHostsDatabaseAsync("\"retry-on-startup\": true, \"max-reconnect-tries\": 200, \"reconnect-wait-time\": 100", database);
            Assert.True(await Eventually.WaitUntilAsync(() => server.Network.DisabledBy.Contains(DatabaseRecovery.HostsOrigin(0))), "service not disabled");
        }
        finally
        {
            await cluster.StartServerAsync();
        }

        await using (server)
        {
            Assert.True(await Eventually.WaitUntilAsync(() => server.Network.Enabled), "service not enabled once the hosts database was reached");
            Assert.Empty(await Assert.Single(server.HostSources).FindByAddressAsync(1, Probe));
        }
    }

    /// <summary>A server whose leases are in memory and whose reservations are in a PostgreSQL hosts database.</summary>
    /// <param name="database">A database made earlier (the cluster may be down); null makes a new one.</param>
    private async Task<Dhcp6Server> StartServerWithHostsDatabaseAsync(string reconnect, string? database = null)
    {
        database ??= await cluster.CreateDatabaseAsync();
        return await StartAsync(
            $$"""
            "lease-database": { "type": "memfile", "persist": false },
            "hosts-database": { "type": "postgresql", {{Connection(database)}}, {{reconnect}} },
            """,
            new ServerOptions("", 0) { OpenPostgreSqlHostSource = PgSqlHostDataSource.OpenAsync });
    }

    /// <summary>The connection keys of a database on the test cluster.</summary>
    private string Connection(string database) =>
        $$"""
        "name": "{{database}}", "host": "{{cluster.SocketDirectory}}", "port": {{PostgreSqlCluster.Port}},
        "user": "{{PostgreSqlCluster.User}}", "password": "{{PostgreSqlCluster.Password}}", "connect-timeout": 2
        """;

    /// <summary>Starts a server on loopback with <paramref name="databases"/> (the database keys) and the openers of <paramref name="openers"/>.</summary>
    private Task<Dhcp6Server> StartAsync(string databases, ServerOptions openers) => LoopbackTestServer.StartAsync(_root, databases, openers);
}
