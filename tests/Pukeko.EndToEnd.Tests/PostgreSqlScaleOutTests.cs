using System.Data;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Server.PostgreSql.Tests;
using Xunit.Abstractions;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Scale-out on one PostgreSQL database (issue 16 item 3): two <c>pukeko-dhcp6</c> servers and Kea 2.2's
/// <c>kea-dhcp6</c> (its own PostgreSQL backend) on one database made by Debian's <c>kea-admin db-init pgsql</c>,
/// each on its own link with its own perfdhcp, all serving the same subnet and the same small pool at once. The
/// database must end with no client holding two leases and no address given to two clients; every lease is seen
/// by every server's <c>lease6-get</c>; Kea's <c>lease6_stat</c> (and its <c>stat-lease6-get</c>) counts what is
/// in <c>lease6</c>. One Pukeko server gives short leases; the other reclaims them, and the reclaimed rows are
/// what the other two servers see.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class PostgreSqlScaleOutTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Hooks = "/usr/lib/x86_64-linux-gnu/kea/hooks";

    // 256 addresses; the three perfdhcp runs use at most 3 x 70 different clients, so all fit but the servers
    // contend for the same addresses.
    private const string PoolFirst = "2001:db8:1::1:0";
    private const string PoolLast = "2001:db8:1::1:ff";
    private const int PoolSize = 256;
    private const int ClientsPerLink = 70;
    private const int ExchangesPerLink = 100;

    // Longer than the load, so every lease is still active when the database is checked after it.
    private const int ShortValidLifetime = 60;

    /// <summary>The subnet's pools in the address-only test: one pool of <see cref="PoolSize"/> addresses.</summary>
    private const string AddressPool = $$"""
        "pools": [ { "pool": "{{PoolFirst}}-{{PoolLast}}" } ]
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly PostgreSqlCluster _cluster = new();
    private readonly List<IDisposable> _owned = [];
    private string _database = string.Empty;

    /// <summary>One server of the three: its name, its link and control socket, and the DUID byte that marks its perfdhcp's clients.</summary>
    internal sealed record Server(string Name, NetworkLab Lab, string Directory, byte Marker, Func<string> Output)
    {
        public string Socket => Path.Combine(Directory, "ctrl");

        /// <summary>perfdhcp's base MAC and DUID (a DUID-LL of that MAC) on this link; perfdhcp varies the last bytes per client.</summary>
        public string[] BaseClient => ["-b", $"mac=02:{Marker:x2}:00:00:00:00", "-b", $"duid=0003000102{Marker:x2}00000000"];

        /// <summary>Whether a lease6 row belongs to one of this link's clients (the marker is the MAC's second byte).</summary>
        public bool Owns(LeaseRow row) => row.Duid.Length > 5 && row.Duid[5] == Marker;
    }

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        if (PostgreSqlCluster.MissingReason is null)
        {
            _database = await _cluster.CreateDatabaseAsync();
        }
    }

    [PostgreSqlFact]
    public async Task Two_Pukeko_servers_and_Kea_share_one_database_under_load_without_giving_an_address_twice()
    {
        Assert.True(File.Exists(Perfdhcp.Executable), "perfdhcp is not installed: apt-get install kea-admin");
        Assert.True(File.Exists(KeaProcess.Executable), "Kea 2.2 is not installed: apt-get install kea-dhcp6-server");

        // Pukeko 1: Kea's default iterative allocator and short leases; it leaves reclamation to the others.
        // Pukeko 2: the random allocator; it reclaims every second and keeps reclaimed rows for hold-reclaimed-time
        // (flush-reclaimed-timer-wait-time 0 would remove them at once, as in Kea).
        // Kea 2.2: its iterative allocator (2.2 has no other); it does not reclaim during the test.
        var first = StartPukeko("pukeko-1", 0x11, $$"""
            "valid-lifetime": {{ShortValidLifetime}}, "preferred-lifetime": {{ShortValidLifetime / 2}},
            "renew-timer": {{ShortValidLifetime / 4}}, "rebind-timer": {{ShortValidLifetime / 3}},
            "expired-leases-processing": { "reclaim-timer-wait-time": 3600 },
            """, string.Empty);
        var second = StartPukeko("pukeko-2", 0x22, """
            "valid-lifetime": 4000, "preferred-lifetime": 3000, "renew-timer": 1000, "rebind-timer": 2000,
            "expired-leases-processing": { "reclaim-timer-wait-time": 1, "hold-reclaimed-time": 3600 },
            """, "\"allocator\": \"random\",");
        var kea = StartKea("kea-2.2", 0x33);
        Server[] servers = [first, second, kea];

        // Three perfdhcp runs at once, one per link: 4-way exchanges from up to 70 clients each, at a modest rate.
        var loads = servers.Select(s => Task.Run(() => Perfdhcp.Run(s.Lab, 180,
        [
            "-r", "10", "-R", ClientsPerLink.ToString(CultureInfo.InvariantCulture), "-n", ExchangesPerLink.ToString(CultureInfo.InvariantCulture),
            "-p", "40", "-d", "3", "-W", "3000000", .. s.BaseClient,
        ]))).ToArray();
        var reports = await Task.WhenAll(loads);

        // 1. One consistent view of the database: every lease, and Kea's statistics table.
        var (rows, stat) = await SnapshotAsync();
        var byServer = servers.ToDictionary(s => s.Name, s => rows.Count(s.Owns));
        var conflicts = new Dictionary<string, long>();
        foreach (var pukeko in new[] { first, second })
        {
            conflicts[pukeko.Name] = (await CommandAsync(pukeko, """{ "command": "statistic-get", "arguments": { "name": "v6-allocation-conflicts" } }"""))
                ["arguments"]!["v6-allocation-conflicts"]![0]![0]!.GetValue<long>();
        }

        var acknowledged = Acknowledgements(servers);
        var addressesToTwoClients = acknowledged.GroupBy(a => a.Address).Where(g => g.Select(a => a.Duid).Distinct().Count() > 1).Select(g => g.Key).ToList();
        var clientsWithTwoLeases = rows.GroupBy(r => (Convert.ToHexString(r.Duid), r.Iaid, r.Type, r.SubnetId)).Where(g => g.Count() > 1).Select(g => g.Key.Item1).ToList();
        output.WriteLine($"leases in lease6: {rows.Count} of {PoolSize} ({string.Join(", ", byServer.Select(s => $"{s.Key}: {s.Value}"))}); "
            + $"acknowledged: {acknowledged.Count} ({string.Join(", ", servers.Select(s => $"{s.Name}: {acknowledged.Count(a => a.Server == s.Name)}"))}); "
            + $"conflicts retried: {string.Join(", ", conflicts.Select(c => $"{c.Key}: {c.Value}"))}; "
            + $"addresses acknowledged to two clients: {addressesToTwoClients.Count}; clients with two leases: {clientsWithTwoLeases.Count}");
        foreach (var (server, report) in servers.Zip(reports))
        {
            output.WriteLine($"perfdhcp on {server.Name}'s link: Solicit {report.SolicitAdvertise.Sent} sent / {report.SolicitAdvertise.Received} answered, "
                + $"Request {report.RequestReply.Sent} sent / {report.RequestReply.Received} answered");
        }

        var context = string.Join("\n", servers.Select(s => $"--- {s.Name} (last lines) ---\n" + string.Join('\n', s.Output().Split('\n').TakeLast(15))));
        var failures = servers.SelectMany(s => s.Output().Split('\n').Where(l => l.Contains("DHCP6_PACKET_PROCESS", StringComparison.Ordinal)).Select(l => $"{s.Name}: {l}")).ToList();
        output.WriteLine($"packets dropped on an exception: {failures.Count}" + string.Concat(failures.Take(5).Select(f => "\n  " + f)));
        Assert.Empty(addressesToTwoClients);
        Assert.Empty(clientsWithTwoLeases);

        // Every row belongs to a client of one of the links, and each server leased to its own clients only.
        Assert.Equal(rows.Count, byServer.Values.Sum());
        foreach (var (server, report) in servers.Zip(reports))
        {
            Assert.True(report.ExitCode is 0 or 3, $"perfdhcp on {server.Name}'s link failed:\n{report.Output}\n{context}");
            Assert.InRange(byServer[server.Name], 1, Math.Min(ClientsPerLink, report.RequestReply.Sent));
        }

        // Each server's acknowledged leases are rows of its clients (a Reply can be lost, a committed row cannot).
        var rowByAddress = rows.ToDictionary(r => r.Address);
        foreach (var ack in acknowledged)
        {
            Assert.True(rowByAddress.TryGetValue(ack.Address, out var row), $"{ack.Server} acknowledged {ack.Address}, which is not in lease6\n{context}");
            Assert.Equal(ack.Duid, FormatDuid(row.Duid));
        }

        Assert.True(rows.Count > PoolSize / 4, $"too few leases ({rows.Count}) to prove anything\n{context}");
        Assert.True(rows.All(r => r.State == 0), "a lease was reclaimed before the load ended");
        AssertStatisticsMatch(rows, stat);
        foreach (var server in servers)
        {
            await AssertKeaStatisticsAsync(server, rows);
        }

        // 2. Every lease can be read through every server: a sample of each server's leases, asked of all three.
        foreach (var owner in servers)
        {
            foreach (var row in rows.Where(owner.Owns).Take(5))
            {
                foreach (var reader in servers)
                {
                    var lease = await Lease6GetAsync(reader, row.Address);
                    Assert.Equal(FormatDuid(row.Duid), lease["duid"]!.GetValue<string>());
                    Assert.Equal(0, lease["state"]!.GetValue<int>());
                }
            }
        }

        // 3. Pukeko 1's short leases expire and Pukeko 2 reclaims them; the reclaimed rows are what the others
        //    read, and Kea's statistics follow.
        var shortLived = rows.Where(first.Owns).Select(r => r.Address).ToHashSet();
        List<LeaseRow> afterwards = [];
        Dictionary<(long, int, long), long> statAfterwards = [];
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            (afterwards, statAfterwards) = await SnapshotAsync();
            if (afterwards.Count(r => shortLived.Contains(r.Address) && r.State == 2) == shortLived.Count)
            {
                break;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(ShortValidLifetime) + Patience, $"Pukeko 1's leases were not all reclaimed\n{context}");
            await Task.Delay(1000);
        }

        Assert.Equal(rows.Count, afterwards.Count); // held for hold-reclaimed-time, and no new leases
        Assert.All(afterwards.Where(r => !shortLived.Contains(r.Address)), r => Assert.Equal(0, r.State));
        AssertStatisticsMatch(afterwards, statAfterwards);
        foreach (var server in servers)
        {
            await AssertKeaStatisticsAsync(server, afterwards);
        }
        var reclaimed = shortLived.Take(5).ToList();
        foreach (var reader in new[] { kea, first })
        {
            foreach (var address in reclaimed)
            {
                Assert.Equal(2, (await Lease6GetAsync(reader, address))["state"]!.GetValue<int>());
            }
        }

        var reclaimedBySecond = (await CommandAsync(second, """{ "command": "statistic-get", "arguments": { "name": "reclaimed-leases" } }"""))
            ["arguments"]!["reclaimed-leases"]![0]![0]!.GetValue<long>();
        output.WriteLine($"reclaimed by pukeko-2: {reclaimedBySecond} (pukeko-1's leases: {shortLived.Count})");
        Assert.Equal(shortLived.Count, reclaimedBySecond);
    }

    /// <summary><c>lease6_stat</c> (kept by the schema's triggers) holds, per subnet, type and state 0 or 1, the number of rows.</summary>
    private static void AssertStatisticsMatch(List<LeaseRow> rows, Dictionary<(long Subnet, int Type, long State), long> stat)
    {
        var counted = rows.Where(r => r.State is 0 or 1).GroupBy(r => (r.SubnetId, (int)r.Type, r.State)).ToDictionary(g => g.Key, g => (long)g.Count());
        foreach (var key in counted.Keys.Union(stat.Keys))
        {
            Assert.True(counted.GetValueOrDefault(key) == stat.GetValueOrDefault(key),
                $"lease6_stat {key}: {stat.GetValueOrDefault(key)}, rows: {counted.GetValueOrDefault(key)}");
        }
    }

    /// <summary>
    /// Kea's <c>stat-lease6-get</c> (stat_cmds, which reads <c>lease6_stat</c>; built into Pukeko) for subnet 1, asked
    /// of one server: the pools' sizes and the active addresses and delegated prefixes (lease types 0 and 2) in
    /// <paramref name="rows"/>, whoever wrote them.
    /// </summary>
    private async Task AssertKeaStatisticsAsync(Server server, List<LeaseRow> rows, long addresses = PoolSize, long prefixes = 0)
    {
        var answer = await CommandAsync(server, """{ "command": "stat-lease6-get", "arguments": { "subnet-id": 1 } }""");
        Assert.True(0 == answer["result"]!.GetValue<int>(), $"{server.Name}: {answer.ToJsonString()}");
        var set = answer["arguments"]!["result-set"]!;
        var columns = set["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        var row = set["rows"]![0]!.AsArray();
        long Column(string name) => row[columns.IndexOf(name)]!.GetValue<long>();
        Assert.Equal((addresses, prefixes), (Column("total-nas"), Column("total-pds")));
        Assert.Equal(rows.Count(r => r.State == 0 && r.Type == 0), Column("assigned-nas"));
        Assert.Equal(rows.Count(r => r.State == 0 && r.Type == 2), Column("assigned-pds"));
    }

    private Server StartPukeko(string name, byte marker, string lifetimes, string subnetExtra, string? pools = null)
    {
        var lab = Own(new NetworkLab());
        var directory = ServerProcess.CreateDirectory();
        var server = Own(ServerProcess.Start(lab, Config(lifetimes, subnetExtra, pools: pools), directory));
        return new Server(name, lab, directory, marker, () => server.Output);
    }

    private Server StartKea(string name, byte marker, string? pools = null)
    {
        var lab = Own(new NetworkLab());
        var directory = ServerProcess.CreateDirectory();
        var config = Config("""
            "valid-lifetime": 4000, "preferred-lifetime": 3000, "renew-timer": 1000, "rebind-timer": 2000,
            "expired-leases-processing": { "reclaim-timer-wait-time": 3600 },
            "server-id": { "type": "LLT", "persist": false },
            """, string.Empty, $", {{ \"library\": \"{Hooks}/libdhcp_stat_cmds.so\" }}", pools);
        var kea = Own(KeaProcess.Start(lab, config, directory));
        return new Server(name, lab, directory, marker, () => kea.Output);
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>
    /// The configuration all three share; each adds its lifetimes and reclamation, and Pukeko 2 its allocator. The
    /// reconnect keys are what docs/postgresql.md advises: on a machine this busy a database operation can time out,
    /// which Kea and Pukeko take as a lost connection, and with Kea's defaults (no retries) the server would exit.
    /// </summary>
    private string Config(string lifetimes, string subnetExtra, string moreHooks = "", string? pools = null) => $$"""
        {
          "Dhcp6": {
            "data-directory": "{dir}",
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "postgresql", "name": "{{_database}}", "host": "{{_cluster.SocketDirectory}}",
                                "port": {{PostgreSqlCluster.Port}}, "user": "{{PostgreSqlCluster.User}}",
                                "password": "{{PostgreSqlCluster.Password}}", "connect-timeout": 10,
                                "max-reconnect-tries": 60, "reconnect-wait-time": 1000 },
            "control-socket": { "socket-type": "unix", "socket-name": "{dir}/ctrl" },
            "hooks-libraries": [ { "library": "{{Hooks}}/libdhcp_lease_cmds.so" }{{moreHooks}} ],
            {{lifetimes}}
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}", {{subnetExtra}}
                           {{pools ?? AddressPool}} } ],
            "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
          }
        }
        """;

    private static async Task<JsonNode> CommandAsync(Server server, string command)
    {
        try
        {
            return await LoopbackServer.CommandAsync(server.Socket, command);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InvalidOperationException($"{server.Name}'s control socket: {e.Message}\n{server.Output()}", e);
        }
    }

    /// <summary><c>lease6-get</c> of an address, or of a delegated prefix with <paramref name="type"/> IA_PD.</summary>
    private static async Task<JsonNode> Lease6GetAsync(Server server, string address, string type = "IA_NA")
    {
        var answer = await CommandAsync(server, $$"""{ "command": "lease6-get", "arguments": { "ip-address": "{{address}}", "type": "{{type}}" } }""");
        Assert.True(answer["result"]!.GetValue<int>() == 0, $"{server.Name} does not see {address}: {answer.ToJsonString()}");
        return answer["arguments"]!;
    }

    /// <summary>Every lease6 row and every lease6_stat row, read in one repeatable-read transaction.</summary>
    private async Task<(List<LeaseRow> Rows, Dictionary<(long, int, long), long> Stat)> SnapshotAsync()
    {
        await using var db = _cluster.DataSource(_database);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        var rows = new List<LeaseRow>();
        await using (var command = new NpgsqlCommand("SELECT address, duid, iaid, lease_type, subnet_id, state FROM lease6", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(new LeaseRow(reader.GetString(0), reader.IsDBNull(1) ? [] : (byte[])reader.GetValue(1), reader.GetInt32(2), reader.GetInt16(3), reader.GetInt64(4), reader.GetInt64(5)));
            }
        }

        var stat = new Dictionary<(long, int, long), long>();
        await using (var command = new NpgsqlCommand("SELECT subnet_id, lease_type, state, leases FROM lease6_stat", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stat[(reader.GetInt64(0), reader.GetInt16(1), reader.GetInt64(2))] = reader.GetInt64(3);
            }
        }

        await transaction.CommitAsync();
        return (rows, stat);
    }

    /// <summary>Every lease a server's log says it allocated (DHCP6_LEASE_ALLOC, the same line in Kea and Pukeko), with the client's DUID.</summary>
    private static List<(string Server, string Address, string Duid)> Acknowledgements(IEnumerable<Server> servers) =>
        servers.SelectMany(s => LeaseAllocLine().Matches(s.Output()).Select(m => (s.Name, m.Groups["address"].Value, m.Groups["duid"].Value))).ToList();

    private static string FormatDuid(byte[] duid) => string.Join(':', duid.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"DHCP6_LEASE_ALLOC.*?duid=\[(?<duid>[0-9a-f:]+)\].*?lease for address (?<address>[0-9a-f:]+) and iaid=")]
    private static partial Regex LeaseAllocLine();

    /// <summary>The columns of a <c>lease6</c> row the checks need.</summary>
    internal sealed record LeaseRow(string Address, byte[] Duid, int Iaid, short Type, long SubnetId, long State);

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        await _cluster.DisposeAsync();
    }
}
