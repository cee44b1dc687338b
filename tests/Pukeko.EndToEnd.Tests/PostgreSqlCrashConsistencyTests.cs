using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.PostgreSql.Tests;
using Pukeko.Server.Tests.Support;
using Xunit.Abstractions;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Crash consistency on the PostgreSQL lease backend (issue 15): the real server on a <c>postgresql</c>
/// lease-database, under load from many fresh clients, is killed with SIGKILL at random moments and restarted on
/// the same database; at some of the points the database itself is restarted under load first (fast and immediate
/// shutdown) while the server keeps running, and the server must recover by its <c>on-fail</c> mode
/// (<c>stop-retry-exit</c> and <c>serve-retry-continue</c> in turn). Every lease a client saw acknowledged must be a
/// committed row of <c>lease6</c> with that client's DUID, and no address may be acknowledged to two clients.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PostgreSqlCrashConsistencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int KillPoints = 60;
    private const int DatabaseRestartEvery = 5;
    private const int Senders = 4;
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AnswerPatience = TimeSpan.FromSeconds(30);

    private readonly PostgreSqlCluster _cluster = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-pg-crash-").FullName;
    private string _database = string.Empty;
    private LoopbackServer? _server;

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        if (PostgreSqlCluster.MissingReason is null)
        {
            _database = await _cluster.CreateDatabaseAsync();
        }
    }

    [PostgreSqlFact]
    public async Task Leases_acknowledged_before_a_SIGKILL_or_a_database_restart_are_all_committed_and_no_address_goes_to_two_clients()
    {
        var serverPort = (ushort)LoopbackPorts.Free();
        using var load = new FreshClientLoad(serverPort);
        var random = new Random(Environment.TickCount);
        var restarts = new Dictionary<string, int>();
        var took = Stopwatch.StartNew();
        TimeSpan starting = TimeSpan.Zero, loading = TimeSpan.Zero, restarting = TimeSpan.Zero;
        for (var kill = 0; kill < KillPoints; kill++)
        {
            // Both on-fail modes that keep the server alive through a restart, with enough tries for it.
            var onFail = kill % 2 == 0 ? "stop-retry-exit" : "serve-retry-continue";
            var phase = Stopwatch.StartNew();
            _server = LoopbackServer.Start(WriteConfig(onFail), _directory, serverPort, load.ClientPort, StartPatience);
            starting += phase.Elapsed;
            load.BeginRound();
            using var stop = new CancellationTokenSource();
            var sending = load.SendAsync(Senders, stop.Token);

            // The kill comes at a random moment once the server answers (a fresh process on a busy machine may
            // take a while for its first lease), so each life has leases committed and requests in flight.
            phase.Restart();
            await WaitForNewLeaseAsync(load, load.Acknowledged.Count, "its first lease");
            await Task.Delay(random.Next(30, 300));
            loading += phase.Elapsed;

            if (kill % DatabaseRestartEvery == 2)
            {
                // Two restarts of each shutdown mode in turn, so each meets both on-fail modes.
                phase.Restart();
                var index = restarts.Values.Sum();
                var mode = index / 2 % 2 == 0 ? "fast" : "immediate";
                await _cluster.StopServerAsync(mode);
                await Task.Delay(random.Next(0, 200));
                await _cluster.StartServerAsync();
                var key = $"{mode}/{onFail}";
                restarts[key] = restarts.GetValueOrDefault(key) + 1;

                // The server is still running and acknowledges new leases again, on the reconnected database.
                await WaitForNewLeaseAsync(load, load.Acknowledged.Count, $"a lease after a {mode} database restart under {onFail}");
                await Task.Delay(random.Next(0, 100));
                restarting += phase.Elapsed;
            }

            // SIGKILL now, with requests in flight.
            await stop.CancelAsync();
            await sending;
            await _server.KillAsync();
            _server.Dispose();
            _server = null;
            await load.EndRoundAsync();
        }

        var stored = await LeaseRowsAsync();
        var acknowledged = load.Acknowledged;
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var holder) || !holder.AsSpan().SequenceEqual(a.Value)).Select(a => a.Key.ToString()).ToList();
        output.WriteLine($"{KillPoints} SIGKILLs, {restarts.Values.Sum()} database restarts ({string.Join(", ", restarts.Select(r => $"{r.Key}: {r.Value}"))}), "
            + $"{load.ClientsSent} clients sent, {acknowledged.Count} leases acknowledged, {stored.Count} rows in lease6, {lost.Count} lost, "
            + $"{load.AcknowledgedTwice.Count} addresses acknowledged to two clients, {took.Elapsed.TotalSeconds:F0} s "
            + $"(server starts {starting.TotalSeconds:F0} s, load {loading.TotalSeconds:F0} s, database restarts {restarting.TotalSeconds:F0} s)");
        Assert.Empty(load.AcknowledgedTwice);
        Assert.Empty(lost);
        Assert.True(acknowledged.Count > KillPoints, "the load acknowledged too few leases to prove anything");
        Assert.Equal(4, restarts.Count);
    }

    /// <summary>Waits (bounded) until a lease beyond the first <paramref name="before"/> is acknowledged, with the server still running.</summary>
    private async Task WaitForNewLeaseAsync(FreshClientLoad load, int before, string what)
    {
        var waited = Stopwatch.StartNew();
        while (load.Acknowledged.Count == before && !_server!.HasExited && waited.Elapsed < AnswerPatience)
        {
            await Task.Delay(10);
        }

        Assert.False(_server!.HasExited, $"the server exited while waiting for {what}:\n{_server.Log}");
        Assert.True(load.Acknowledged.Count > before, $"no {what} within {AnswerPatience}:\n{_server.Log}");
    }

    private string WriteConfig(string onFail)
    {
        var config = $$"""
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "lo" ] },
            "lease-database": { "type": "postgresql", "name": "{{_database}}", "host": "{{_cluster.SocketDirectory}}",
                                "port": {{PostgreSqlCluster.Port}}, "user": "{{PostgreSqlCluster.User}}",
                                "password": "{{PostgreSqlCluster.Password}}", "connect-timeout": 5,
                                "max-reconnect-tries": 600, "reconnect-wait-time": 100, "on-fail": "{{onFail}}" },
            "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64 },
            "valid-lifetime": 40000, "preferred-lifetime": 30000,
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "rapid-commit": true,
              "pools": [ { "pool": "2001:db8:1::1:0-2001:db8:1::ffff:ffff" } ]
            } ],
            "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
          }
        }
        """;
        var file = Path.Combine(_directory, "kea-dhcp6.conf");
        File.WriteAllText(file, config);
        return file;
    }

    /// <summary>Every committed lease, read directly from <c>lease6</c>: address and DUID.</summary>
    private async Task<Dictionary<Ipv6Address, byte[]>> LeaseRowsAsync()
    {
        await using var db = _cluster.DataSource(_database);
        await using var command = db.CreateCommand("SELECT address, duid FROM lease6");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<Ipv6Address, byte[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Ipv6Address.Parse(reader.GetString(0)), reader.IsDBNull(1) ? [] : (byte[])reader.GetValue(1));
        }

        return rows;
    }

    public async Task DisposeAsync()
    {
        _server?.Dispose();
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
