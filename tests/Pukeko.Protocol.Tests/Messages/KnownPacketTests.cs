using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Messages;

/// <summary>Byte-exact packets, laid out field by field as they appear on the wire.</summary>
public class KnownPacketTests
{
    /// <summary>A Solicit as ISC dhclient -6 sends it on an Ethernet interface.</summary>
    private static readonly byte[] DhclientSolicit = Hex.Bytes(
        "01",                 // msg-type SOLICIT
        "100874",             // transaction-id
        "0001", "000e",       // OPTION_CLIENTID, 14 bytes
        "0001",               //   DUID-LLT
        "0001",               //   hardware type 1 (Ethernet)
        "1d8b5c3a",           //   time: seconds since 2000-01-01
        "525400123456",       //   link-layer address 52:54:00:12:34:56
        "0006", "0004",       // OPTION_ORO, 4 bytes
        "0017", "0018",       //   DNS servers, domain search
        "0008", "0002",       // OPTION_ELAPSED_TIME, 2 bytes
        "0000",               //   0 (first transmission)
        "0003", "000c",       // OPTION_IA_NA, 12 bytes
        "00123456",           //   IAID (last bytes of the MAC)
        "00000000",           //   T1: no preference
        "00000000");          //   T2: no preference

    private static readonly byte[] RelayedSolicit = Hex.Bytes(
        "0c",                                   // msg-type RELAY-FORW
        "00",                                   // hop-count 0: first relay
        "20010db8000000000000000000000001",     // link-address 2001:db8::1
        "fe80000000000000505400fffe123456",     // peer-address fe80::5054:ff:fe12:3456
        "0012", "0004", "65746830",             // OPTION_INTERFACE_ID "eth0"
        "0009", "0034",                         // OPTION_RELAY_MSG, 52 bytes: the Solicit above
        Hex.Of(DhclientSolicit));

    [Fact]
    public void ParseReadsEveryFieldOfADhclientSolicit()
    {
        var relays = new List<RelayLayer>();

        var status = Dhcp6Parser.TryParse(DhclientSolicit, relays, out var message);

        Assert.Equal(ParseStatus.Ok, status);
        Assert.Empty(relays);
        Assert.NotNull(message);
        Assert.Equal(MessageType.Solicit, message.Type);
        Assert.Equal(0x100874u, message.TransactionId);
        Assert.Equal(4, message.Options.Count);

        var clientId = message.Options.Get<DuidOption>(OptionCode.ClientId);
        Assert.NotNull(clientId);
        Assert.Equal(Duid.CreateLlt(1, 0x1d8b5c3a, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]), clientId.Duid);
        Assert.Equal(DuidType.Llt, clientId.Duid.Type);
        Assert.Equal("00:01:00:01:1d:8b:5c:3a:52:54:00:12:34:56", clientId.Duid.ToString());

        Assert.Equal([OptionCode.DnsServers, OptionCode.DomainSearch], message.Options.Get<OptionRequestOption>(OptionCode.OptionRequest)!.Codes);
        Assert.Equal(0, message.Options.Get<ElapsedTimeOption>(OptionCode.ElapsedTime)!.Value);

