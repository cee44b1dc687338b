using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

public class SanityAndOptionsTests
{
    private static readonly byte[] DnsPayload = [.. Ipv6Address.Parse("2001:db8::53").ToIPAddress().GetAddressBytes()];

    [Fact]
    public void SolicitWithoutClientIdIsDroppedAsRfcViolation()
    {
        using var h = new PipelineHarness();
        var solicit = Create(MessageType.Solicit);
        solicit.Options.RemoveAll(OptionCode.ClientId);
        Assert.Null(h.Exchange(solicit).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-rfc-violation"));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
    }

    [Fact]
    public void SolicitWithServerIdIsDropped()
    {
        using var h = new PipelineHarness();
        Assert.Null(h.Exchange(Create(MessageType.Solicit, serverId: PipelineHarness.ServerDuid)).Reply);
    }

    [Fact]
    public void RequestForAnotherServerIsDroppedAsNotForUs()
    {
        using var h = new PipelineHarness();
        var other = Pukeko.Protocol.Duids.Duid.CreateLl(1, [7, 7, 7, 7, 7, 7]);
        Assert.Null(h.Exchange(Create(MessageType.Request, serverId: other)).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-not-for-us"));
    }

    [Fact]
    public void RequestWithoutServerIdIsDropped()
    {
        using var h = new PipelineHarness();
        Assert.Null(h.Exchange(Create(MessageType.Request)).Reply);
    }

    [Fact]
    public void SolicitSentToUnicastIsDropped()
    {
        using var h = new PipelineHarness { Destination = Ipv6Address.Parse("2001:db8:1::1") };
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
    }

    [Fact]
    public void AdvertiseFromAClientIsDropped()
    {
        using var h = new PipelineHarness();
        Assert.Null(h.Exchange(Create(MessageType.Advertise)).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-advertise-received"));
    }

    [Fact]
    public void GarbageIsCountedAsParseFailure()
    {
        using var h = new PipelineHarness();
        Assert.Null(h.ExchangeRaw([1, 2, 3]).Reply);
        Assert.Null(h.ExchangeRaw([1, 0, 0, 1, 0, 1, 0, 200, 1]).Reply);
        Assert.Equal(2, h.Statistics.Value("pkt6-parse-failed"));
        Assert.Equal(2, h.Statistics.Value("pkt6-receive-drop"));
        Assert.Equal(2, h.Statistics.Value("pkt6-received"));
    }

    [Fact]
    public void RandomBytesNeverEscapeAsExceptions()
    {
        using var h = new PipelineHarness();
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)random.Next(1, 14);
            }

            h.ExchangeRaw(bytes);
        }

        Assert.Equal(0, h.Statistics.Value("pkt6-processing-failed"));
        Assert.Equal(2000, h.Statistics.Value("pkt6-received"));
    }

    [Fact]
    public void RequestedGlobalOptionIsSentAndUnrequestedIsNot()
    {
        using var h = new PipelineHarness(configure: b => b.GlobalOptions.Add(new OptionDescriptor(23, "dhcp6", "dns-servers", DnsPayload, false, false)));
        var (withOro, _, _) = h.Exchange(Create(MessageType.Solicit, oro: [23]));
        Assert.Equal(DnsPayload, OptionBytes(withOro!.Options.Get(23)!));
        var (withoutOro, _, _) = h.Exchange(Create(MessageType.Solicit));
        Assert.False(withoutOro!.Options.Contains(23));
    }

    [Fact]
    public void SubnetOptionOverridesGlobalOne()
    {
        byte[] subnetDns = [.. Ipv6Address.Parse("2001:db8:1::53").ToIPAddress().GetAddressBytes()];
        using var h = new PipelineHarness(
            s => SolicitRequestTests.Clone(s, options: [new OptionDescriptor(23, "dhcp6", "dns-servers", subnetDns, false, false)]),
            b => b.GlobalOptions.Add(new OptionDescriptor(23, "dhcp6", "dns-servers", DnsPayload, false, false)));
        var (reply, _, _) = h.Exchange(Create(MessageType.InformationRequest, oro: [23]));
        Assert.Equal(subnetDns, OptionBytes(reply!.Options.Get(23)!));
    }

