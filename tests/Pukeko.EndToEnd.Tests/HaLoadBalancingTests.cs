using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;
using static Pukeko.EndToEnd.Tests.Support.HaControl;
using static Pukeko.EndToEnd.Tests.Support.LoadBalancingScopes;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Two real Pukeko servers on one link in Kea's load-balancing relationship, with ISC perfdhcp in a third namespace
/// as a few hundred distinct clients. Each server answers the clients Kea's hash gives it and holds every lease (the
/// partner's through <c>lease6-bulk-apply</c>); after <c>kill -9</c> the survivor takes both scopes; the killed
/// server returns through waiting, syncing and ready; and a split between the servers alone (clients still reach
/// both) passes through communication-recovery and heals with the backlogs.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HaLoadBalancingTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>
    /// One pool per scope, chosen by the class <c>HA_&lt;server&gt;</c> that the HA filter gives every query (Kea's
    /// advice for load-balancing: the servers never offer the same address). <c>{this}</c>, <c>{address}</c>,
    /// <c>{delayed-updates-limit}</c> and <c>{max-unacked-clients}</c> are filled in per server and test.
    /// </summary>
    private const string PairConfig = """
        {
          "Dhcp6": {
            "interfaces-config": { "interfaces": [ "{iface}" ] },
            "lease-database": { "type": "memfile", "name": "{dir}/kea-leases6.csv" },
            "control-sockets": [ { "socket-type": "http", "socket-address": "{address}", "socket-port": 8001, "authentication": { "type": "basic", "clients": [ { "user": "ha", "password": "ha-pair-secret" } ] } } ],
            "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
            "hooks-libraries": [
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" },
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so",
                "parameters": { "high-availability": [ {
                  "this-server-name": "{this}", "mode": "load-balancing",
                  "heartbeat-delay": 1000, "max-response-delay": 3000, "max-ack-delay": 1000,
                  "max-unacked-clients": {max-unacked-clients}, "delayed-updates-limit": {delayed-updates-limit},
                  "sync-leases": true, "sync-page-limit": 100,
                  "peers": [
                    { "name": "server1", "url": "http://[2001:db8:1::1]:8001/", "basic-auth-user": "ha", "basic-auth-password": "ha-pair-secret", "role": "primary" },
                    { "name": "server2", "url": "http://[2001:db8:1::2]:8001/", "basic-auth-user": "ha", "basic-auth-password": "ha-pair-secret", "role": "secondary" } ] } ] } } ],
            "subnet6": [ {
              "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
              "pools": {pools}
            } ],
            "loggers": [ {
              "name": "kea-dhcp6",
              "output-options": [ { "output": "{dir}/kea.log" }, { "output": "stdout" } ],
              "severity": "INFO"
            } ]
          }
        }
        """;

    private readonly HaLab _lab = new();

    private string Namespace(int server) => server == 1 ? _lab.Server1Namespace : _lab.Server2Namespace;

    private static string Address(int server) => server == 1 ? HaLab.Server1Address : HaLab.Server2Address;

    private ServerProcess StartServer(int server, int maxUnackedClients, int delayedUpdatesLimit, string? directory = null) =>
        ServerProcess.Start(Namespace(server), _lab.ServerInterface, PairConfig
            .Replace("{pools}", LoadBalancingScopes.Pools, StringComparison.Ordinal)
            .Replace("{this}", "server" + server, StringComparison.Ordinal)
            .Replace("{address}", Address(server), StringComparison.Ordinal)
            .Replace("{max-unacked-clients}", maxUnackedClients.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{delayed-updates-limit}", delayedUpdatesLimit.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), directory);

    private string? State(int server) => HaState(Namespace(server), Address(server));

    private long Stat(int server, string name) => Statistic(Namespace(server), Address(server), name);

    private List<JsonObject> Leases(int server) => LeaseObjects(Namespace(server), Address(server));

    private List<string> LeaseLines(int server) => AllLeases(Namespace(server), Address(server));

    private bool BothIn(string state) => State(1) == state && State(2) == state;

    private string Describe(params ServerProcess[] servers) =>
        $"states {State(1)}/{State(2)}\n" + string.Join("\n--- server ---\n", servers.Select(s => string.Join('\n', s.Output.Split('\n').TakeLast(40))));

    private PerfdhcpReport Perfdhcp(int clients, string baseMac) => Support.Perfdhcp.FreshClients(_lab.ClientNamespace, _lab.ClientInterface, clients, baseMac, output);

    /// <summary>Waits until both servers list the same leases (updates may still be on their way) and returns them.</summary>
    private List<string> AssertSameLeases(TimeSpan within, params ServerProcess[] servers)
    {
        List<string> first = [];
        Assert.True(
            Run.WaitFor(() => (first = LeaseLines(1)).Count > 0 && first.SequenceEqual(LeaseLines(2)), within),
            "the servers' leases differ:\n" + string.Join("\n", LeaseLines(1).Except(LeaseLines(2)).Take(20)) + "\n-- only on server2 --\n" + string.Join("\n", LeaseLines(2).Except(LeaseLines(1)).Take(20)) + "\n" + Describe(servers));
        return first;
    }

    [Fact]
    public void Each_server_serves_its_own_scope_and_holds_every_lease_and_after_a_kill_the_survivor_serves_both_and_the_returning_server_resyncs()
    {
        // Failure detection as short as the test allows: 3 s without a heartbeat answer and no client needs to wait.
        using var server1 = StartServer(1, maxUnackedClients: 0, delayedUpdatesLimit: 0);
        using var server2 = StartServer(2, maxUnackedClients: 0, delayedUpdatesLimit: 0);
        Assert.True(Run.WaitFor(() => BothIn("load-balancing"), TimeSpan.FromSeconds(40)), "pair did not reach load-balancing\n" + Describe(server1, server2));
        Assert.Equal("""["server1"]""", Command(Namespace(1), Address(1), """{"command": "status-get"}""")!["arguments"]!["high-availability"]![0]!["ha-servers"]!["local"]!["scopes"]!.ToJsonString());
        Assert.Equal("""["server2"]""", Command(Namespace(2), Address(2), """{"command": "status-get"}""")!["arguments"]!["high-availability"]![0]!["ha-servers"]!["local"]!["scopes"]!.ToJsonString());

        // (a) 300 clients: each answered by the server its hash names, and both stores hold all of them.
        var first = Perfdhcp(300, "00:0c:01:00:00:00");
        var context = first.Output + Describe(server1, server2);
        Assert.True(first.RequestReply.Received >= first.SolicitAdvertise.Sent * 0.85, context);
        var leases = AssertSameLeases(TimeSpan.FromSeconds(20), server1, server2);
        var stored = Leases(1);
        Assert.InRange(stored.Count, first.RequestReply.Received, first.RequestReply.Sent);
        AssertOneAddressPerClient([.. stored, .. Leases(2)]);
        AssertPoolsFollowTheHash(stored);

        // No query was answered by both: the Advertises add up to at most the Solicits, and each server sent a fair share.
        var (advertised1, advertised2) = (Stat(1, "pkt6-advertise-sent"), Stat(2, "pkt6-advertise-sent"));
        var (replied1, replied2) = (Stat(1, "pkt6-reply-sent"), Stat(2, "pkt6-reply-sent"));
        output.WriteLine($"server1: {advertised1} Advertises, {replied1} Replies; server2: {advertised2} Advertises, {replied2} Replies; {leases.Count} leases on each");
        Assert.True(advertised1 + advertised2 <= first.SolicitAdvertise.Sent, context);
        Assert.True(replied1 + replied2 <= first.RequestReply.Sent, context);
        Assert.True(replied1 >= first.RequestReply.Received / 4 && replied2 >= first.RequestReply.Received / 4, $"unfair split {replied1}/{replied2}\n{context}");
        Assert.True(Stat(1, "pkt6-receive-drop") >= advertised2 && Stat(2, "pkt6-receive-drop") >= advertised1, context);

        // kill -9 server2; server1 must notice by itself and take both scopes.
        Run.Checked("kill", "-9", server2.Pid.ToString(CultureInfo.InvariantCulture));
        var watch = Stopwatch.StartNew();
        Assert.True(Run.WaitFor(() => State(1) == "partner-down", TimeSpan.FromSeconds(30)), "server1 did not go partner-down\n" + Describe(server1));
        var failover = watch.Elapsed;
        output.WriteLine($"partner-down {failover.TotalSeconds:F1} s after kill -9 (heartbeat-delay 1 s, max-response-delay 3 s, max-unacked-clients 0)");
        Assert.True(failover >= TimeSpan.FromSeconds(2), $"partner-down too early: {failover}");
        Assert.Equal("""["server1","server2"]""", Command(Namespace(1), Address(1), """{"command": "status-get"}""")!["arguments"]!["high-availability"]![0]!["ha-servers"]!["local"]!["scopes"]!.ToJsonString());

        // New clients of both scopes, all answered by the survivor.
        var repliedBefore = Stat(1, "pkt6-reply-sent");
        var second = Perfdhcp(200, "00:0c:02:00:00:00");
        Assert.True(second.RequestReply.Received >= second.SolicitAdvertise.Sent * 0.97, second.Output + Describe(server1));
        Assert.True(Stat(1, "pkt6-reply-sent") - repliedBefore >= second.RequestReply.Received, Describe(server1));
        var afterFailover = Leases(1);
        var known = stored.Select(l => l["ip-address"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var added = afterFailover.Where(l => !known.Contains(l["ip-address"]!.GetValue<string>())).ToList();
        Assert.InRange(added.Count, second.RequestReply.Received, second.RequestReply.Sent);
        Assert.True(added.Count(l => Owner(l) == 1) >= second.RequestReply.Received / 4 && added.Count(l => Owner(l) == 2) >= second.RequestReply.Received / 4, "the survivor did not serve both scopes\n" + Describe(server1));
        AssertOneAddressPerClient(afterFailover);
        AssertPoolsFollowTheHash(afterFailover);

        // (b) server2 returns with its old lease file: waiting, syncing (the survivor's leases), ready, load-balancing.
        using var returned = StartServer(2, maxUnackedClients: 0, delayedUpdatesLimit: 0, server2.Directory);
        watch.Restart();
        Assert.True(Run.WaitFor(() => BothIn("load-balancing"), TimeSpan.FromSeconds(60)), "pair did not return to load-balancing\n" + Describe(server1, returned));
        output.WriteLine($"back in load-balancing {watch.Elapsed.TotalSeconds:F1} s after server2 restarted");
        var transitions = returned.Output.Split('\n').Where(l => l.Contains("HA_STATE_TRANSITION", StringComparison.Ordinal)).ToList();
        output.WriteLine(string.Join("\n", transitions));
        output.WriteLine(returned.Output.Split('\n').FirstOrDefault(l => l.Contains("HA_SYNC_SUCCESSFUL", StringComparison.Ordinal)) ?? "no HA_SYNC_SUCCESSFUL");
        var path = string.Join(" ", transitions.Select(l => l[l.IndexOf("from ", StringComparison.Ordinal)..]));
        Assert.Contains("from waiting to syncing state", path, StringComparison.Ordinal);
        Assert.Contains("from syncing to ready state", path, StringComparison.Ordinal);
        Assert.Contains("from ready to load-balancing state", path, StringComparison.Ordinal);
        Assert.Contains("from partner-down to load-balancing state", server1.Output, StringComparison.Ordinal);
        var synchronized = AssertSameLeases(TimeSpan.FromSeconds(10), server1, returned);
        Assert.Equal(afterFailover.Count, synchronized.Count);

        // And both serve their own scopes again, each update reaching the other.
        var (before1, before2) = (Stat(1, "pkt6-reply-sent"), Stat(2, "pkt6-reply-sent"));
        var third = Perfdhcp(100, "00:0c:03:00:00:00");
        Assert.True(third.RequestReply.Received >= third.SolicitAdvertise.Sent * 0.85, third.Output + Describe(server1, returned));
        Assert.True(Stat(1, "pkt6-reply-sent") > before1 && Stat(2, "pkt6-reply-sent") > before2, Describe(server1, returned));
        var final = AssertSameLeases(TimeSpan.FromSeconds(20), server1, returned);
        Assert.InRange(final.Count, synchronized.Count + third.RequestReply.Received, synchronized.Count + third.RequestReply.Sent);
        AssertOneAddressPerClient([.. Leases(1), .. Leases(2)]);
    }

    [Fact]
    public void A_split_between_the_servers_only_passes_through_communication_recovery_and_the_backlogs_heal_it()
    {
        // Many unacked clients would be needed to declare the partner down, so both stay in communication-recovery
        // and queue their updates: about 40 each, within delayed-updates-limit 100.
        using var server1 = StartServer(1, maxUnackedClients: 1000, delayedUpdatesLimit: 100);
        using var server2 = StartServer(2, maxUnackedClients: 1000, delayedUpdatesLimit: 100);
        var beforeSplit = ServeThroughSplit(server1, server2);

        // Each sent its backlog in one lease6-bulk-apply; neither started over.
        Assert.All(new[] { server1, server2 }, s => Assert.Contains(SinceTheSplit(s), l => l.Contains("HA_LEASES_BACKLOG_SUCCESS", StringComparison.Ordinal)));
        Assert.All(new[] { server1, server2 }, s => Assert.DoesNotContain(SinceTheSplit(s), l => l.Contains("HA_SYNC_START", StringComparison.Ordinal)));
        AssertHealed(beforeSplit, server1, server2);
    }

    [Fact]
    public void A_split_that_overflows_the_backlog_heals_by_ha_reset_and_synchronisation()
    {
        // delayed-updates-limit 10 and about 40 updates each: the backlogs overflow, so after the heal the partner is
        // told to start over (ha-reset) and both pass through waiting and syncing back to load-balancing.
        using var server1 = StartServer(1, maxUnackedClients: 1000, delayedUpdatesLimit: 10);
        using var server2 = StartServer(2, maxUnackedClients: 1000, delayedUpdatesLimit: 10);
        var beforeSplit = ServeThroughSplit(server1, server2);

        Assert.DoesNotContain("HA_LEASES_BACKLOG_START", server1.Output + server2.Output, StringComparison.Ordinal);
        Assert.Contains("from communication-recovery to waiting state", server1.Output + server2.Output, StringComparison.Ordinal);
        Assert.All(new[] { server1, server2 }, s => Assert.Contains(SinceTheSplit(s), l => l.Contains("HA_SYNC_SUCCESSFUL", StringComparison.Ordinal)));
        AssertHealed(beforeSplit, server1, server2);
    }

    /// <summary>
    /// Brings the pair to load-balancing with some leases, splits the servers from each other only (the clients still
    /// reach both), checks that both enter communication-recovery and still answer their own scopes, heals the
    /// split and waits for load-balancing again. Returns the leases from before the split.
    /// </summary>
    private List<string> ServeThroughSplit(ServerProcess server1, ServerProcess server2)
    {
        Assert.True(Run.WaitFor(() => BothIn("load-balancing"), TimeSpan.FromSeconds(40)), "pair did not reach load-balancing\n" + Describe(server1, server2));
        var before = Perfdhcp(60, "00:0c:11:00:00:00");
        Assert.True(before.RequestReply.Received >= before.SolicitAdvertise.Sent * 0.85, before.Output + Describe(server1, server2));
        var beforeSplit = AssertSameLeases(TimeSpan.FromSeconds(20), server1, server2);

        // The split: each server's route to the other's address drops everything (the clients talk link-local).
        // The heartbeat in flight fails only after its 10 s timeout, as Kea's.
        var watch = Stopwatch.StartNew();
        _lab.SplitServers(true);
        try
        {
            Assert.True(Run.WaitFor(() => BothIn("communication-recovery"), TimeSpan.FromSeconds(40)), "pair did not enter communication-recovery\n" + Describe(server1, server2));
            output.WriteLine($"both in communication-recovery {watch.Elapsed.TotalSeconds:F1} s after the split");

            // Each server still answers its own scope at once (nothing to wait for), and keeps the updates for later.
            var (before1, before2) = (Stat(1, "pkt6-reply-sent"), Stat(2, "pkt6-reply-sent"));
            var during = Perfdhcp(80, "00:0c:12:00:00:00");
            var (served1, served2) = (Stat(1, "pkt6-reply-sent") - before1, Stat(2, "pkt6-reply-sent") - before2);
            output.WriteLine($"during the split: server1 {served1} Replies, server2 {served2} Replies");
            Assert.True(served1 >= during.SolicitAdvertise.Sent / 5 && served2 >= during.SolicitAdvertise.Sent / 5, during.Output + Describe(server1, server2));
            Assert.True(BothIn("communication-recovery"), Describe(server1, server2));
            var (own1, own2) = (Leases(1).Count - beforeSplit.Count, Leases(2).Count - beforeSplit.Count);
            Assert.True(own1 >= served1 && own2 >= served2, $"{own1}/{own2} new leases for {served1}/{served2} Replies");
        }
        finally
        {
            _lab.SplitServers(false);
        }

        watch.Restart();
        Assert.True(Run.WaitFor(() => BothIn("load-balancing"), TimeSpan.FromSeconds(60)), "pair did not return to load-balancing\n" + Describe(server1, server2));
        output.WriteLine($"back in load-balancing {watch.Elapsed.TotalSeconds:F1} s after the heal");
        output.WriteLine(string.Join("\n", HaEvents(server1).Concat(HaEvents(server2))));
        return beforeSplit;
    }

    /// <summary>Both servers hold the same leases, those from the split among them, one address per client.</summary>
    private void AssertHealed(List<string> beforeSplit, ServerProcess server1, ServerProcess server2)
    {
        var healed = AssertSameLeases(TimeSpan.FromSeconds(20), server1, server2);
        Assert.True(healed.Count > beforeSplit.Count, "no lease from the split");
        Assert.Empty(beforeSplit.Except(healed));
        AssertOneAddressPerClient([.. Leases(1), .. Leases(2)]);
        AssertPoolsFollowTheHash(Leases(1));
    }

    /// <summary>The server's HA log lines, minus heartbeat failures (one a second while the partner is away).</summary>
    private static IEnumerable<string> HaEvents(ServerProcess server) =>
        server.Output.Split('\n').Where(l => l.Contains("ha-hooks", StringComparison.Ordinal) && !l.Contains("HA_HEARTBEAT_COMMUNICATIONS_FAILED", StringComparison.Ordinal));

    /// <summary>
    /// The server's HA log lines from its entering communication-recovery on. (How a pair starts depends on the
    /// machine's load: a server whose partner starts more than max-response-delay later begins in partner-down.)
    /// </summary>
    private static List<string> SinceTheSplit(ServerProcess server) =>
        HaEvents(server).SkipWhile(l => !l.Contains("to communication-recovery state", StringComparison.Ordinal)).ToList();

    public void Dispose() => _lab.Dispose();
}