        var iaNa = message.Options.Get<IaNaOption>(OptionCode.IaNa);
        Assert.NotNull(iaNa);
        Assert.Equal(0x00123456u, iaNa.Iaid);
        Assert.Equal(0u, iaNa.T1);
        Assert.Equal(0u, iaNa.T2);
        Assert.Equal(0, iaNa.Options.Count);
    }

    [Fact]
    public void WriteReproducesTheDhclientSolicitByteForByte()
    {
        Dhcp6Parser.TryParse(DhclientSolicit, [], out var message);

        Assert.Equal(Hex.Of(DhclientSolicit), Hex.Of(Dhcp6Writer.ToArray(message!)));
    }

    [Fact]
    public void WriteProducesTheExpectedAdvertise()
    {
        var advertise = new Dhcp6Message(MessageType.Advertise, 0x100874);
        advertise.Options.Add(new DuidOption(OptionCode.ServerId, Duid.CreateLlt(1, 0x2a000001, [0x02, 0x00, 0x00, 0x00, 0x00, 0x01])));
        advertise.Options.Add(new DuidOption(OptionCode.ClientId, Duid.CreateLlt(1, 0x1d8b5c3a, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56])));
        var iaNa = new IaNaOption(0x00123456, 1000, 2000);
        iaNa.Options.Add(new IaAddressOption(Ipv6Address.Parse("2001:db8:1::100"), 3000, 4000));
        advertise.Options.Add(iaNa);
        advertise.Options.Add(new AddressListOption(OptionCode.DnsServers, [Ipv6Address.Parse("2001:db8::53")]));
        advertise.Options.Add(new StatusCodeOption(StatusCode.Success, "ok"));

        var expected = Hex.Bytes(
            "02", "100874",                                   // ADVERTISE, same transaction-id
            "0002", "000e", "0001", "0001", "2a000001", "020000000001", // server-id DUID-LLT
            "0001", "000e", "0001", "0001", "1d8b5c3a", "525400123456", // client-id echoed
            "0003", "0028",                                   // IA_NA, 12 + 28 bytes
            "00123456", "000003e8", "000007d0",               //   IAID, T1 1000, T2 2000
            "0005", "0018",                                   //   IAADDR, 24 bytes
            "20010db8000100000000000000000100",               //     2001:db8:1::100
            "00000bb8", "00000fa0",                           //     preferred 3000, valid 4000
            "0017", "0010", "20010db8000000000000000000000053", // DNS servers 2001:db8::53
            "000d", "0004", "0000", "6f6b");                  // status Success "ok"

        Assert.Equal(Hex.Of(expected), Hex.Of(Dhcp6Writer.ToArray(advertise)));
    }

    [Fact]
    public void ParsePeelsARelayForwardWithInterfaceIdAndKeepsTheInnerSolicit()
    {
        var relays = new List<RelayLayer>();

        var status = Dhcp6Parser.TryParse(RelayedSolicit, relays, out var message);

        Assert.Equal(ParseStatus.Ok, status);
        var relay = Assert.Single(relays);
        Assert.Equal(MessageType.RelayForward, relay.Type);
        Assert.Equal(0, relay.HopCount);
        Assert.Equal(Ipv6Address.Parse("2001:db8::1"), relay.LinkAddress);
        Assert.Equal(Ipv6Address.Parse("fe80::5054:ff:fe12:3456"), relay.PeerAddress);
        var interfaceId = Assert.IsType<RawOption>(Assert.Single(relay.Options));
        Assert.Equal(OptionCode.InterfaceId, interfaceId.Code);
        Assert.Equal("eth0"u8.ToArray(), interfaceId.Data);
        Assert.False(relay.Options.Contains(OptionCode.RelayMessage));

        Assert.NotNull(message);
        Assert.Equal(MessageType.Solicit, message.Type);
        Assert.Equal(0x100874u, message.TransactionId);
        Assert.Equal(0x00123456u, message.Options.Get<IaNaOption>(OptionCode.IaNa)!.Iaid);
    }

    [Fact]
    public void WriteWrapsTheMessageInRelayLevelsByteForByte()
    {
        var relays = new List<RelayLayer>();
        Dhcp6Parser.TryParse(RelayedSolicit, relays, out var message);

        Assert.Equal(Hex.Of(RelayedSolicit), Hex.Of(Dhcp6Writer.ToArray(message!, relays)));
    }

    [Fact]
    public void ParseKeepsUnknownMessageTypesSoTheServerCanDropThem()
    {
        var leasequery = Hex.Bytes("0e", "000102", "0001", "0003", "000000");

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(leasequery, [], out var message));
        Assert.Equal((MessageType)14, message!.Type);
        Assert.Equal(0x000102u, message.TransactionId);
    }
}
