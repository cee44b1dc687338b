using Pukeko.EndToEnd.Tests.Support;
using Xunit.Abstractions;
using static Pukeko.EndToEnd.Tests.Support.HaControl;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// An operator's HA commands on a real hot-standby pair of two Pukeko servers (the configuration of
/// <see cref="HighAvailabilityTests"/>), sent with curl to the primary's control socket, each checked by what the
/// pair then does for real clients (perfdhcp) and in its lease stores: <c>state-machine</c> pausing with
/// <c>ha-continue</c>, <c>ha-scopes</c>, <c>ha-sync</c> and <c>ha-reset</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HaCommandsTests(ITestOutputHelper output) : IDisposable
{
    private readonly HotStandbyPair _pair = new();

    private ServerProcess StartServer(int server, params (string From, string To)[] changes) => _pair.Start(server, changes);

    private string Namespace(int server) => _pair.Namespace(server);

    private static string Address(int server) => HotStandbyPair.Address(server);

    private string? State(int server) => _pair.State(server);

    private System.Text.Json.Nodes.JsonObject Send(int server, string command) =>
        Command(Namespace(server), Address(server), command) ?? throw new Xunit.Sdk.XunitException($"server{server} did not answer {command}");

    private static string Text(System.Text.Json.Nodes.JsonObject answer) => $"{answer["result"]}: {answer["text"]}";

    private PerfdhcpReport Clients(int count, string baseMac) => _pair.Clients(count, baseMac, output);

    [Fact]
    public void Pausing_continuing_scopes_sync_and_reset_act_on_a_real_pair()
    {
        // The primary's machine pauses once on entering waiting: neither server leaves waiting until ha-continue.
        using var primary = StartServer(1, ("\"sync-leases\": true,", "\"sync-leases\": true, \"state-machine\": { \"states\": [ { \"state\": \"waiting\", \"pause\": \"once\" } ] },"));
        using var standby = StartServer(2);
        string Logs() => $"states {State(1)}/{State(2)}\n--- primary\n{primary.Output}\n--- standby\n{standby.Output}";
        Assert.True(Run.WaitFor(() => primary.Output.Contains("HA_STATE_MACHINE_PAUSED", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), Logs());
        Thread.Sleep(TimeSpan.FromSeconds(3));
        Assert.Equal(("waiting", "waiting"), (State(1), State(2)));
        Assert.Equal("0: HA state machine continues.", Text(Send(1, """{"command": "ha-continue"}""")));
        Assert.True(Run.WaitFor(() => State(1) == "hot-standby" && State(2) == "hot-standby", TimeSpan.FromSeconds(30)), "pair did not reach hot-standby after ha-continue\n" + Logs());
        Assert.Equal("0: HA state machine is not paused.", Text(Send(1, """{"command": "ha-continue"}""")));

        // ha-scopes []: the primary serves no one (and the standby, in hot-standby, never does).
        Assert.Equal(0, Send(1, """{"command": "ha-scopes", "arguments": {"scopes": []}}""")["result"]!.GetValue<int>());
        var unserved = Clients(3, "00:0c:41:00:00:00");
        Assert.Equal(0, unserved.SolicitAdvertise.Received);
        Assert.Equal(0, Statistic(Namespace(1), Address(1), "pkt6-advertise-sent"));

        // Its scope back: served again.
        Assert.Equal(0, Send(1, """{"command": "ha-scopes", "arguments": {"scopes": ["server1"]}}""")["result"]!.GetValue<int>());
        var served = Clients(3, "00:0c:42:00:00:00");
        Assert.True(served.RequestReply.Received >= 2, served.Output + Logs());

        // A lease only the standby has (lease6-add is not replicated): ha-sync on the primary fetches it.
        const string Added = """{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1f0", "duid": "00:03:00:01:aa:bb:cc:dd:ee:41", "iaid": 41}}""";
        Assert.Equal(0, Send(2, Added)["result"]!.GetValue<int>());
        Assert.Null(Lease(Namespace(1), Address(1), "2001:db8:1::1f0"));
        var synced = Send(1, """{"command": "ha-sync", "arguments": {"server-name": "server2"}}""");
        Assert.True(synced["result"]!.GetValue<int>() == 0, Text(synced) + Logs());
        Assert.Equal("00:03:00:01:aa:bb:cc:dd:ee:41", Lease(Namespace(1), Address(1), "2001:db8:1::1f0")?["duid"]?.GetValue<string>());
        Assert.Equal(AllLeases(Namespace(2), Address(2)), AllLeases(Namespace(1), Address(1)));

        // ha-reset: the primary starts over from waiting and the pair returns to hot-standby on its own.
        Assert.Equal("0: HA state machine reset.", Text(Send(1, """{"command": "ha-reset"}""")));
        Assert.True(Run.WaitFor(() => State(1) == "hot-standby" && State(2) == "hot-standby", TimeSpan.FromSeconds(40)), "pair did not return to hot-standby after ha-reset\n" + Logs());
        Assert.Contains("from hot-standby to waiting state", primary.Output, StringComparison.Ordinal);
        var afterReset = Clients(3, "00:0c:43:00:00:00");
        Assert.True(afterReset.RequestReply.Received >= 2, afterReset.Output + Logs());
    }

    public void Dispose() => _pair.Dispose();
}
