using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hosting;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The network to the database cut, not the database stopped: PostgreSQL runs in a network namespace of its own,
/// reached over a veth pair, and the cut is a blackhole route in that namespace for the server's address. The
/// database's replies (and its half of every new connection) vanish without an error, as on a broken link, so a
/// statement under way waits for its answer until <c>tcp-user-timeout</c> ends the connection. Needs root (the test
/// command runs as root).
/// </summary>
public sealed class NetworkCutTests : IAsyncLifetime
{
    // A /30 of TEST-NET-2 per test process, so a pair another run left behind cannot take its route.
    private static readonly int Block = 4 * (Environment.ProcessId % 63);
    private static readonly string ServerAddress = $"198.51.100.{Block + 1}";
    private static readonly string DatabaseAddress = $"198.51.100.{Block + 2}";
    private static readonly Ipv6Address Probe = Ipv6Address.Parse("2001:db8:1::42");
    private static readonly int TcpPort = LoopbackPorts.Free();

    private readonly string _namespace = $"pkpgcut{Environment.ProcessId}";
    private readonly string _hostLink = $"pkpc{Environment.ProcessId}h";
    private readonly string _databaseLink = $"pkpc{Environment.ProcessId}d";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("pukeko-pg-cut-");
    private readonly PostgreSqlCluster _cluster;
    private string _database = string.Empty;
    private bool _namespaceMade;

    public NetworkCutTests()
    {
        _cluster = new PostgreSqlCluster
        {
            ServerPort = TcpPort, ListenAddresses = DatabaseAddress, NetworkNamespace = _namespace, Prepare = TrustTheServerAsync,
        };
    }

    public async Task InitializeAsync()
    {
        if (PostgreSqlCluster.MissingReason is not null || !Environment.IsPrivilegedProcess)
        {
            return;
        }

        try
        {
            await Ip("netns", "add", _namespace);
            _namespaceMade = true;
            await Ip("link", "add", _hostLink, "type", "veth", "peer", "name", _databaseLink);
            await Ip("link", "set", _databaseLink, "netns", _namespace);
            await Ip("addr", "add", ServerAddress + "/30", "dev", _hostLink);
            await Ip("link", "set", _hostLink, "up");
            await InNamespace("addr", "add", DatabaseAddress + "/30", "dev", _databaseLink);
            await InNamespace("link", "set", _databaseLink, "up");
            await InNamespace("link", "set", "lo", "up");
            await _cluster.InitializeAsync();
            _database = await _cluster.CreateDatabaseAsync();
            await WaitForTcpAsync();
        }
        catch
        {
            // xunit does not dispose a test class whose initialization failed.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Until a connection over the veth pair succeeds: a fresh link may lose the first SYN (neighbour discovery, carrier),
    /// and its retransmission comes after the servers' one-second connect timeout.
    /// </summary>
    private async Task WaitForTcpAsync()
    {
        var settings = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = DatabaseAddress, Port = TcpPort, Database = _database, Username = PostgreSqlCluster.User, Password = PostgreSqlCluster.Password,
            Timeout = 5, Pooling = false,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new Npgsql.NpgsqlConnection(settings.ConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (Npgsql.NpgsqlException) when (attempt < 5)
            {
            }
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _cluster.DisposeAsync();
        }
        finally
        {
            if (_namespaceMade)
            {
                _namespaceMade = false;
                await Ip("netns", "del", _namespace);

                // The pair goes with its namespace only once the kernel has freed every socket in it, and the cut
                // leaves the database's side with unsent data for minutes: deleting one end deletes both now.
                try
                {
                    await Ip("link", "del", _hostLink);
                }
                catch (InvalidOperationException)
                {
                    // Already gone with the namespace.
                }
            }

            if (_root.Exists)
            {
                _root.Delete(recursive: true);
            }
        }
    }

    [PostgreSqlFact]
    public async Task A_cut_longer_than_the_reconnect_tries_fails_the_waiting_statement_at_the_tcp_user_timeout_and_exits_with_code_1()
    {
        Assert.True(Environment.IsPrivilegedProcess, "a network namespace needs root");
        await using var server = await StartServerAsync("\"tcp-user-timeout\": 1, \"max-reconnect-tries\": 2, \"reconnect-wait-time\": 200");
        var shutdown = new System.Collections.Concurrent.ConcurrentQueue<int>();
        server.ShutdownRequested += shutdown.Enqueue;
        Assert.Null(await server.Leases!.GetAsync(Probe));

        await CutAsync();
        var waited = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => server.Leases!.GetAsync(Probe).AsTask());
        // One second of tcp-user-timeout, not Npgsql's 30-s command timeout or TCP's quarter of an hour of retries.
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"the statement failed after {waited.Elapsed}");
        Assert.True(await Eventually.WaitUntilAsync(() => !shutdown.IsEmpty), "no shutdown requested");
        Assert.Equal([1], shutdown);
        Assert.Contains(DatabaseRecovery.Origin, server.Network.DisabledBy);
    }

    [PostgreSqlFact]
    public async Task With_serve_retry_continue_the_server_keeps_running_through_the_cut_and_uses_the_database_once_it_is_back()
    {
        Assert.True(Environment.IsPrivilegedProcess, "a network namespace needs root");
        await using var server = await StartServerAsync(
            "\"tcp-user-timeout\": 1, \"max-reconnect-tries\": 1, \"reconnect-wait-time\": 200, \"on-fail\": \"serve-retry-continue\"");
        var shutdown = new System.Collections.Concurrent.ConcurrentQueue<int>();
        server.ShutdownRequested += shutdown.Enqueue;
        Assert.Null(await server.Leases!.GetAsync(Probe));

        await CutAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => server.Leases!.GetAsync(Probe).AsTask());
        await Task.Delay(3000);
        Assert.True(server.Network.Enabled);
        Assert.Empty(shutdown);

        await InNamespace("route", "del", "blackhole", ServerAddress + "/32");
        Assert.True(await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                return await server.Leases!.GetAsync(Probe) is null;
            }
            catch (Exception e) when (e is LeaseStoreUnavailableException or Npgsql.NpgsqlException or TimeoutException)
            {
                return false;
            }
        }), "the database was not used again");
        Assert.Empty(shutdown);
    }

    /// <summary>The database's packets to the server vanish from here on.</summary>
    private Task CutAsync() => InNamespace("route", "add", "blackhole", ServerAddress + "/32");

    private Task<Dhcp6Server> StartServerAsync(string keys) =>
        LoopbackTestServer.StartAsync(
            _root,
            $$"""
            "lease-database": { "type": "postgresql", "name": "{{_database}}", "host": "{{DatabaseAddress}}", "port": {{TcpPort}},
                                "user": "{{PostgreSqlCluster.User}}", "password": "{{PostgreSqlCluster.Password}}", "connect-timeout": 1, {{keys}} },
            """,
            new ServerOptions("") { OpenPostgreSqlLeaseStore = PgSqlLeaseStore.OpenAsync });

    /// <summary>initdb trusts only loopback over TCP; the server connects from the other end of the veth pair.</summary>
    private static Task<string> TrustTheServerAsync(PostgreSqlCluster cluster)
    {
        File.AppendAllText(Path.Combine(cluster.DataDirectory, "pg_hba.conf"), $"host all all {ServerAddress}/32 trust\n");
        return Task.FromResult(string.Empty);
    }

    private static Task<string> Ip(params string[] arguments) => PostgreSqlCluster.RunProgramAsync("ip", arguments);

    private Task<string> InNamespace(params string[] arguments) => Ip(["-n", _namespace, .. arguments]);
}
