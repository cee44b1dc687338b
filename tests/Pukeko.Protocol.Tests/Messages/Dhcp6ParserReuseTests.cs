using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Tests.Messages;

public sealed class Dhcp6ParserReuseTests
{
    [Fact]
    public void A_message_parsed_into_again_holds_only_the_new_datagram()
    {
        var first = new Dhcp6Message(MessageType.Request, 0x010203);
        first.Options.Add(new DuidOption(OptionCode.ClientId, Duid.CreateLl(1, [1, 2, 3, 4, 5, 6])));
        first.Options.Add(new IaNaOption(7, 0, 0));
        first.Options.Add(new ElapsedTimeOption(5));
        var second = new Dhcp6Message(MessageType.Renew, 0xabcdef);
        second.Options.Add(new DuidOption(OptionCode.ClientId, Duid.CreateLl(1, [9, 9, 9, 9, 9, 9])));
        var relays = new List<RelayLayer>();

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(first), relays, lenient: false, reuse: null, out var parsed));
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(second), relays, lenient: false, reuse: parsed, out var again));

        Assert.Same(parsed, again);
        Assert.Equal(MessageType.Renew, again!.Type);
        Assert.Equal(0xabcdefu, again.TransactionId);
        var only = Assert.Single(again.Options);
        Assert.Equal([9, 9, 9, 9, 9, 9], Assert.IsType<DuidOption>(only).Duid.Bytes[4..].ToArray());
        Assert.Equal(Dhcp6Writer.ToArray(second), Dhcp6Writer.ToArray(again));
    }

    [Fact]
    public void A_relayed_datagram_fills_the_inner_message_and_a_bad_one_gives_none()
    {
        var inner = new Dhcp6Message(MessageType.Solicit, 0x42);
        inner.Options.Add(new ElapsedTimeOption(0));
        var relay = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8::1"), Ipv6Address.Parse("fe80::1"));
        var reuse = new Dhcp6Message(MessageType.Reply, 1);
        reuse.Options.Add(new IaNaOption(1, 0, 0));
        var relays = new List<RelayLayer>();

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(inner, [relay]), relays, lenient: false, reuse, out var parsed));
        Assert.Same(reuse, parsed);
        Assert.Single(relays);
        Assert.Equal(MessageType.Solicit, parsed!.Type);
        Assert.IsType<ElapsedTimeOption>(Assert.Single(parsed.Options));

        Assert.NotEqual(ParseStatus.Ok, Dhcp6Parser.TryParse([1, 0, 0], relays, lenient: false, reuse, out var none));
        Assert.Null(none);
    }
}
