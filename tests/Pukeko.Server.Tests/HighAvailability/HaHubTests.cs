using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>
/// Hub and spoke (Kea 2.6+): a hub that is the standby of two primaries, one relationship each. Three real
/// <see cref="Hosting.Dhcp6Server"/>s in one process reach each other over their HTTP control sockets on 127.0.0.1.
/// Subnet 1 (on eth0) belongs to relationship A (spoke-a, hub-a), subnet 2 (on eth1) to B (spoke-b, hub-b).
/// </summary>
public sealed class HaHubTests
{
    private const string SubnetA = """{ "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ], "rapid-commit": true, "user-context": { "ha-server-name": "hub-a" } }""";
    private const string SubnetB = """{ "id": 2, "subnet": "2001:db8:2::/64", "interface": "eth1", "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f" } ], "rapid-commit": true, "user-context": { "ha-server-name": "spoke-b" } }""";

    private static string Relationship(string self, string primary, int primaryPort, string standby, int standbyPort) => $$"""
        { "this-server-name": "{{self}}", "mode": "hot-standby", "sync-leases": false,
          "heartbeat-delay": 100, "max-response-delay": 1000, "max-unacked-clients": 0,
          "peers": [ { "name": "{{primary}}", "url": "http://127.0.0.1:{{primaryPort}}/", "role": "primary" },
                     { "name": "{{standby}}", "url": "http://127.0.0.1:{{standbyPort}}/", "role": "standby" } ] }
        """;

