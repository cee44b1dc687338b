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

    [Fact]
    public void Options_of_the_same_kind_at_the_same_place_are_filled_again_with_the_new_values()
    {
        var relays = new List<RelayLayer>();
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(Renew(0x11, 5, "2001:db8::5", 10)), relays, lenient: false, reuse: null, out var parsed));
        var clientId = parsed!.Options.Get<DuidOption>(OptionCode.ClientId)!;
        var duid = clientId.Duid;
        var ia = parsed.Options.Get<IaNaOption>(OptionCode.IaNa)!;
        var address = Assert.IsType<IaAddressOption>(Assert.Single(ia.Options));
        var oro = parsed.Options.Get<OptionRequestOption>(OptionCode.OptionRequest)!;
        var elapsed = parsed.Options.Get<ElapsedTimeOption>(OptionCode.ElapsedTime)!;

        var next = Renew(0x22, 6, "2001:db8::6", 20);
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(next), relays, lenient: false, reuse: parsed, out var again));

        // The same objects, holding the second datagram only.
        Assert.Same(clientId, again!.Options.Get<DuidOption>(OptionCode.ClientId));
        Assert.Same(duid, clientId.Duid);
        Assert.Equal(Client(0x22).Bytes, duid.Bytes);
        Assert.Equal(Client(0x22), duid);
        Assert.Equal(Client(0x22).GetHashCode(), duid.GetHashCode());
        Assert.Same(ia, again.Options.Get<IaNaOption>(OptionCode.IaNa));
        Assert.Equal((6u, 6u * 10, 6u * 20), (ia.Iaid, ia.T1, ia.T2));
        Assert.Same(address, Assert.Single(ia.Options));
        Assert.Equal((Ipv6Address.Parse("2001:db8::6"), 6u * 100, 6u * 200), (address.Address, address.PreferredLifetime, address.ValidLifetime));
        Assert.Same(oro, again.Options.Get<OptionRequestOption>(OptionCode.OptionRequest));
        Assert.Equal([OptionCode.DnsServers, (ushort)6], oro.Codes);
        Assert.Same(elapsed, again.Options.Get<ElapsedTimeOption>(OptionCode.ElapsedTime));
        Assert.Equal(20, elapsed.Value);
        Assert.Equal(Dhcp6Writer.ToArray(next), Dhcp6Writer.ToArray(again));
    }

    [Fact]
    public void A_different_datagram_leaves_nothing_of_the_last_one()
    {
        var relays = new List<RelayLayer>();
        var first = Renew(0x11, 5, "2001:db8::5", 10);
        var ia = first.Options.Get<IaNaOption>(OptionCode.IaNa)!;
        ((IaAddressOption)ia.Options[0]).Options.Add(new StatusCodeOption(StatusCode.Success, "kept?"));
        ia.Options.Add(new IaAddressOption(Ipv6Address.Parse("2001:db8::77"), 1, 2));
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(first), relays, lenient: false, reuse: null, out var parsed));
        var oldDuid = parsed!.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid;

        // A longer DUID, the IA first, one address without sub-options, no ORO and no elapsed time.
        var second = new Dhcp6Message(MessageType.Request, 0x99);
        var secondIa = new IaNaOption(8, 0, 0);
        secondIa.Options.Add(new IaAddressOption(Ipv6Address.Parse("2001:db8::8"), 0, 0));
        second.Options.Add(secondIa);
        var longer = Duid.CreateEn(9, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        second.Options.Add(new DuidOption(OptionCode.ClientId, longer));
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(second), relays, lenient: false, reuse: parsed, out var again));

        Assert.Equal(2, again!.Options.Count);
        Assert.Equal(longer, again.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid);
        Assert.Equal(Client(0x11), oldDuid);
        var address = Assert.IsType<IaAddressOption>(Assert.Single(again.Options.Get<IaNaOption>(OptionCode.IaNa)!.Options));
        Assert.Empty(address.Options);
        Assert.Equal(Dhcp6Writer.ToArray(second), Dhcp6Writer.ToArray(again));
    }

    [Fact]
    public void A_refilled_address_without_sub_options_keeps_none_of_the_last_ones()
    {
        var relays = new List<RelayLayer>();
        var first = Renew(0x11, 5, "2001:db8::5", 10);
        ((IaAddressOption)first.Options.Get<IaNaOption>(OptionCode.IaNa)!.Options[0]).Options.Add(new StatusCodeOption(StatusCode.Success, "old"));
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(first), relays, lenient: false, reuse: null, out var parsed));
        var address = (IaAddressOption)parsed!.Options.Get<IaNaOption>(OptionCode.IaNa)!.Options[0];
        Assert.Single(address.Options);

        var next = Renew(0x22, 6, "2001:db8::6", 20);
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(next), relays, lenient: false, reuse: parsed, out var again));

        Assert.Same(address, again!.Options.Get<IaNaOption>(OptionCode.IaNa)!.Options[0]);
        Assert.Empty(address.Options);
        Assert.Equal(Dhcp6Writer.ToArray(next), Dhcp6Writer.ToArray(again));
    }

    [Fact]
    public void A_duid_the_parser_did_not_make_is_never_changed()
    {
        var relays = new List<RelayLayer>();
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(Renew(0x11, 5, "2001:db8::5", 10)), relays, lenient: false, reuse: null, out var parsed));

        // Someone (a server's own identity, a caller) put a DUID of the same length in the option.
        var shared = Client(0x33);
        var option = parsed!.Options.Get<DuidOption>(OptionCode.ClientId)!;
        option.Duid = shared;
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(Renew(0x22, 6, "2001:db8::6", 20)), relays, lenient: false, reuse: parsed, out var again));

        Assert.Equal(Client(0x33), shared);
        Assert.Equal(Client(0x22), again!.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid);
    }

    private static Duid Client(byte last) => Duid.CreateLlt(1, 700_000_000, [0, 0x0c, 1, 0, 0, last]);

    private static Dhcp6Message Renew(byte client, uint iaid, string address, ushort elapsed)
    {
        var message = new Dhcp6Message(MessageType.Renew, client);
        message.Options.Add(new DuidOption(OptionCode.ClientId, Client(client)));
        var ia = new IaNaOption(iaid, iaid * 10, iaid * 20);
        ia.Options.Add(new IaAddressOption(Ipv6Address.Parse(address), iaid * 100, iaid * 200));
        message.Options.Add(ia);
        message.Options.Add(new OptionRequestOption([OptionCode.DnsServers, (ushort)iaid]));
        message.Options.Add(new ElapsedTimeOption(elapsed));
        return message;
    }
}
