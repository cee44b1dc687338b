using System.Globalization;
using System.Text.RegularExpressions;
using Pukeko.EndToEnd.Tests.Support;
using Pukeko.Server.PostgreSql.Tests;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Scale-out with delegated prefixes: the same three servers on one database, each link's perfdhcp asking for an
/// address and a prefix at once (IA_NA + IA_PD, <c>-e address-and-prefix</c>), all drawing on one prefix pool and
/// one address pool. No prefix and no address may be given to two clients, every server must read the others'
/// prefixes, and <c>lease6_stat</c> (and Kea's <c>stat-lease6-get</c>) must count the delegated prefixes in the
/// table.
/// </summary>
public sealed partial class PostgreSqlScaleOutTests
{
    // 256 prefixes of /48 in a /40; the three perfdhcp runs use at most 3 x 70 clients, so all fit but the servers
    // contend for the same prefixes, as for the addresses.
    private const string DelegatedPrefixes = "2001:db8:8000::";
    private const int PrefixPoolSize = 256;

    /// <summary>Lease type of a delegated prefix in Kea's schema (table <c>lease6_types</c>: 0 IA_NA, 1 IA_TA, 2 IA_PD).</summary>
    private const short PrefixLeaseType = 2;

    private const string AddressAndPrefixPools = $$"""
        "pools": [ { "pool": "{{PoolFirst}}-{{PoolLast}}" } ],
        "pd-pools": [ { "prefix": "{{DelegatedPrefixes}}", "prefix-len": 40, "delegated-len": 48 } ]
        """;

    // Long enough that nothing expires or is reclaimed while the test runs.
    private const string LongLifetimes = """
        "valid-lifetime": 4000, "preferred-lifetime": 3000, "renew-timer": 1000, "rebind-timer": 2000,
        "expired-leases-processing": { "reclaim-timer-wait-time": 3600 },
        """;

    [PostgreSqlFact]
    public async Task Two_Pukeko_servers_and_Kea_delegate_prefixes_from_one_pool_without_giving_a_prefix_twice()
    {
        Assert.True(File.Exists(Perfdhcp.Executable), "perfdhcp is not installed: apt-get install kea-admin");
        Assert.True(File.Exists(KeaProcess.Executable), "Kea 2.2 is not installed: apt-get install kea-dhcp6-server");

        // Pukeko 1 and Kea 2.2 walk both pools with the iterative allocator (so they collide); Pukeko 2 picks at random.
        var first = StartPukeko("pukeko-1", 0x11, LongLifetimes, string.Empty, AddressAndPrefixPools);
        var second = StartPukeko("pukeko-2", 0x22, LongLifetimes, "\"allocator\": \"random\", \"pd-allocator\": \"random\",", AddressAndPrefixPools);
        var kea = StartKea("kea-2.2", 0x33, AddressAndPrefixPools);
        Server[] servers = [first, second, kea];

        var load = System.Diagnostics.Stopwatch.StartNew();
        var reports = await Task.WhenAll(servers.Select(s => Task.Run(() => Perfdhcp.Run(s.Lab, 180,
        [
            "-e", "address-and-prefix",
            "-r", "10", "-R", ClientsPerLink.ToString(CultureInfo.InvariantCulture), "-n", ExchangesPerLink.ToString(CultureInfo.InvariantCulture),
            "-p", "40", "-d", "3", "-W", "3000000", .. s.BaseClient,
        ]))));
        load.Stop();

        var (rows, stat) = await SettledSnapshotAsync(servers);
        var prefixes = rows.Where(r => r.Type == PrefixLeaseType).ToList();
        var addresses = rows.Where(r => r.Type == 0).ToList();
        var conflicts = new Dictionary<string, long>();
        foreach (var pukeko in new[] { first, second })
        {
            conflicts[pukeko.Name] = (await CommandAsync(pukeko, """{ "command": "statistic-get", "arguments": { "name": "v6-allocation-conflicts" } }"""))
                ["arguments"]!["v6-allocation-conflicts"]![0]![0]!.GetValue<long>();
        }

        var delegated = PrefixAcknowledgements(servers);
        var acknowledged = Acknowledgements(servers);
        var prefixesToTwoClients = delegated.GroupBy(a => a.Prefix).Where(g => g.Select(a => a.Duid).Distinct().Count() > 1).Select(g => g.Key).ToList();
        var addressesToTwoClients = acknowledged.GroupBy(a => a.Address).Where(g => g.Select(a => a.Duid).Distinct().Count() > 1).Select(g => g.Key).ToList();
        var clientsWithTwoLeases = rows.GroupBy(r => (Convert.ToHexString(r.Duid), r.Iaid, r.Type, r.SubnetId)).Where(g => g.Count() > 1).Select(g => g.Key.Item1).ToList();
        output.WriteLine($"load: {load.Elapsed.TotalSeconds:F0} s; prefixes in lease6: {prefixes.Count} of {PrefixPoolSize} "
            + $"({string.Join(", ", servers.Select(s => $"{s.Name}: {prefixes.Count(s.Owns)}"))}); addresses: {addresses.Count} of {PoolSize}; "
            + $"prefixes acknowledged: {delegated.Count} ({string.Join(", ", servers.Select(s => $"{s.Name}: {delegated.Count(a => a.Server == s.Name)}"))}); "
            + $"conflicts retried: {string.Join(", ", conflicts.Select(c => $"{c.Key}: {c.Value}"))}; "
            + $"prefixes acknowledged to two clients: {prefixesToTwoClients.Count}; addresses: {addressesToTwoClients.Count}; clients with two leases of a type: {clientsWithTwoLeases.Count}");
        foreach (var (server, report) in servers.Zip(reports))
        {
            output.WriteLine($"perfdhcp on {server.Name}'s link: Solicit {report.SolicitAdvertise.Sent} sent / {report.SolicitAdvertise.Received} answered, "
                + $"Request {report.RequestReply.Sent} sent / {report.RequestReply.Received} answered / {report.RequestReply.Drops} dropped; "
                + string.Join("; ", report.Output.Split('\n').Where(l => l.Contains("delay:", StringComparison.Ordinal)).Select(l => l.Trim())));
        }

        var context = string.Join("\n", servers.Select(s => $"--- {s.Name} (last lines) ---\n" + string.Join('\n', s.Output().Split('\n').TakeLast(15))));
        foreach (var server in servers)
        {
            // Why a server answered no Reply to a Request: the packet ids of its log lines about dropped packets.
            var drops = PacketDropLine().Matches(server.Output()).GroupBy(m => m.Value).Select(g => $"{g.Key}: {g.Count()}");
            output.WriteLine($"{server.Name}: {string.Join(", ", drops)}");
        }

        Assert.Empty(prefixesToTwoClients);
        Assert.Empty(addressesToTwoClients);
        Assert.Empty(clientsWithTwoLeases);
        Assert.Equal(rows.Count, prefixes.Count + addresses.Count);
        Assert.Equal(rows.Count, rows.Count(r => servers.Any(s => s.Owns(r))));

        // Each link's clients got prefixes from its own server (every row is one of its clients'), and each
        // acknowledged prefix is that client's row (a Reply can be lost, a committed row cannot).
        foreach (var (server, report) in servers.Zip(reports))
        {
            Assert.True(report.ExitCode is 0 or 3, $"perfdhcp on {server.Name}'s link failed:\n{report.Output}\n{context}");
            Assert.InRange(prefixes.Count(server.Owns), 1, Math.Min(ClientsPerLink, report.RequestReply.Sent));
        }

        var prefixRows = prefixes.ToDictionary(r => r.Address);
        foreach (var ack in delegated)
        {
            Assert.True(prefixRows.TryGetValue(ack.Prefix, out var row), $"{ack.Server} delegated {ack.Prefix}, which is not in lease6 as a prefix\n{context}");
            Assert.Equal(ack.Duid, FormatDuid(row.Duid));
            Assert.Equal(48, ack.Length);
        }

        Assert.True(prefixes.Count > PrefixPoolSize / 4, $"too few prefixes ({prefixes.Count}) to prove anything\n{context}");
        Assert.All(prefixes, r => Assert.StartsWith("2001:db8:80", r.Address, StringComparison.Ordinal));
        Assert.True(rows.All(r => r.State == 0), "a lease was reclaimed during the load");
        AssertStatisticsMatch(rows, stat);
        await AssertKeaStatisticsAsync(kea, rows, PoolSize, PrefixPoolSize);

        // Every server reads the prefixes the others delegated.
        foreach (var owner in servers)
        {
            foreach (var row in prefixes.Where(owner.Owns).Take(5))
            {
                foreach (var reader in servers)
                {
                    var lease = await Lease6GetAsync(reader, row.Address, "IA_PD");
                    Assert.Equal((FormatDuid(row.Duid), 48), (lease["duid"]!.GetValue<string>(), lease["prefix-len"]!.GetValue<int>()));
                }
            }
        }
    }

