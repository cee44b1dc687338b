using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Protocol.Tests.Options.Definitions;

/// <summary>The server turns option-data into payload bytes and then into typed options; both halves must agree.</summary>
public class ConfiguredOptionDecodingTests
{
    private static DhcpOption EncodeThenDecode(string name, string data)
    {
        Assert.True(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, name, out var definition));
        var payload = OptionDataEncoder.Encode(definition, data, csvFormat: true);
        Assert.Equal(ParseStatus.Ok, OptionDecoder.TryDecode(definition.Code, payload, out var option));
        return option!;
    }

    [Fact]
    public void ConfiguredDnsServersDecodeToAnAddressList()
    {
        var option = Assert.IsType<AddressListOption>(EncodeThenDecode("dns-servers", "2001:db8::1, 2001:db8::2"));

        Assert.Equal([Ipv6Address.Parse("2001:db8::1"), Ipv6Address.Parse("2001:db8::2")], option.Addresses);
    }

    [Fact]
    public void ConfiguredDomainSearchDecodesToTheSameNames()
    {
        var option = Assert.IsType<DomainListOption>(EncodeThenDecode("domain-search", "example.com, corp.example.org."));

        Assert.Equal(["example.com", "corp.example.org"], option.Names);
    }

    [Fact]
    public void ConfiguredRemoteIdDecodesToEnterpriseAndId()
    {
        var option = Assert.IsType<RemoteIdOption>(EncodeThenDecode("remote-id", "4491, 0a0b"));

        Assert.Equal(4491u, option.EnterpriseNumber);
        Assert.Equal(new byte[] { 0x0a, 0x0b }, option.RemoteId);
    }

    [Fact]
    public void ConfiguredInformationRefreshTimeDecodesToUint32Option()
    {
        Assert.Equal(600u, Assert.IsType<Uint32Option>(EncodeThenDecode("information-refresh-time", "600")).Value);
    }
}