    private static JsonObject Dhcp6(int ownPort, string subnets, params string[] relationships)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["subnet6"] = JsonNode.Parse("[" + subnets + "]");
        dhcp6["control-sockets"] = JsonNode.Parse($$"""[ { "socket-type": "http", "socket-address": "127.0.0.1", "socket-port": {{ownPort}} } ]""");
        dhcp6["hooks-libraries"] = JsonNode.Parse($$"""
            [ { "library": "libdhcp_lease_cmds.so" },
              { "library": "libdhcp_ha.so", "parameters": { "high-availability": [ {{string.Join(", ", relationships)}} ] } } ]
            """);
        return dhcp6;
    }

    private static async Task<IReadOnlyList<string?>> StatesAsync(ControlTestServer server) =>
        [.. ((await server.CommandAsync("""{"command": "status-get"}"""))["arguments"]?["high-availability"] as JsonArray ?? [])
            .Select(r => r?["ha-servers"]?["local"]?["state"]?.GetValue<string>())];

    /// <summary>A Solicit with Rapid Commit from <paramref name="client"/> received on <paramref name="interfaceName"/>; the reply or null.</summary>
    private static Dhcp6Message? SolicitRapidCommit(ControlTestServer server, Duid client, string interfaceName)
    {
        var query = ClientMessages.Create(MessageType.Solicit, clientId: client);
        query.Options.Add(new EmptyOption(OptionCode.RapidCommit));
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
            InterfaceIndex = interfaceName == "eth0" ? 2 : 3,
            InterfaceName = interfaceName,
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

    private static async Task<bool> HasLeaseAsync(ControlTestServer server, string address) =>
        (await server.CommandAsync($$$"""{"command": "lease6-get", "arguments": {"ip-address": "{{{address}}}"}}"""))["result"]!.GetValue<int>() == 0;

    [Fact]
    public async Task The_hub_serves_each_relationship_on_its_own_and_takes_over_only_the_subnet_of_the_spoke_that_stops()
    {
        var hubPort = LoopbackPorts.Free();
        var portA = LoopbackPorts.Free();
        var portB = LoopbackPorts.Free();
        await using var hub = await ControlTestServer.StartAsync(Dhcp6(hubPort, SubnetA + ", " + SubnetB,
            Relationship("hub-a", "spoke-a", portA, "hub-a", hubPort), Relationship("hub-b", "spoke-b", portB, "hub-b", hubPort)));
        await using var spokeB = await ControlTestServer.StartAsync(Dhcp6(portB, SubnetB, Relationship("spoke-b", "spoke-b", portB, "hub-b", hubPort)));
        var spokeA = await ControlTestServer.StartAsync(Dhcp6(portA, SubnetA, Relationship("spoke-a", "spoke-a", portA, "hub-a", hubPort)));
        try
        {
            await HaPairTests.WaitAsync(
                async () => await StatesAsync(hub) is ["hot-standby", "hot-standby"] && await HaPairTests.StateAsync(spokeA) == "hot-standby" && await HaPairTests.StateAsync(spokeB) == "hot-standby",
                "hot-standby in both relationships");

            // status-get lists both relationships, each with its own partner.
            var ha = (await hub.CommandAsync("""{"command": "status-get"}"""))["arguments"]!["high-availability"]!.AsArray();
            Assert.Equal(["hot-standby", "hot-standby"], ha.Select(r => r!["ha-mode"]!.GetValue<string>()));
            Assert.Equal(["standby", "standby"], ha.Select(r => r!["ha-servers"]!["local"]!["role"]!.GetValue<string>()));
            Assert.Equal(["primary", "primary"], ha.Select(r => r!["ha-servers"]!["remote"]!["role"]!.GetValue<string>()));

            // Each spoke's client is replicated to the hub, and only there; the hub, standby in both, answers neither.
            var clientA = new Duid(Convert.FromHexString("0003000100112233440a"));
            var clientB = new Duid(Convert.FromHexString("0003000100112233440b"));
            var addressA = ClientMessages.AddressOf(SolicitRapidCommit(spokeA, clientA, "eth0")!)!.Address.ToString();
            var addressB = ClientMessages.AddressOf(SolicitRapidCommit(spokeB, clientB, "eth1")!)!.Address.ToString();
            Assert.StartsWith("2001:db8:1::", addressA, StringComparison.Ordinal);
            Assert.StartsWith("2001:db8:2::", addressB, StringComparison.Ordinal);
            Assert.True(await HasLeaseAsync(hub, addressA));
            Assert.True(await HasLeaseAsync(hub, addressB));
            Assert.False(await HasLeaseAsync(spokeB, addressA));
            Assert.False(await HasLeaseAsync(spokeA, addressB));
            Assert.Null(SolicitRapidCommit(hub, clientA, "eth0"));
            Assert.Null(SolicitRapidCommit(hub, clientB, "eth1"));

            // Commands pick their relationship by server-name (any name of it); without one the hub cannot choose.
            Assert.Equal("expected one relationship to be configured", (await hub.CommandAsync("""{"command": "ha-heartbeat"}"""))["text"]!.GetValue<string>());
            Assert.Equal("nobody matches no configured 'server-name'", (await hub.CommandAsync("""{"command": "ha-heartbeat", "arguments": {"server-name": "nobody"}}"""))["text"]!.GetValue<string>());
            Assert.Equal("'server-name' must be a string in the 'ha-reset' command", (await hub.CommandAsync("""{"command": "ha-reset", "arguments": {"server-name": 1}}"""))["text"]!.GetValue<string>());
            Assert.Equal(0, (await hub.CommandAsync("""{"command": "ha-heartbeat", "arguments": {"server-name": "spoke-b"}}"""))["result"]!.GetValue<int>());
            Assert.Equal("HA state machine is not paused.", (await hub.CommandAsync("""{"command": "ha-continue", "arguments": {"server-name": "hub-a"}}"""))["text"]!.GetValue<string>());

            // A spoke has one relationship: the argument is not looked at (Kea 2.2's way).
            Assert.Equal(0, (await spokeA.CommandAsync("""{"command": "ha-heartbeat", "arguments": {"server-name": "nobody"}}"""))["result"]!.GetValue<int>());

            // Spoke A stops: the hub takes over relationship A's subnet only; relationship B stays as it was.
            await spokeA.DisposeAsync();
            await HaPairTests.WaitAsync(async () => await StatesAsync(hub) is ["partner-down", "hot-standby"], "partner-down for relationship A only");
            Assert.Equal(MessageType.Reply, SolicitRapidCommit(hub, new Duid(Convert.FromHexString("0003000100112233440c")), "eth0")!.Type);
            Assert.Null(SolicitRapidCommit(hub, new Duid(Convert.FromHexString("0003000100112233440d")), "eth1"));

            // Relationship B still replicates.
            var addressB2 = ClientMessages.AddressOf(SolicitRapidCommit(spokeB, new Duid(Convert.FromHexString("0003000100112233440e")), "eth1")!)!.Address.ToString();
            Assert.True(await HasLeaseAsync(hub, addressB2));
        }
        finally
        {
            await spokeA.DisposeAsync();
        }
    }

    [Fact]
    public void A_subnet_belongs_to_the_relationship_its_user_context_or_its_shared_network_s_names()
    {
        var config = LoadConfig("""
            "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64", "user-context": { "ha-server-name": "hub-a" } },
              { "id": 2, "subnet": "2001:db8:2::/64", "user-context": { "other": 1 } },
              { "id": 3, "subnet": "2001:db8:3::/64", "user-context": { "ha-server-name": "" } },
              { "id": 4, "subnet": "2001:db8:4::/64", "user-context": { "ha-server-name": 7 } } ],
            "shared-networks": [ { "name": "net", "user-context": { "ha-server-name": "spoke-b" }, "subnet6": [
              { "id": 5, "subnet": "2001:db8:5::/64" },
              { "id": 6, "subnet": "2001:db8:6::/64", "user-context": { "ha-server-name": "spoke-a" } } ] } ]
            """);
        var map = HaSubnetMap.Of(config);
        Assert.Equal(new HaSubnetSelector("hub-a", true), map.SelectorOf(1));
        Assert.Equal(HaSubnetSelector.None, map.SelectorOf(2));
        Assert.Equal(HaSubnetSelector.Invalid, map.SelectorOf(3));
        Assert.Equal(HaSubnetSelector.Invalid, map.SelectorOf(4));
        Assert.Equal(new HaSubnetSelector("spoke-b", true), map.SelectorOf(5));
        Assert.Equal(new HaSubnetSelector("spoke-a", true), map.SelectorOf(6));
        Assert.Equal(HaSubnetSelector.None, map.SelectorOf(99));
    }

    [Fact]
    public void A_subnet_written_without_an_id_is_mapped_by_its_user_context_once_its_id_is_assigned()
    {
        // Kea assigns the missing ids while configuring and maps the subnets afterwards; so does Pukeko.
        var config = LoadConfig("""
            "subnet6": [
              { "subnet": "2001:db8:1::/64", "user-context": { "ha-server-name": "hub-a" } },
              { "id": 0, "subnet": "2001:db8:2:0::/64", "user-context": { "ha-server-name": "spoke-b" } } ],
            "shared-networks": [ { "name": "net", "user-context": { "ha-server-name": "spoke-b" }, "subnet6": [
              { "subnet": "2001:db8:5::/64" },
              { "subnet": "2001:db8:6::/64", "user-context": { "ha-server-name": "spoke-a" } } ] } ]
            """);
        var map = HaSubnetMap.Of(config);
        string? NameOf(string prefix) => map.SelectorOf(config.Subnets.Single(s => s.Prefix.ToString() == prefix).Id).Name;
        Assert.All(config.Subnets, s => Assert.NotEqual(0u, s.Id));
        Assert.Equal("hub-a", NameOf("2001:db8:1::/64"));
        Assert.Equal("spoke-b", NameOf("2001:db8:2::/64"));
        Assert.Equal("spoke-b", NameOf("2001:db8:5::/64"));
        Assert.Equal("spoke-a", NameOf("2001:db8:6::/64"));
    }

    [Fact]
    public async Task Each_partner_origin_id_holds_the_service_on_its_own_and_sync_complete_releases_only_its_own()
    {
        var hubPort = LoopbackPorts.Free();
        await using var hub = await ControlTestServer.StartAsync(Dhcp6(hubPort, SubnetA + ", " + SubnetB,
            Relationship("hub-a", "spoke-a", LoopbackPorts.Free(), "hub-a", hubPort), Relationship("hub-b", "spoke-b", LoopbackPorts.Free(), "hub-b", hubPort)));
        async Task<int> ResultAsync(string command) => (await hub.CommandAsync(command))["result"]!.GetValue<int>();
        IEnumerable<string> Remote() => hub.Server.Network.DisabledBy.Where(o => o.StartsWith('2')).Order(StringComparer.Ordinal);

        // Two partners synchronise from the hub at once, each disabling it under its own origin-id (Kea 3.x also
        // sends Kea 2.2's origin, which origin-id overrides).
        Assert.Equal(0, await ResultAsync("""{"command": "dhcp-disable", "arguments": {"origin-id": 2000, "origin": "ha-partner", "max-period": 60}}"""));
        Assert.Equal(0, await ResultAsync("""{"command": "dhcp-disable", "arguments": {"origin-id": 2001, "origin": "ha-partner", "max-period": 60}}"""));
        Assert.Equal(["2000", "2001"], Remote());
        var dhcpState = (await hub.CommandAsync("""{"command": "status-get"}"""))["arguments"]!["dhcp-state"]!;
        Assert.Equal("[2000,2001]", dhcpState["disabled-by-remote-command"]!.ToJsonString());

        // The second one finishes: only its hold goes, the service stays off for the first.
        var notified = await hub.CommandAsync("""{"command": "ha-sync-complete-notify", "arguments": {"server-name": "spoke-b", "origin-id": 2001, "origin": 2001}}""");
        Assert.Equal("Server successfully notified about the synchronization completion.", notified["text"]!.GetValue<string>());
        Assert.Equal(["2000"], Remote());
        Assert.False(hub.Server.Network.Enabled);

        // dhcp-enable with an origin-id releases that one only.
        Assert.Equal(0, await ResultAsync("""{"command": "dhcp-disable", "arguments": {"origin-id": 2001}}"""));
        Assert.Equal(0, await ResultAsync("""{"command": "dhcp-enable", "arguments": {"origin-id": 2001, "origin": "ha-partner"}}"""));
        Assert.Equal(["2000"], Remote());

        // Kea 2.2 says "ha-partner" (taken as 2000, as Kea 3.x takes it) and notifies without an origin: 2000 is released.
        Assert.Equal(0, await ResultAsync("""{"command": "dhcp-disable", "arguments": {"origin": "ha-partner"}}"""));
        Assert.Equal(["2000"], Remote());
        Assert.Equal(0, await ResultAsync("""{"command": "ha-sync-complete-notify", "arguments": {"server-name": "spoke-a"}}"""));
        Assert.Empty(Remote());

        // Kea's checks of the origin.
        Assert.Equal("'origin-id' must be an integer in the 'ha-sync-complete-notify' command",
            (await hub.CommandAsync("""{"command": "ha-sync-complete-notify", "arguments": {"server-name": "spoke-a", "origin-id": "2000"}}"""))["text"]!.GetValue<string>());
        Assert.Equal("'origin' must be an integer in the 'ha-sync-complete-notify' command",
            (await hub.CommandAsync("""{"command": "ha-sync-complete-notify", "arguments": {"server-name": "spoke-a", "origin": "ha-partner"}}"""))["text"]!.GetValue<string>());
        Assert.Equal("'state' must be a string in the 'ha-maintenance-notify' command",
            (await hub.CommandAsync("""{"command": "ha-maintenance-notify", "arguments": {"server-name": "spoke-a", "cancel": false, "state": 1}}"""))["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Commands_and_queries_are_routed_to_the_relationship_they_name()
    {
        using var network = new NetworkState(TimeProvider.System);
        using var otherNetwork = new NetworkState(TimeProvider.System);
        var channel = new NoPeers();
        var a = Service(channel, network, "hub-a", "spoke-a", 0);
        var b = Service(channel, network, "hub-b", "spoke-b", 1);
        var config = LoadConfig("""
            "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64", "user-context": { "ha-server-name": "spoke-a" } },
              { "id": 2, "subnet": "2001:db8:2::/64", "user-context": { "ha-server-name": "hub-b" } },
              { "id": 3, "subnet": "2001:db8:3::/64" },
              { "id": 4, "subnet": "2001:db8:4::/64", "user-context": { "ha-server-name": "nobody" } } ]
            """);
        await using var hub = new HaServices([a, b], HaSubnetMap.Of(config), null, NullLogger.Instance);
        await using var single = new HaServices([Service(channel, otherNetwork, "hub-a", "spoke-a", 0)], HaSubnetMap.Empty, null, NullLogger.Instance);

        // Any name of a relationship picks it; the only relationship needs none.
        Assert.Same(a, hub.ForCommand("ha-reset", new JsonObject { ["server-name"] = "spoke-a" }, out _));
        Assert.Same(a, hub.ForCommand("ha-reset", new JsonObject { ["server-name"] = "hub-a" }, out _));
        Assert.Same(b, hub.ForCommand("ha-reset", new JsonObject { ["server-name"] = "hub-b" }, out _));
        Assert.Null(hub.ForCommand("ha-reset", null, out var error));
        Assert.Equal("expected one relationship to be configured", error);
        Assert.Null(hub.ForCommand("ha-reset", new JsonObject { ["max-period"] = 1 }, out error));
        Assert.Equal("expected one relationship to be configured", error);
        Assert.Null(hub.ForCommand("ha-scopes", new JsonObject { ["server-name"] = "x" }, out error));
        Assert.Equal("x matches no configured 'server-name'", error);
        Assert.Null(hub.ForCommand("ha-scopes", new JsonObject { ["server-name"] = true }, out error));
        Assert.Equal("'server-name' must be a string in the 'ha-scopes' command", error);
        Assert.NotNull(single.ForCommand("ha-reset", new JsonObject { ["server-name"] = "x" }, out error));
        Assert.Null(error);

        // Subnets: by their ha-server-name; none or an unknown name serves nobody. Both relationships are in waiting,
        // which serves no scope, so a mapped query is still refused, but an unmapped one never reaches a relationship.
        Assert.Same(a, hub.ForSubnet(1));
        Assert.Same(b, hub.ForSubnet(2));
        Assert.Null(hub.ForSubnet(3));
        Assert.Null(hub.ForSubnet(4));
        Assert.True(hub.Accept(new Dhcp6Packet(ClientMessages.Create(MessageType.Solicit))));
        Assert.False(hub.AcceptInSubnet(new Dhcp6Packet(ClientMessages.Create(MessageType.Solicit)), null));
        Assert.False(hub.AcceptInSubnet(new Dhcp6Packet(ClientMessages.Create(MessageType.Solicit)), config.Subnets[2]));
        Assert.Equal(CommittedLeasesOutcome.Drop, await hub.LeasesCommittedAsync(new Dhcp6Packet(ClientMessages.Create(MessageType.Request)), config.Subnets[2], [Change()], 0));
        Assert.Equal(CommittedLeasesOutcome.Send, await hub.LeasesCommittedAsync(new Dhcp6Packet(ClientMessages.Create(MessageType.Request)), config.Subnets[0], [Change()], 0));

        // One relationship: the subnet is not looked at.
        Assert.True(single.AcceptInSubnet(new Dhcp6Packet(ClientMessages.Create(MessageType.Solicit)), config.Subnets[2]));

        // Each relationship disables the service under its own origin.
        Assert.Equal(["1000", "1001"], network.DisabledBy.Order(StringComparer.Ordinal));
    }

    private static HaService Service(IHaPeerChannel channel, NetworkState network, string self, string primary, int index)
    {
        var config = HaQueryFilterTests.Relationship(HaMode.HotStandby, self) with
        {
            Peers =
            [
                new HaPeerConfig { Name = primary, Url = new Uri("http://127.0.0.1:9/"), Role = HaRole.Primary },
                new HaPeerConfig { Name = self, Url = new Uri("http://127.0.0.1:9/"), Role = HaRole.Standby },
            ],
        };
        var service = new HaService(config, channel, network, TimeProvider.System, NullLogger.Instance, relationshipIndex: index);
        service.StartManually();
        return service;
    }

    private static LeaseChange Change() => new(null, HaServiceTests.LeaseFor(1), LeaseChangeReason.Allocated);

    private static DhcpConfig LoadConfig(string body) => Configuration.ConfigTest.LoadOk("{ \"Dhcp6\": { " + body + " } }");

    private sealed class NoPeers : IHaPeerChannel
    {
        public Task<JsonObject> SendAsync(HaPeerConfig peer, JsonObject command, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new HaPeerException("no peers here");
    }
}