    /// <summary>
    /// The database once the servers are done: under this load a Request can wait seconds on the statistics rows'
    /// locks, so a server may still be writing after perfdhcp has given up on it. Waits (bounded) until neither
    /// the rows nor the servers' logged allocations change for a few seconds.
    /// </summary>
    private async Task<(List<LeaseRow> Rows, Dictionary<(long, int, long), long> Stat)> SettledSnapshotAsync(Server[] servers)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var previous = (Rows: -1, Allocations: -1);
        while (true)
        {
            var snapshot = await SnapshotAsync();
            var current = (snapshot.Rows.Count, PrefixAcknowledgements(servers).Count + Acknowledgements(servers).Count);
            if (current == previous)
            {
                return snapshot;
            }

            Assert.True(waited.Elapsed < Patience, "the servers kept writing leases after the load ended");
            previous = current;
            await Task.Delay(3000);
        }
    }

    /// <summary>Every prefix a server's log says it delegated (DHCP6_PD_LEASE_ALLOC, the same line in Kea and Pukeko), with the client's DUID.</summary>
    private static List<(string Server, string Prefix, int Length, string Duid)> PrefixAcknowledgements(IEnumerable<Server> servers) =>
        servers.SelectMany(s => PrefixAllocLine().Matches(s.Output()).Select(m =>
            (s.Name, m.Groups["prefix"].Value, int.Parse(m.Groups["length"].Value, CultureInfo.InvariantCulture), m.Groups["duid"].Value))).ToList();

    [GeneratedRegex(@"DHCP6_PACKET_[A-Z_]+|DHCP6_BUFFER_[A-Z_]+|DHCPSRV_[A-Z_]*(?:FAIL|ERROR)[A-Z_]*")]
    private static partial Regex PacketDropLine();

    [GeneratedRegex(@"DHCP6_PD_LEASE_ALLOC.*?duid=\[(?<duid>[0-9a-f:]+)\].*?lease for prefix (?<prefix>[0-9a-f:]+)/(?<length>\d+) and iaid=")]
    private static partial Regex PrefixAllocLine();
}
