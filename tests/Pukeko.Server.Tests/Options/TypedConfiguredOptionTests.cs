using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Options;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Options;

/// <summary>Options from option-data reach callouts typed as the packet parser types them.</summary>
public sealed class TypedConfiguredOptionTests
{
    private const string WithDnsServers = """
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                       "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
                       "option-data": [ { "name": "dns-servers", "data": "2001:db8::53, 2001:db8::54" } ] } ]
        """;

    [Fact]
    public void AConfiguredDnsServersOptionIsAnAddressList()
    {
        var bytes = new byte[16];
        Ipv6Address.Parse("2001:db8::53").Write(bytes);
        var option = OptionLevel.Typed(OptionCode.DnsServers, bytes);

        var list = Assert.IsType<AddressListOption>(option);
        Assert.Equal([Ipv6Address.Parse("2001:db8::53")], list.Addresses);
    }

    [Fact]
    public void BytesTheTypedOptionCannotHoldStayRaw()
    {
        // csv-format false lets an operator send any bytes, even a DNS-servers option of 3 bytes.
        var option = OptionLevel.Typed(OptionCode.DnsServers, [1, 2, 3]);

        var raw = Assert.IsType<RawOption>(option);
        Assert.Equal(3, raw.DataLength);
    }

    [Fact]
    public void ACalloutFindsAndEditsAConfiguredOptionByItsType()
    {
        using var h = PipelineHarness.FromDhcp6(WithDnsServers);
        h.On(HookNames.Pkt6Send, handle =>
        {
            var dns = handle.GetArgument<Dhcp6Packet>("response6").Message.Options.Get<AddressListOption>(OptionCode.DnsServers);
            dns!.Addresses.Add(Ipv6Address.Parse("2001:db8::55"));
            return 0;
        });

        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;

        var sent = reply.Options.Get<AddressListOption>(OptionCode.DnsServers)!;
        Assert.Equal(["2001:db8::53", "2001:db8::54", "2001:db8::55"], sent.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void EditingOneReplysOptionDoesNotChangeTheNext()
    {
        using var h = PipelineHarness.FromDhcp6(WithDnsServers);
        h.On(HookNames.Pkt6Send, handle =>
        {
            handle.GetArgument<Dhcp6Packet>("response6").Message.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses.Clear();
            return 0;
        });
        h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers));
        h.Hooks.PreCalloutsLibraryHandle.DeregisterAllCallouts(HookNames.Pkt6Send);

        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;

        Assert.Equal(2, reply.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses.Count);
    }
}
