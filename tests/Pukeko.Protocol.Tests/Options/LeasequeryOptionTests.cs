using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Options;

/// <summary>The leasequery options of RFC 5007 (44–48): decoded into their fields and written back byte for byte.</summary>
public class LeasequeryOptionTests
{
    private static T Decode<T>(ushort code, string payloadHex)
        where T : DhcpOption
    {
        var payload = Hex.Bytes(payloadHex);
        Assert.Equal(ParseStatus.Ok, OptionDecoder.TryDecode(code, payload, out var option));
        var typed = Assert.IsType<T>(option);
        Assert.Equal(payloadHex.Replace(" ", string.Empty, StringComparison.Ordinal), Hex.Of(typed.GetData()));
        return typed;
    }

    [Fact]
    public void LqQueryByAddressCarriesTypeLinkAndNestedIaAddress()
    {
        var query = Decode<LqQueryOption>(OptionCode.LqQuery,
            "01 20010db8000100000000000000000000 0005 0018 20010db8000100000000000000000010 00000000 00000000");

        Assert.Equal(LeasequeryType.ByAddress, query.QueryType);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::"), query.LinkAddress);
        var address = Assert.IsType<IaAddressOption>(Assert.Single(query.Options));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), address.Address);
    }

    [Fact]
    public void LqQueryShorterThanItsFixedFieldsIsMalformed() =>
        Assert.Equal(ParseStatus.MalformedOption, OptionDecoder.TryDecode(OptionCode.LqQuery, Hex.Bytes("02 20010db8"), out _));

    [Fact]
    public void ClientDataHoldsClientIdAddressAndCltTime()
    {
        var data = Decode<ClientDataOption>(OptionCode.ClientData,
            "0001 000a 00030001020304050607 0005 0018 20010db8000100000000000000000010 00000e10 00001c20 002e 0004 0000003c");

        Assert.Equal(3, data.Options.Count);
        Assert.IsType<DuidOption>(data.Options.Get<DuidOption>(OptionCode.ClientId));
        Assert.Equal(7200u, data.Options.Get<IaAddressOption>(OptionCode.IaAddr)!.ValidLifetime);
        Assert.Equal(60u, data.Options.Get<Uint32Option>(OptionCode.CltTime)!.Value);
    }

    [Fact]
    public void LqRelayDataKeepsPeerAddressAndRelayMessage()
    {
        var relay = Decode<LqRelayDataOption>(OptionCode.LqRelayData,
            "fe800000000000000000000000000001 0c00 20010db8000100000000000000000001 fe800000000000000000000000000001");

        Assert.Equal(Ipv6Address.Parse("fe80::1"), relay.PeerAddress);
        Assert.Equal(34, relay.RelayMessage.Length);
        Assert.Equal(12, relay.RelayMessage[0]);
    }

    [Fact]
    public void LqClientLinkIsAnAddressList()
    {
        var links = Decode<AddressListOption>(OptionCode.LqClientLink, "20010db8000100000000000000000000 20010db8000200000000000000000000");
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::"), Ipv6Address.Parse("2001:db8:2::")], links.Addresses);
    }

    [Fact]
    public void LeasequeryStatusCodesHaveTheirRfcValues()
    {
        Assert.Equal(7, (int)StatusCode.UnknownQueryType);
        Assert.Equal(8, (int)StatusCode.MalformedQuery);
        Assert.Equal(9, (int)StatusCode.NotConfigured);
        Assert.Equal(10, (int)StatusCode.NotAllowed);
    }
}