    [Fact]
    public void AlwaysSendOptionIsSentWithoutOroAndNeverSendIsNot()
    {
        using var h = new PipelineHarness(configure: b =>
        {
            b.GlobalOptions.Add(new OptionDescriptor(23, "dhcp6", "dns-servers", DnsPayload, AlwaysSend: true, NeverSend: false));
            b.GlobalOptions.Add(new OptionDescriptor(31, "dhcp6", "sntp-servers", DnsPayload, AlwaysSend: false, NeverSend: true));
        });
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit, oro: [31]));
        Assert.True(reply!.Options.Contains(23));
        Assert.False(reply.Options.Contains(31));
    }

    [Fact]
    public void InformationRequestWithoutClientIdIsAnswered()
    {
        using var h = new PipelineHarness(configure: b => b.GlobalOptions.Add(new OptionDescriptor(23, "dhcp6", "dns-servers", DnsPayload, false, false)));
        var query = Create(MessageType.InformationRequest, oro: [23]);
        query.Options.RemoveAll(OptionCode.ClientId);
        var (reply, _, _) = h.Exchange(query);
        Assert.Equal(MessageType.Reply, reply!.Type);
        Assert.False(reply.Options.Contains(OptionCode.ClientId));
        Assert.True(reply.Options.Contains(OptionCode.ServerId));
        Assert.True(reply.Options.Contains(23));
    }

    [Fact]
    public void RelayedSolicitIsAnsweredThroughRelayReplyWithInterfaceIdEchoed()
    {
        using var h = new PipelineHarness { InterfaceName = "eth7" };
        var relay = new RelayLayer
        {
            Type = MessageType.RelayForward,
            HopCount = 0,
            LinkAddress = Ipv6Address.Parse("2001:db8:1::1"),
            PeerAddress = Ipv6Address.Parse("fe80::abcd"),
        };
        relay.Options.Add(new RawOption(OptionCode.InterfaceId, [1, 2, 3]));
        relay.Options.Add(new RawOption(OptionCode.RemoteId, [0, 0, 0, 9, 1]));
        var relayAddress = Ipv6Address.Parse("2001:db8:9::1");
        var (reply, relays, datagram) = h.Exchange(Create(MessageType.Solicit), [relay], relayAddress);

        Assert.Equal(MessageType.Advertise, reply!.Type);
        Assert.Single(relays);
        Assert.Equal(MessageType.RelayReply, relays[0].Type);
        Assert.Equal(relay.LinkAddress, relays[0].LinkAddress);
        Assert.Equal(relay.PeerAddress, relays[0].PeerAddress);
        Assert.True(relays[0].Options.Contains(OptionCode.InterfaceId));
        Assert.False(relays[0].Options.Contains(OptionCode.RemoteId));
        Assert.Equal(relayAddress, datagram!.Value.Destination);
        Assert.Equal(547, datagram.Value.Port);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), AddressOf(reply)!.Address);
    }

    [Fact]
    public void RelayedClientsHardwareAddressComesFromTheClientLinkLayerOption()
    {
        using var h = new PipelineHarness { InterfaceName = "eth7" };
        var relay = new RelayLayer
        {
            Type = MessageType.RelayForward,
            LinkAddress = Ipv6Address.Parse("2001:db8:1::1"),
            PeerAddress = Ipv6Address.Parse("fe80::abcd"),
        };
        relay.Options.Add(new RawOption(OptionCode.ClientLinkLayerAddr, [0, 1, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]));
        var enterpriseDuid = Pukeko.Protocol.Duids.Duid.CreateEn(2495, [1, 2, 3, 4]);
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: enterpriseDuid), [relay], Ipv6Address.Parse("2001:db8:9::1"));

        var lease = h.Store.Get(AddressOf(reply!)!.Address)!;
        Assert.Equal(new byte[] { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f }, lease.HardwareAddress);
        Assert.Equal((ushort)1, lease.HardwareType);
        Assert.Equal(Pukeko.Server.Allocation.HardwareAddressFinder.SourceClientLinkLayerOption, lease.HardwareAddressSource);
    }

    private static byte[] OptionBytes(DhcpOption option)
    {
        var bytes = new byte[option.DataLength];
        option.WriteData(bytes);
        return bytes;
    }
}
