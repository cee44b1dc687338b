using System.Diagnostics;
using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;
using static Pukeko.EndToEnd.Tests.Support.HaControl;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Faults inside a hot-standby pair of two real Pukeko servers (the configuration of
/// <see cref="HighAvailabilityTests"/>): a standby frozen with SIGSTOP for less than max-response-delay (slow: the
/// primary's Reply waits for its acknowledgement), one frozen for longer (gone: the primary declares it down, serves
/// alone, and the pair heals when it wakes), and a standby whose configuration conflicts with the primary's (its
/// subnet has another id), so it rejects every lease update until the primary terminates the relationship.
/// A network split between the servers is in <see cref="HaLoadBalancingTests"/>, a partner answering updates with
/// an error in <see cref="HaKeaInteropTests"/>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HaPairFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly HotStandbyPair _pair = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-hafault-").FullName;

    private ServerProcess StartServer(int server, params (string From, string To)[] changes) => _pair.Start(server, changes);

    private string Namespace(int server) => _pair.Namespace(server);

    private static string Address(int server) => HotStandbyPair.Address(server);

    private string? State(int server) => _pair.State(server);

    private long Stat(int server, string name) => _pair.Stat(server, name);

    private List<string> LeaseLines(int server) => _pair.LeaseLines(server);

    private string Describe(ServerProcess primary, ServerProcess standby) =>
        $"states {State(1)}/{State(2)}\n--- primary\n{primary.Output}\n--- standby\n{standby.Output}";

    private void WaitForBoth(string state, ServerProcess primary, ServerProcess standby, int seconds = 40) =>
        Check(Run.WaitFor(() => State(1) == state && State(2) == state, TimeSpan.FromSeconds(seconds)), () => $"pair did not reach {state}\n" + Describe(primary, standby));

    /// <summary>Fails with the message, built only then: describing the pair asks both servers, and one may be frozen.</summary>
    private static void Check(bool condition, Func<string> message)
    {
        if (!condition)
        {
            Assert.Fail(message());
        }
    }

    private static List<string> Transitions(ServerProcess server) =>
        server.Output.Split('\n').Where(l => l.Contains("HA_STATE_TRANSITION", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task A_slow_standby_holds_the_primarys_reply_until_it_acknowledges_and_the_pair_stays_in_hot_standby()
    {
        // max-response-delay 10 s: a standby that is 3 s late is slow, not gone. Lease caching off: with it, the
        // client's retransmitted Request reuses the lease just committed, commits nothing and (as in Kea, which leaves
        // reused leases out of leases6_committed) is answered without a lease update, so without waiting.
        var slowIsNotDown = ("\"max-response-delay\": 3000", "\"max-response-delay\": 10000");
        var noCaching = ("\"valid-lifetime\": 90,", "\"valid-lifetime\": 90, \"cache-threshold\": 0,");
        using var primary = StartServer(1, slowIsNotDown, noCaching);
        using var standby = StartServer(2, slowIsNotDown, noCaching);
        WaitForBoth("hot-standby", primary, standby);
        var transitionsBefore = Transitions(primary).Count;

        using var client = new Dhclient(_pair.Lab.ClientNamespace, _pair.Lab.ClientInterface, _clientDir);
        Task<(int ExitCode, string Output)> obtain;
        var stall = Stopwatch.StartNew();
        standby.Signal("STOP");
        try
        {
            obtain = Task.Run(() => client.Obtain());

            // Only the primary is asked while the standby is frozen (a command to it would hang), and the messages
            // are built only on failure.
            if (!Run.WaitFor(() => Stat(1, "pkt6-request-received") >= 1, TimeSpan.FromSeconds(20)))
            {
                Assert.Fail("no Request reached the primary\n" + primary.Output);
            }

            // The Request's lease is committed on the primary, but its Reply is parked until the standby acknowledges.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(0, Stat(1, "pkt6-reply-sent"));
            Assert.Single(LeaseLines(1));
            Assert.Equal("hot-standby", State(1));
        }
        finally
        {
            standby.Signal("CONT");
        }

        output.WriteLine($"standby frozen for {stall.Elapsed.TotalSeconds:F1} s");
        var (code, clientOutput) = await obtain;
        Check(code == 0, () => clientOutput + Describe(primary, standby));
        var address = client.Addresses().Last();
        Check(Stat(1, "pkt6-reply-sent") >= 1, () => Describe(primary, standby));

        // Asked at once: the Reply left only after the standby had the lease.
        Assert.NotNull(Lease(Namespace(2), Address(2), address));
        // Both servers' logs on failure: the standby's says why it refused an update.
        Check(!primary.Output.Contains("HA_LEASE_UPDATE_FAILED", StringComparison.Ordinal), () => "an update failed\n" + Describe(primary, standby));
        Check(!primary.Output.Contains("HA_LEASE_UPDATE_COMMUNICATIONS_FAILED", StringComparison.Ordinal), () => "an update was not delivered\n" + Describe(primary, standby));
        Assert.Equal(transitionsBefore, Transitions(primary).Count);
        Assert.Equal("hot-standby", State(1));
        Assert.Equal("hot-standby", State(2));
    }

    [Fact]
    public void A_standby_frozen_beyond_max_response_delay_is_declared_down_the_primary_serves_alone_and_the_pair_heals_when_it_wakes()
    {
        using var primary = StartServer(1);
        using var standby = StartServer(2);
        WaitForBoth("hot-standby", primary, standby);

        using var client = new Dhclient(_pair.Lab.ClientNamespace, _pair.Lab.ClientInterface, _clientDir);
        var watch = Stopwatch.StartNew();
        standby.Signal("STOP");
        string address;
        try
        {
            // No heartbeat answered for max-response-delay (3 s): a hot-standby primary declares its partner down at
            // once. The client's Request parked before that waits in vain; a retransmission is answered alone.
            var (code, clientOutput) = client.Obtain();
            Check(code == 0, () => clientOutput + Describe(primary, standby));
            address = client.Addresses().Last();
            Check(Run.WaitFor(() => State(1) == "partner-down", TimeSpan.FromSeconds(20)), () => "the primary did not go partner-down\n" + Describe(primary, standby));
            output.WriteLine($"client served {watch.Elapsed.TotalSeconds:F1} s after the standby froze; primary in partner-down");
            Assert.Contains("from hot-standby to partner-down state", primary.Output, StringComparison.Ordinal);
            Assert.NotNull(Lease(Namespace(1), Address(1), address));
        }
        finally
        {
            standby.Signal("CONT");
        }

        // The standby wakes to a partner in partner-down: it goes back through waiting and syncing, fetching the
        // lease it missed, and the primary returns to hot-standby.
        watch.Restart();
        WaitForBoth("hot-standby", primary, standby, seconds: 60);
        output.WriteLine($"back in hot-standby {watch.Elapsed.TotalSeconds:F1} s after the standby woke");
        output.WriteLine(string.Join("\n", Transitions(standby)));
        Assert.Contains("HA_SYNC_SUCCESSFUL", standby.Output, StringComparison.Ordinal);
        Assert.Contains("from partner-down to hot-standby state", primary.Output, StringComparison.Ordinal);
        Check(Run.WaitFor(() => Lease(Namespace(2), Address(2), address) is not null, TimeSpan.FromSeconds(10)), () => "the standby never got the lease\n" + Describe(primary, standby));

        // The client keeps renewing with the primary, which updates the standby again: compare at a quiet moment.
        Assert.True(
            Run.WaitFor(() => LeaseLines(2) is { Count: > 0 } onStandby && onStandby.SequenceEqual(LeaseLines(1)), TimeSpan.FromSeconds(10)),
            "the servers disagree:\n" + string.Join("\n", LeaseLines(1)) + "\n--\n" + string.Join("\n", LeaseLines(2)));
    }

    [Fact]
    public void A_standby_cut_off_from_a_frozen_primary_waits_for_more_than_max_unacked_clients_before_taking_over()
    {
        // The standby alone decides, from the clients: with heartbeats failing it counts the clients whose Elapsed
        // Time exceeds max-ack-delay (1 s), and only a third such client (more than max-unacked-clients 2) makes the
        // primary down. The clients are Solicit probes (bench/lib/dhcp6-probe.py), each with its own DUID, sending
        // every 0.5 s with the Elapsed Time since it began, until an Advertise comes.
        using var primary = StartServer(1);
        using var standby = StartServer(2, ("\"max-unacked-clients\": 0", "\"max-unacked-clients\": 2"));
        WaitForBoth("hot-standby", primary, standby);
        System.Text.Json.Nodes.JsonNode? Remote() => Command(Namespace(2), Address(2), StatusGet)?["arguments"]?["high-availability"]?[0]?["ha-servers"]?["remote"];
        var probes = new List<Process>();
        primary.Signal("STOP");
        try
        {
            Check(Run.WaitFor(() => Remote()?["communication-interrupted"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(20)), () => "the standby never saw communication interrupted\n" + standby.Output);
            Assert.Equal(3, Remote()!["unacked-clients-left"]!.GetValue<int>());

            probes.Add(StartProbe(1));
            Check(Run.WaitFor(() => Remote()?["unacked-clients"]?.GetValue<int>() == 1, TimeSpan.FromSeconds(20)), () => $"one unacked client not counted: {Remote()}\n{standby.Output}");
            probes.Add(StartProbe(2));
            Check(Run.WaitFor(() => Remote()?["unacked-clients"]?.GetValue<int>() == 2, TimeSpan.FromSeconds(20)), () => $"two unacked clients not counted: {Remote()}\n{standby.Output}");
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Assert.Equal("hot-standby", State(2));
            Assert.Equal(1, Remote()!["unacked-clients-left"]!.GetValue<int>());
            Assert.Equal(0, Stat(2, "pkt6-advertise-sent"));

            var watch = Stopwatch.StartNew();
            probes.Add(StartProbe(3));
            Check(Run.WaitFor(() => State(2) == "partner-down", TimeSpan.FromSeconds(20)), () => $"the standby did not take over: {Remote()}\n{standby.Output}");
            // Up to a heartbeat timeout (10 s) late: as in Kea, the machine runs when a heartbeat ends, and one to a
            // frozen process ends only by timing out.
            output.WriteLine($"partner-down {watch.Elapsed.TotalSeconds:F1} s after the third client began");

            // In partner-down the standby answers every probe.
            foreach (var probe in probes)
            {
                Assert.True(probe.WaitForExit(TimeSpan.FromSeconds(20)), "a probe got no Advertise\n" + standby.Output);
                Assert.Equal(0, probe.ExitCode);
            }

            Assert.True(Stat(2, "pkt6-advertise-sent") >= 3, standby.Output);
        }
        finally
        {
            foreach (var probe in probes)
            {
                if (!probe.HasExited)
                {
                    probe.Kill();
                }

                probe.Dispose();
            }

            primary.Signal("CONT");
        }
    }

    /// <summary>A client that keeps soliciting (Elapsed Time growing) until an Advertise comes, for at most 60 s.</summary>
    private Process StartProbe(int client)
    {
        var script = Path.Combine(HookTutorial.RepoRoot, "bench", "lib", "dhcp6-probe.py");
        var duid = $"00:03:00:01:02:00:00:00:cc:{client:x2}";
        var start = new ProcessStartInfo("ip", ["netns", "exec", _pair.Lab.ClientNamespace, "python3", script, _pair.Lab.ClientInterface, duid, client.ToString(System.Globalization.CultureInfo.InvariantCulture), "--interval", "0.5", "--deadline", "60"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
    }

    [Fact]
    public void A_standby_that_rejects_every_update_costs_the_rejected_clients_their_replies_until_the_primary_terminates_the_pair()
    {
        // The standby's subnet has id 2, so it refuses the primary's leases (subnet-id 1) as conflicts (result 4).
        // The primary drops each rejected client's Reply; at the fifth distinct client it terminates, and then serves
        // on its own without sending updates. The standby, seeing its partner terminated, terminates too.
        using var primary = StartServer(1, ("\"max-unacked-clients\": 0,", "\"max-unacked-clients\": 0, \"max-rejected-lease-updates\": 5,"));
        using var standby = StartServer(2, ("\"id\": 1, \"subnet\"", "\"id\": 2, \"subnet\""));
        WaitForBoth("hot-standby", primary, standby);

        // Three clients, fewer than the limit: every Reply is dropped, the pair stays together.
        var rejected = _pair.Clients(3, "00:0c:21:00:00:00", output);
        Assert.True(rejected.RequestReply.Sent >= 1, rejected.Output);
        Assert.Equal(0, rejected.RequestReply.Received);
        Assert.Equal(0, Stat(1, "pkt6-reply-sent"));
        Assert.Equal(rejected.RequestReply.Sent, (long)primary.Output.Split('\n').Count(l => l.Contains("HA_LEASE_UPDATE_CONFLICT", StringComparison.Ordinal)));
        Assert.Contains("Invalid subnet-id", primary.Output, StringComparison.Ordinal);
        Assert.Empty(LeaseLines(2));
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.Equal("hot-standby", State(1));
        Assert.Equal("hot-standby", State(2));
        Assert.DoesNotContain("partner-down", primary.Output, StringComparison.Ordinal);

        // More rejected clients than the limit: the primary terminates, and the standby follows.
        _pair.Clients(10, "00:0c:22:00:00:00", output);
        WaitForBoth("terminated", primary, standby, seconds: 20);
        Assert.Contains("HA_LEASE_UPDATE_REJECTS_CAUSED_TERMINATION", primary.Output, StringComparison.Ordinal);
        Assert.Contains("HA_TERMINATED", standby.Output, StringComparison.Ordinal);

        // Terminated, the primary serves every new client without waiting for anyone; the standby still has nothing.
        var conflictsBefore = primary.Output.Split('\n').Count(l => l.Contains("HA_LEASE_UPDATE_CONFLICT", StringComparison.Ordinal));
        var served = _pair.Clients(10, "00:0c:23:00:00:00", output);
        Check(served.RequestReply.Received >= 9, () => served.Output + Describe(primary, standby));
        Assert.Equal(conflictsBefore, primary.Output.Split('\n').Count(l => l.Contains("HA_LEASE_UPDATE_CONFLICT", StringComparison.Ordinal)));
        Assert.Empty(LeaseLines(2));
        Assert.Equal(0, Stat(2, "pkt6-reply-sent"));
        Assert.Equal("terminated", State(1));
    }

    public void Dispose()
    {
        _pair.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }
}
