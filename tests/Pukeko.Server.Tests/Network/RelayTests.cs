using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Network.NetworkMessages;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Network;

public class RelayTests
{
    private static readonly Ipv6Address RelayAddress = Ipv6Address.Parse("2001:db8:ff::1");

    /// <summary>Forge's relay layout: two subnets told apart by interface-id and relay address.</summary>
    private const string TwoSubnets = """
        "cache-threshold": 0,
        "subnet6": [
            { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::10" } ],
              "interface-id": "xyz", "relay": { "ip-addresses": [ "3000::1005" ] } },
            { "id": 2, "subnet": "2001:db8:2::/64", "pools": [ { "pool": "2001:db8:2::1-2001:db8:2::10" } ],
              "interface-id": "abc", "relay": { "ip-addresses": [ "3000::2005" ] } },
            { "id": 3, "subnet": "2001:db8:3::/64", "pools": [ { "pool": "2001:db8:3::1-2001:db8:3::10" } ] }
        ]
        """;

    private static Ipv6Address? Solicit(PipelineHarness h, params RelayLayer[] relays)
    {
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit), relays, RelayAddress);
        return reply is null ? null : AddressOf(reply)?.Address;
    }

    [Theory]
    [InlineData("3000::2005", "xyz", "2001:db8:1::1")] // interface-id beats the relay address
    [InlineData("3000::2005", "nope", "2001:db8:2::1")] // unknown interface-id: relay address
    [InlineData("3000::2005", null, "2001:db8:2::1")]
    [InlineData("2001:db8:3::99", null, "2001:db8:3::1")] // link-address inside a subnet prefix
    [InlineData("2001:db8:3::99", "abc", "2001:db8:2::1")]
    public void RelayedClientsAreMatchedByInterfaceIdThenRelayAddressThenPrefix(string link, string? interfaceId, string expected)
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnets);
        Assert.Equal(Ipv6Address.Parse(expected), Solicit(h, Relay(link, interfaceId: interfaceId)));
    }

    [Fact]
    public void UnknownLinkAddressGetsNoSubnet()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnets);
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit), [Relay("2001:db8:99::1")], RelayAddress);
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(reply!).Options));
    }

    [Fact]
    public void ARelayWithoutLinkAddressOrInterfaceIdIsSelectedLikeADirectClient()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "subnet6": [ { "id": 4, "subnet": "2001:db8:4::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:4::1-2001:db8:4::10" } ] } ]
            """);
        Assert.Equal(Ipv6Address.Parse("2001:db8:4::1"), Solicit(h, Relay("fe80::1")));
    }

    [Fact]
    public void TheLinkAddressOfTheRelayClosestToTheClientIsUsedSkippingUnsetOnes()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnets);

        // Outermost first: the relay next to the server, then the one next to the client (link-local, unset).
        var relays = new[] { Relay("2001:db8:3::5", hops: 1), Relay("3000::1005", hops: 0), Relay("fe80::7", hops: 0) };
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::1"), Solicit(h, relays));
    }

    [Fact]
    public void OnlyTheInterfaceIdOfTheRelayClosestToTheClientCounts()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnets);
        var relays = new[] { Relay("2001:db8:3::5", hops: 1, interfaceId: "abc"), Relay("2001:db8:3::6") };
        Assert.Equal(Ipv6Address.Parse("2001:db8:3::1"), Solicit(h, relays));
    }

    [Fact]
    public void SharedNetworkRelayAddressesServeSubnetsWithoutTheirOwn()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "shared-networks": [ { "name": "floor", "relay": { "ip-addresses": [ "3000::7" ] },
                "subnet6": [ { "id": 10, "subnet": "2001:db8:10::/64", "pools": [ { "pool": "2001:db8:10::1-2001:db8:10::1" } ] },
                             { "id": 11, "subnet": "2001:db8:11::/64", "relay": { "ip-addresses": [ "3000::8" ] },
                               "pools": [ { "pool": "2001:db8:11::1-2001:db8:11::1" } ] } ] } ]
            """);
        uint? Selected(string link)
        {
            var packet = new Dhcp6Packet(Create(MessageType.Solicit)) { RemoteAddress = RelayAddress, InterfaceName = "eth0" };
            packet.Relays.Add(Relay(link));
            return Server.Pipeline.Stages.SubnetSelectionStage.Select(packet, h.Runtime)?.Id;
        }

        Assert.Equal(10u, Selected("3000::7"));
        Assert.Equal(11u, Selected("3000::8"));
        Assert.Null(Selected("3000::9"));
    }

    [Fact]
    public void NestedRelayRepliesMirrorEveryLayerAndGoBackToTheRelay()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnets);
        var outer = Relay("2001:db8:3::5", peer: "2001:db8:ff::2", hops: 1, interfaceId: "outer");
        outer.Options.Add(new RemoteIdOption(4491, [1, 2, 3]));
        var inner = Relay("2001:db8:3::6", hops: 0, interfaceId: "inner");
        h.SourcePort = 547;
        var (reply, relays, datagram) = h.Exchange(Create(MessageType.Solicit), [outer, inner], RelayAddress);

        Assert.Equal(MessageType.Advertise, reply!.Type);
        Assert.Equal(2, relays.Count);
        Assert.All(relays, r => Assert.Equal(MessageType.RelayReply, r.Type));
        Assert.Equal((1, "2001:db8:3::5", "2001:db8:ff::2"), (relays[0].HopCount, relays[0].LinkAddress.ToString(), relays[0].PeerAddress.ToString()));
        Assert.Equal((0, "2001:db8:3::6"), (relays[1].HopCount, relays[1].LinkAddress.ToString()));

        // RFC 8415 §19.3: Interface-ID is echoed at its level; other relay options are not.
        Assert.Equal("outer"u8.ToArray(), relays[0].Options.Get<RawOption>(OptionCode.InterfaceId)!.Data);
        Assert.Equal("inner"u8.ToArray(), relays[1].Options.Get<RawOption>(OptionCode.InterfaceId)!.Data);
        Assert.Null(relays[0].Options.Get(OptionCode.RemoteId));
        Assert.Equal((RelayAddress, (ushort)547), (datagram!.Value.Destination, datagram.Value.Port));
    }

    [Fact]
    public void RelaySourcePortSendsTheReplyBackToTheRelaysPort()
    {
        using var h = PipelineHarness.FromDhcp6(TwoSubnets);
        var relay = Relay("2001:db8:3::5");
        relay.Options.Add(new RelaySourcePortOption(0));
        h.SourcePort = 40000;
        var (_, relays, datagram) = h.Exchange(Create(MessageType.Solicit), [relay], RelayAddress);
        Assert.Equal((ushort)40000, datagram!.Value.Port);
        Assert.NotNull(Assert.Single(relays).Options.Get(OptionCode.RelaySourcePort));
    }

    [Fact]
    public void RelaySuppliedOptionsAreCopiedOnlyWhenEnabledAndNotConfigured()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "relay-supplied-options": [ "110", "sntp-servers" ],
            "option-data": [ { "name": "dns-servers", "data": "2001:db8::53", "always-send": true } ],
            "subnet6": [ { "subnet": "2001:db8:3::/64", "pools": [ { "pool": "2001:db8:3::1-2001:db8:3::10" } ] } ]
            """);
        var offered = new OptionCollection
        {
            new RawOption(65, [4, (byte)'h', (byte)'o', (byte)'m', (byte)'e', 0]), // erp-local-domain-name: always enabled
            new RawOption(110, [1, 2]),
            new RawOption(111, [3, 4]), // not enabled
            new RawOption(OptionCode.DnsServers, new byte[16]), // configured: the server's own wins
        };
        var rsoo = new byte[offered.DataLength];
        offered.WriteTo(rsoo);
        var relay = Relay("2001:db8:3::5");
        relay.Options.Add(new RawOption(OptionCode.Rsoo, rsoo));

        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit), [relay], RelayAddress);
        Assert.NotNull(reply!.Options.Get(65));
        Assert.Equal(new byte[] { 1, 2 }, reply.Options.Get<RawOption>(110)!.Data);
        Assert.Null(reply.Options.Get(111));
        Assert.Single(reply.Options.GetAll(OptionCode.DnsServers));
        Assert.NotEqual(new byte[16], reply.Options.Get<RawOption>(OptionCode.DnsServers)?.Data);
    }

    [Fact]
    public void RemoteIdAndSubscriberIdAreFoundFromTheClientSide()
    {
        var packet = new Dhcp6Packet(Create(MessageType.Solicit));
        var outer = Relay("2001:db8:3::5", interfaceId: "o");
        outer.Options.Add(new RemoteIdOption(9, [9]));
        outer.Options.Add(new RawOption(OptionCode.SubscriberId, [5, 5]));
        var inner = Relay("::", interfaceId: "i");
        inner.Options.Add(new RemoteIdOption(4491, [1]));
        packet.Relays.AddRange([outer, inner]);

        Assert.Equal(4491u, packet.RemoteId()!.EnterpriseNumber);
        Assert.Equal(new byte[] { 5, 5 }, packet.SubscriberId());
        Assert.Equal("i"u8.ToArray(), packet.InterfaceId());
        Assert.Equal(Ipv6Address.Parse("2001:db8:3::5"), packet.FirstRelayLinkAddress());
        Assert.Equal(9u, ((RemoteIdOption)packet.GetRelayOption(OptionCode.RemoteId, RelaySearch.FromServer)!).EnterpriseNumber);
    }
}
