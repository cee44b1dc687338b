using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Control;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>
/// Two real <see cref="Hosting.Dhcp6Server"/>s in one process, paired in hot-standby over their HTTP control
/// sockets on 127.0.0.1: heartbeats, lease updates and the HA commands go through the same code as between two
/// daemons.
/// </summary>
public sealed class HaPairTests
{

    /// <param name="password">When set, each control socket requires user "ha" with it, and each peer entry sends it.</param>
    /// <param name="maxResponseDelay">Kea's max-response-delay in ms; long where a late heartbeat on a busy machine must not send a server to partner-down.</param>
    internal static JsonObject Dhcp6(string self, int ownPort, int port1, int port2, string mode = "hot-standby", string role2 = "standby", string? password = null, bool sync = false, int maxResponseDelay = 1000)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["subnet6"]![0]!["rapid-commit"] = true;
        var auth = password is null ? "" : $$""", "authentication": { "type": "basic", "clients": [ { "user": "ha", "password": "{{password}}" } ] }""";
        var peerAuth = password is null ? "" : $$""", "basic-auth-user": "ha", "basic-auth-password": "{{password}}" """;
        dhcp6["control-sockets"] = JsonNode.Parse($$"""[ { "socket-type": "http", "socket-address": "127.0.0.1", "socket-port": {{ownPort}} {{auth}} } ]""");
        dhcp6["hooks-libraries"] = JsonNode.Parse($$"""
            [ { "library": "libdhcp_lease_cmds.so" },
              { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so", "parameters": { "high-availability": [ {
                  "this-server-name": "{{self}}", "mode": "{{mode}}", "sync-leases": {{(sync ? "true" : "false")}}, "sync-page-limit": 2, "sync-timeout": 5000,
                  "heartbeat-delay": 100, "max-response-delay": {{maxResponseDelay}}, "max-unacked-clients": 0,
                  "peers": [ { "name": "server1", "url": "http://127.0.0.1:{{port1}}/", "role": "primary" {{peerAuth}} },
                             { "name": "server2", "url": "http://127.0.0.1:{{port2}}/", "role": "{{role2}}" {{peerAuth}} } ] } ] } } ]
            """);
        return dhcp6;
    }

    internal static async Task<string?> StateAsync(ControlTestServer server) =>
        (await server.CommandAsync("""{"command": "status-get"}"""))["arguments"]?["high-availability"]?[0]?["ha-servers"]?["local"]?["state"]?.GetValue<string>();

    internal static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    /// <summary>A Solicit with Rapid Commit from <paramref name="client"/>, through the server's pipeline; the reply or null.</summary>
    internal static Dhcp6Message? SolicitRapidCommit(ControlTestServer server, Duid client)
    {
        var query = ClientMessages.Create(MessageType.Solicit, clientId: client);
        query.Options.Add(new EmptyOption(OptionCode.RapidCommit));
        return Exchange(server, query);
    }

    /// <summary>The server's answer to <paramref name="query"/> as from a client on its link; null when it sends none.</summary>
    internal static Dhcp6Message? Exchange(ControlTestServer server, Dhcp6Message query)
    {
        var bytes = new byte[Dhcp6Writer.GetLength(query, [])];
        Dhcp6Writer.Write(query, [], bytes);
        var datagram = new ReceivedDatagram
        {
            Buffer = bytes,
            Length = bytes.Length,
            RemoteAddress = PipelineHarness.ClientLinkLocal,
            RemotePort = 546,
            LocalAddress = Ipv6Address.AllDhcpRelayAgentsAndServers,
            LocalPort = 547,
            InterfaceIndex = 2,
            InterfaceName = "eth0",
            ReceivedAt = DateTimeOffset.UtcNow,
        };
        var output = new byte[9216];
        var result = server.Server.Processor!.ProcessAsync(datagram, output).AsTask().GetAwaiter().GetResult();
        if (result is not { } outgoing)
        {
            return null;
        }

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(output.AsSpan(0, outgoing.Length), [], out var reply));
        return reply;
    }

    [Fact]
    public async Task Without_the_library_the_ha_commands_do_not_exist()
    {
        await using var server = await ControlTestServer.StartAsync();
        Assert.Equal(2, (await server.CommandAsync("""{"command": "ha-heartbeat"}"""))["result"]!.GetValue<int>());
        var status = await server.CommandAsync("""{"command": "status-get"}""");
        Assert.False(status["arguments"]!.AsObject().ContainsKey("high-availability"));
    }

    [Fact]
    public async Task A_pair_reaches_hot_standby_replicates_a_lease_and_the_standby_takes_over_when_the_primary_stops()
    {
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();
        await using var standby = await ControlTestServer.StartAsync(Dhcp6("server2", port2, port1, port2));
        var primary = await ControlTestServer.StartAsync(Dhcp6("server1", port1, port1, port2));
        try
        {
            var commands = (await standby.CommandAsync("""{"command": "list-commands"}"""))["arguments"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            Assert.Contains("ha-heartbeat", commands);
            Assert.Contains("ha-scopes", commands);

            await WaitAsync(async () => await StateAsync(primary) == "hot-standby" && await StateAsync(standby) == "hot-standby", "hot-standby on both");

            var client = new Duid(Convert.FromHexString("000300010011223344aa"));
            var reply = SolicitRapidCommit(primary, client);
            Assert.Equal(MessageType.Reply, reply!.Type);
            var address = ClientMessages.AddressOf(reply)!.Address.ToString();

            // The standby serves nobody, but has the lease: the reply went out only once it had acknowledged it.
            Assert.Null(SolicitRapidCommit(standby, client));
            var copy = (await standby.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{address}}}"}}"""))["arguments"]!;
            Assert.Equal("00:03:00:01:00:11:22:33:44:aa", copy["duid"]!.GetValue<string>());

            // The heartbeat answer, as the partner sees it.
            var heartbeat = await standby.CommandAsync("""{"command": "ha-heartbeat", "service": ["dhcp6"]}""");
            Assert.Equal("hot-standby", heartbeat["arguments"]!["state"]!.GetValue<string>());
            Assert.Equal("[]", heartbeat["arguments"]!["scopes"]!.ToJsonString());

            // ha-scopes hands the standby the primary's scope by hand; an unknown scope is refused.
            Assert.Equal(1, (await standby.CommandAsync("""{"command": "ha-scopes", "arguments": {"scopes": ["nobody"]}}"""))["result"]!.GetValue<int>());
            Assert.Equal("'scopes' is mandatory for the 'ha-scopes' command", (await standby.CommandAsync("""{"command": "ha-scopes", "arguments": {}}"""))["text"]!.GetValue<string>());
            Assert.Equal("New HA scopes configured.", (await standby.CommandAsync("""{"command": "ha-scopes", "arguments": {"scopes": ["server1"]}}"""))["text"]!.GetValue<string>());
            Assert.Equal(MessageType.Reply, SolicitRapidCommit(standby, new Duid(Convert.FromHexString("000300010011223344bb")))!.Type);
            Assert.Equal("HA state machine is not paused.", (await standby.CommandAsync("""{"command": "ha-continue"}"""))["text"]!.GetValue<string>());

            // A partner synchronising from this server disables its service (origin ha-partner), then notifies completion.
            await standby.CommandAsync("""{"command": "dhcp-disable", "arguments": {"max-period": 60, "origin": "ha-partner"}, "service": ["dhcp6"]}""");
            Assert.False(standby.Server.Network.Enabled);
            var notified = await standby.CommandAsync("""{"command": "ha-sync-complete-notify", "service": ["dhcp6"]}""");
            Assert.Equal("Server successfully notified about the synchronization completion.", notified["text"]!.GetValue<string>());
            Assert.True(standby.Server.Network.Enabled);
        }
        finally
        {
            await primary.DisposeAsync();
        }

        // The primary is gone: after max-response-delay the standby serves its clients.
        await WaitAsync(async () => await StateAsync(standby) == "partner-down", "partner-down on the standby");
        Assert.Equal(MessageType.Reply, SolicitRapidCommit(standby, new Duid(Convert.FromHexString("000300010011223344cc")))!.Type);

        // ha-reset sends it back to waiting (from where, the partner still gone, it soon declares partner-down again).
        Assert.Equal("HA state machine reset.", (await standby.CommandAsync("""{"command": "ha-reset"}"""))["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_declined_address_reaches_the_standby_as_declined_before_the_client_hears_back()
    {
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();
        await using var standby = await ControlTestServer.StartAsync(Dhcp6("server2", port2, port1, port2));
        await using var primary = await ControlTestServer.StartAsync(Dhcp6("server1", port1, port1, port2));
        await WaitAsync(async () => await StateAsync(primary) == "hot-standby" && await StateAsync(standby) == "hot-standby", "hot-standby on both");

        var client = new Duid(Convert.FromHexString("000300010011223344dd"));
        var reply = SolicitRapidCommit(primary, client)!;
        var address = ClientMessages.AddressOf(reply)!.Address;
        var serverId = reply.Options.Get<DuidOption>(OptionCode.ServerId)!.Duid;

        // The client found the address in use: its Decline commits the lease as declined (Kea sends it among the
        // new leases, not the deleted ones), and the Reply waits for the standby's acknowledgement.
        var decline = ClientMessages.Create(MessageType.Decline, address: address, serverId: serverId, clientId: client);
        Assert.Equal(MessageType.Reply, Exchange(primary, decline)!.Type);
        var onPrimary = (await primary.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{address}}}"}}"""))["arguments"]!;
        var onStandby = (await standby.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{address}}}"}}"""))["arguments"]!;
        Assert.Equal("1", onPrimary["state"]!.ToJsonString());
        Assert.Equal("1", onStandby["state"]!.ToJsonString());
        Assert.Equal(onPrimary["valid-lft"]!.ToJsonString(), onStandby["valid-lft"]!.ToJsonString());
        Assert.Equal(onPrimary["duid"]!.ToJsonString(), onStandby["duid"]!.ToJsonString());
    }

    internal static async Task<List<string>> AddressesAsync(ControlTestServer server)
    {
        var answer = await server.CommandAsync("""{"command": "lease6-get-all"}""");
        return answer["arguments"]?["leases"]?.AsArray().Select(l => l!["ip-address"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList() ?? [];
    }

    [Fact]
    public async Task A_primary_returning_after_a_failover_syncs_the_leases_the_standby_gave_out()
    {
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();

        // The standby alone: the primary is down, so it serves everyone and gives out leases the primary never saw.
        await using var standby = await ControlTestServer.StartAsync(Dhcp6("server2", port2, port1, port2, sync: true));
        await WaitAsync(async () => await StateAsync(standby) == "partner-down", "partner-down on the standby");
        var given = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var reply = SolicitRapidCommit(standby, new Duid(Convert.FromHexString($"00030001001122334{i:x3}")));
            given.Add(ClientMessages.AddressOf(reply!)!.Address.ToString());
        }

        given.Sort(StringComparer.Ordinal);
        Assert.Equal(given, await AddressesAsync(standby));

        // The primary comes back: it syncs (5 leases on pages of 2) before it serves, then both agree on every lease.
        await using var primary = await ControlTestServer.StartAsync(Dhcp6("server1", port1, port1, port2, sync: true));
        await WaitAsync(async () => await StateAsync(primary) == "hot-standby" && await StateAsync(standby) == "hot-standby", "hot-standby on both");
        Assert.Equal(given, await AddressesAsync(primary));
        var copy = (await primary.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{given[0]}}}"}}"""))["arguments"]!;
        var original = (await standby.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{given[0]}}}"}}"""))["arguments"]!;
        Assert.Equal(original["duid"]!.GetValue<string>(), copy["duid"]!.GetValue<string>());
        Assert.Equal(original["cltt"]!.ToJsonString(), copy["cltt"]!.ToJsonString());
        Assert.Equal(original["valid-lft"]!.ToJsonString(), copy["valid-lft"]!.ToJsonString());

        // The standby's service, disabled by the primary during the sync (origin-id 2000), was given back.
        Assert.DoesNotContain("2000", standby.Server.Network.DisabledBy);

        // A new client of the primary does not get an address the standby gave out.
        var fresh = SolicitRapidCommit(primary, new Duid(Convert.FromHexString("000300010011223344ff")));
        Assert.DoesNotContain(ClientMessages.AddressOf(fresh!)!.Address.ToString(), given);

        // ha-sync on demand: a lease only the standby has (lease6-add is not replicated) reaches the primary.
        Assert.Equal(0, (await standby.CommandAsync("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::ab", "duid": "00:03:00:01:aa:bb:cc:dd:ee:01", "iaid": 7}}"""))["result"]!.GetValue<int>());
        Assert.Equal(3, (await primary.CommandAsync("""{"command": "lease6-get", "arguments": {"ip-address": "2001:db8:1::ab"}}"""))["result"]!.GetValue<int>());
        // Leases both have: the partner's replaces an older local one (smaller cltt), never a newer one (Kea's rule).
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        async Task AddAsync(ControlTestServer server, string address, string duid, long age) =>
            Assert.Equal(0, (await server.CommandAsync($$$"""{"command": "lease6-add", "arguments": {"ip-address": "{{{address}}}", "duid": "{{{duid}}}", "iaid": 1, "valid-lft": 4000, "expire": {{{now - age + 4000}}}}}"""))["result"]!.GetValue<int>());
        await AddAsync(primary, "2001:db8:1::ac", "00:03:00:01:00:00:00:00:00:0a", 1000);
        await AddAsync(standby, "2001:db8:1::ac", "00:03:00:01:00:00:00:00:00:0b", 10);
        await AddAsync(primary, "2001:db8:1::ad", "00:03:00:01:00:00:00:00:00:0a", 10);
        await AddAsync(standby, "2001:db8:1::ad", "00:03:00:01:00:00:00:00:00:0b", 1000);

        var synced = await primary.CommandAsync("""{"command": "ha-sync", "arguments": {"server-name": "server2", "max-period": 30}}""");
        async Task<string> DuidAsync(string address) => (await primary.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{address}}}"}}"""))["arguments"]!["duid"]!.GetValue<string>();
        Assert.Equal("00:03:00:01:00:00:00:00:00:0b", await DuidAsync("2001:db8:1::ac"));
        Assert.Equal("00:03:00:01:00:00:00:00:00:0a", await DuidAsync("2001:db8:1::ad"));
        Assert.Equal("Lease database synchronization complete.", synced["text"]!.GetValue<string>());
        Assert.Equal(0, (await primary.CommandAsync("""{"command": "lease6-get", "arguments": {"ip-address": "2001:db8:1::ab"}}"""))["result"]!.GetValue<int>());
        Assert.True(standby.Server.Network.Enabled);
        Assert.Equal(await AddressesAsync(standby), await AddressesAsync(primary));

        // Its arguments are checked as Kea checks them.
        Assert.Equal("'server-name' is mandatory for the 'ha-sync' command", (await primary.CommandAsync("""{"command": "ha-sync", "arguments": {}}"""))["text"]!.GetValue<string>());
        Assert.Equal("'max-period' must be a positive integer in the 'ha-sync' command", (await primary.CommandAsync("""{"command": "ha-sync", "arguments": {"server-name": "server2", "max-period": 0}}"""))["text"]!.GetValue<string>());
        Assert.Equal(1, (await primary.CommandAsync("""{"command": "ha-sync", "arguments": {"server-name": "server1"}}"""))["result"]!.GetValue<int>());
    }

    /// <summary>Holds the first lease written until the test lets it go.</summary>
    private sealed class GateSink : Pukeko.Server.HighAvailability.IHaLeaseSink
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<Pukeko.Server.HighAvailability.HaSyncedLease> ApplyAsync(JsonObject lease, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return Pukeko.Server.HighAvailability.HaSyncedLease.Added;
        }
    }

    [Fact]
    public async Task The_partner_s_dhcp_service_is_disabled_while_leases_are_fetched_from_it_and_enabled_after()
    {
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();
        await using var partner = await ControlTestServer.StartAsync(Dhcp6("server2", port2, port1, port2, sync: true));
        Assert.Equal(0, (await partner.CommandAsync("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::ab", "duid": "00:03:00:01:aa:bb:cc:dd:ee:01", "iaid": 7}}"""))["result"]!.GetValue<int>());
        var config = HaQueryFilterTests.Relationship(Pukeko.Server.HighAvailability.HaMode.HotStandby, "server1") with
        {
            Peers =
            [
                new Pukeko.Server.HighAvailability.HaPeerConfig { Name = "server1", Url = new Uri($"http://127.0.0.1:{port1}/"), Role = Pukeko.Server.HighAvailability.HaRole.Primary },
                new Pukeko.Server.HighAvailability.HaPeerConfig { Name = "server2", Url = new Uri($"http://127.0.0.1:{port2}/"), Role = Pukeko.Server.HighAvailability.HaRole.Standby },
            ],
        };
        var sink = new GateSink();
        using var channel = new Pukeko.Server.HighAvailability.HttpHaPeerChannel();
        await using var local = new Pukeko.Server.HighAvailability.HaService(config, channel, new Pukeko.Server.Control.NetworkState(TimeProvider.System), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, sink);
        var sync = local.SynchronizeAsync(config.Partner!, TimeSpan.FromSeconds(20), CancellationToken.None);

        // Mid-sync: the partner's service is off under origin-id 2000 (Kea 3.x's remote origin), for max-period at most.
        await sink.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("2000", partner.Server.Network.DisabledBy);
        Assert.False(partner.Server.Network.Enabled);
        var state = (await partner.CommandAsync("""{"command": "status-get"}"""))["arguments"]!["dhcp-state"]!;
        Assert.Equal("[2000]", state["disabled-by-remote-command"]!.ToJsonString());

        sink.Release.SetResult();
        Assert.Null(await sync.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("2000", partner.Server.Network.DisabledBy);
    }

    [Fact]
    public async Task In_load_balancing_each_server_answers_its_half_and_the_survivor_answers_all()
    {
        // Hash 238 (even): server1's client; hash 61 (odd): server2's (LoadBalancingHashTests).
        var client1 = new Duid(Convert.FromHexString("00030001001122334455"));
        var client2 = new Duid(Convert.FromHexString("00030001001122334457"));
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();
        // With basic authentication on both control sockets: the peers' heartbeats and updates carry it.
        await using var server1 = await ControlTestServer.StartAsync(Dhcp6("server1", port1, port1, port2, "load-balancing", "secondary", password: "pa55"));
        var server2 = await ControlTestServer.StartAsync(Dhcp6("server2", port2, port1, port2, "load-balancing", "secondary", password: "pa55"));
        try
        {
            await WaitAsync(async () => await StateAsync(server1) == "load-balancing" && await StateAsync(server2) == "load-balancing", "load-balancing on both");
            Assert.Null(SolicitRapidCommit(server2, client1));
            Assert.Null(SolicitRapidCommit(server1, client2));
            var reply = SolicitRapidCommit(server2, client2);
            Assert.Equal(MessageType.Reply, reply!.Type);
            Assert.Equal(MessageType.Reply, SolicitRapidCommit(server1, client1)!.Type);

            // The secondary's lease reaches the primary.
            var address = ClientMessages.AddressOf(reply)!.Address.ToString();
            await WaitAsync(async () => (await server1.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{address}}}"}}"""))["result"]!.GetValue<int>() == 0, "server2's lease on server1");
        }
        finally
        {
            await server2.DisposeAsync();
        }

        await WaitAsync(async () => await StateAsync(server1) == "partner-down", "partner-down on server1");
        var status = (await server1.CommandAsync("""{"command": "status-get"}"""))["arguments"]!["high-availability"]![0]!;
        Assert.Equal("""["server1","server2"]""", status["ha-servers"]!["local"]!["scopes"]!.ToJsonString());
        Assert.Equal(MessageType.Reply, SolicitRapidCommit(server1, client2)!.Type);
    }

    [Fact]
    public async Task A_reply_is_dropped_when_the_standby_cannot_store_its_lease()
    {
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();

        // The standby's subnet has another id, so it cannot store the primary's leases (lease6-bulk-apply: result 3, failed lease result 1).
        var standbyConfig = Dhcp6("server2", port2, port1, port2);
        standbyConfig["subnet6"]![0]!["id"] = 2;
        await using var standby = await ControlTestServer.StartAsync(standbyConfig);
        await using var primary = await ControlTestServer.StartAsync(Dhcp6("server1", port1, port1, port2));
        await WaitAsync(async () => await StateAsync(primary) == "hot-standby" && await StateAsync(standby) == "hot-standby", "hot-standby on both");

        var direct = await standby.CommandAsync("""{"command": "lease6-bulk-apply", "arguments": {"deleted-leases": [], "leases": [ {"ip-address": "2001:db8:1::1f0", "duid": "00:03:00:01:00:11:22:33:44:dd", "iaid": 1, "subnet-id": 1, "valid-lft": 4000, "preferred-lft": 3000, "expire": 1900000000, "type": "IA_NA"} ]}}""");
        Assert.True(ControlResult.Empty == direct["result"]!.GetValue<int>(), direct.ToJsonString());

        var client = new Duid(Convert.FromHexString("000300010011223344dd"));
        Assert.Null(SolicitRapidCommit(primary, client));

        // The lease stays committed on the primary (Kea: only the reply is lost; the client retransmits).
        Assert.Single(await AddressesAsync(primary));
        Assert.Empty(await AddressesAsync(standby));

        // The standby answered (a conflict, result 4 per lease), so it is not marked unavailable and the pair goes on;
        // the client is counted as rejected.
        var ha = primary.Server.HighAvailability!.Service!;
        Assert.NotEqual("unavailable", ha.Communication.PartnerState);
        Assert.Equal(1, ha.RejectedClients.Count);
        Assert.Null(SolicitRapidCommit(primary, new Duid(Convert.FromHexString("000300010011223344de"))));
        Assert.Equal(2, ha.RejectedClients.Count);
        Assert.Equal("hot-standby", await StateAsync(primary));
    }

    [Fact]
    public async Task Maintenance_start_puts_the_standby_in_maintenance_cancel_brings_both_back_and_a_missing_partner_means_partner_down()
    {
        var port1 = LoopbackPorts.Free();
        var port2 = LoopbackPorts.Free();
        await using var primary = await ControlTestServer.StartAsync(Dhcp6("server1", port1, port1, port2));
        var standby = await ControlTestServer.StartAsync(Dhcp6("server2", port2, port1, port2));
        try
        {
            await WaitAsync(async () => await StateAsync(primary) == "hot-standby" && await StateAsync(standby) == "hot-standby", "hot-standby on both");
            Assert.Equal("'cancel' is mandatory for the 'ha-maintenance-notify' command", (await standby.CommandAsync("""{"command": "ha-maintenance-notify", "arguments": {}}"""))["text"]!.GetValue<string>());
            Assert.Equal("'cancel' must be a boolean in the 'ha-maintenance-notify' command", (await standby.CommandAsync("""{"command": "ha-maintenance-notify", "arguments": {"cancel": 1}}"""))["text"]!.GetValue<string>());
            Assert.Equal("Unable to cancel maintenance request because the server is not in the partner-in-maintenance state.", (await primary.CommandAsync("""{"command": "ha-maintenance-cancel"}"""))["text"]!.GetValue<string>());

            var started = await primary.CommandAsync("""{"command": "ha-maintenance-start"}""");
            Assert.Equal("Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.", started["text"]!.GetValue<string>());
            Assert.Equal("partner-in-maintenance", await StateAsync(primary));
            Assert.Equal("in-maintenance", await StateAsync(standby));
            Assert.False(standby.Server.Network.Enabled);

            // The primary serves and still replicates to the standby in maintenance.
            var reply = SolicitRapidCommit(primary, new Duid(Convert.FromHexString("000300010011223344ee")));
            Assert.Equal(MessageType.Reply, reply!.Type);
            Assert.Equal(await AddressesAsync(primary), await AddressesAsync(standby));
            Assert.Equal(1, (await primary.CommandAsync("""{"command": "ha-maintenance-start"}"""))["result"]!.GetValue<int>());

            Assert.Equal("Server maintenance successfully canceled.", (await primary.CommandAsync("""{"command": "ha-maintenance-cancel"}"""))["text"]!.GetValue<string>());
            Assert.Equal("hot-standby", await StateAsync(primary));
            Assert.Equal("hot-standby", await StateAsync(standby));
            Assert.True(standby.Server.Network.Enabled);
        }
        finally
        {
            await standby.DisposeAsync();
        }

        // The partner is gone: maintenance starts in partner-down.
        var down = await primary.CommandAsync("""{"command": "ha-maintenance-start"}""");
        Assert.Equal("Server is now in the partner-down state as its partner appears to be offline for maintenance.", down["text"]!.GetValue<string>());
        Assert.Equal("partner-down", await StateAsync(primary));
    }
}
