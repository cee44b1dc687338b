using System.Text;
using CsCheck;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Classification;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Server.Tests.Classification;

public sealed class ExpressionTests
{
    private static readonly Duid ClientDuid = Duid.CreateLl(1, [0x02, 0x00, 0x00, 0x00, 0xaa, 0x01]);

    /// <summary>A relayed Solicit with a vendor class, vendor options, a user class, two relay levels.</summary>
    private static Dhcp6Packet Sample()
    {
        var message = new Dhcp6Message(MessageType.Solicit, 0xabcdef);
        message.Options.Add(new DuidOption(OptionCode.ClientId, ClientDuid));
        message.Options.Add(new VendorClassOption(4491, [Encoding.ASCII.GetBytes("docsis3.0"), Encoding.ASCII.GetBytes("second")]));
        var vendor = new VendorOptsOption(4491);
        vendor.Options.Add(new RawOption(1, [0x00, 0x20]));
        message.Options.Add(vendor);
        message.Options.Add(new RawOption(OptionCode.UserClass, Encoding.ASCII.GetBytes("foobar")));
        message.Options.Add(new AddressOption(OptionCode.Unicast, Ipv6Address.Parse("2001:db8::77")));
        var packet = new Dhcp6Packet(message)
        {
            InterfaceName = "eth7",
            RemoteAddress = Ipv6Address.Parse("2001:db8:ff::1"),
            LocalAddress = Ipv6Address.Parse("2001:db8:ff::2"),
        };
        var outer = new RelayLayer(MessageType.RelayForward, 1, Ipv6Address.Parse("2001:db8:aa::1"), Ipv6Address.Parse("fe80::a"));
        outer.Options.Add(new RawOption(OptionCode.InterfaceId, Encoding.ASCII.GetBytes("port-1")));
        var inner = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8:bb::1"), Ipv6Address.Parse("fe80::b"));
        inner.Options.Add(new RawOption(OptionCode.RemoteId, [0, 0, 0x11, 0x8b, 0xca, 0xfe]));
        packet.Relays.Add(outer);
        packet.Relays.Add(inner);
        packet.Classes.Add("ALL");
        return packet;
    }

    private static bool Test(string expression, Dhcp6Packet? packet = null) =>
        ClassExpression.ParseTest(expression).Matches(packet ?? Sample());

    [Theory]
    [InlineData("'foo' == 'foo'", true)]
    [InlineData("'foo' == 'bar'", false)]
    [InlineData("0x666f6f == 'foo'", true)]
    [InlineData("0x1 == 0x01", true)]
    [InlineData("123 == 0x0000007b", true)]
    [InlineData("10.0.0.1 == 0x0a000001", true)]
    [InlineData("2001:db8::1 == 0x20010db8000000000000000000000001", true)]
    [InlineData("not 'a' == 'b'", true)]
    [InlineData("'a' == 'a' and 'b' == 'c'", false)]
    [InlineData("'a' == 'b' or 'b' == 'b'", true)]
    [InlineData("'a' == 'b' and 'b' == 'c' or 'c' == 'c'", true)]  // (A and B) or C
    [InlineData("'a' == 'b' and ('b' == 'c' or 'c' == 'c')", false)]
    [InlineData("not not 'a' == 'a'", true)]
    public void LiteralsAndLogic(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    [InlineData("option[1].exists", true)]
    [InlineData("option[2].exists", false)]
    [InlineData("option[15].hex == 'foobar'", true)]
    [InlineData("option[15].text == 'foobar'", true)]
    [InlineData("option[user-class].hex == 'foobar'", true)]
    [InlineData("option[12].text == '2001:db8::77'", true)]
    [InlineData("option[99].hex == ''", true)]
    [InlineData("substring(option[1].hex, 0, 4) == 0x00030001", true)]
    [InlineData("option[17].option[1].hex == 0x0020", true)]
    [InlineData("option[17].option[2].exists", false)]
    public void PacketOptions(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    [InlineData("relay6[0].option[18].hex == 'port-1'", true)]
    [InlineData("relay6[1].option[37].exists", true)]
    [InlineData("relay6[0].option[37].exists", false)]
    [InlineData("relay6[-1].option[37].exists", true)]
    [InlineData("relay6[-2].option[18].text == 'port-1'", true)]
    [InlineData("relay6[5].option[18].exists", false)]
    [InlineData("relay6[0].linkaddr == 2001:db8:aa::1", true)]
    [InlineData("relay6[1].peeraddr == fe80::b", true)]
    [InlineData("relay6[3].peeraddr == ''", true)]
    public void RelayLayers(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    [InlineData("pkt.iface == 'eth7'", true)]
    [InlineData("pkt.src == 2001:db8:ff::1", true)]
    [InlineData("pkt.dst == 2001:db8:ff::2", true)]
    [InlineData("pkt6.msgtype == 1", true)]
    [InlineData("pkt6.transid == 0x00abcdef", true)]
    [InlineData("pkt6.transid == 11259375", true)]
    public void PacketFields(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Fact]
    public void PacketLengthIsTheEncodedSize()
    {
        var packet = Sample();
        var length = Dhcp6Writer.GetLength(packet.Message, packet.Relays);
        Assert.True(Test($"pkt.len == {length}", packet));
        Assert.False(Test($"pkt.len == {length + 1}", packet));
    }

    [Theory]
    [InlineData("vendor[*].exists", true)]
    [InlineData("vendor[0].exists", true)]
    [InlineData("vendor[4491].exists", true)]
    [InlineData("vendor[1234].exists", false)]
    [InlineData("vendor.enterprise == 4491", true)]
    [InlineData("vendor[4491].option[1].exists", true)]
    [InlineData("vendor[4491].option[1].hex == 0x0020", true)]
    [InlineData("vendor[4491].option[2].exists", false)]
    [InlineData("vendor-class[*].exists", true)]
    [InlineData("vendor-class[4491].exists", true)]
    [InlineData("vendor-class[9].exists", false)]
    [InlineData("vendor-class.enterprise == 4491", true)]
    [InlineData("vendor-class[4491].data == 'docsis3.0'", true)]
    [InlineData("vendor-class[4491].data[1] == 'second'", true)]
    [InlineData("vendor-class[4491].data[2] == ''", true)]
    public void VendorOptions(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    [InlineData("substring('foobar', 0, 6) == 'foobar'")]
    [InlineData("substring('foobar', 3, 3) == 'bar'")]
    [InlineData("substring('foobar', 3, all) == 'bar'")]
    [InlineData("substring('foobar', 1, 4) == 'ooba'")]
    [InlineData("substring('foobar', -5, 4) == 'ooba'")]
    [InlineData("substring('foobar', -1, -3) == 'oba'")]
    [InlineData("substring('foobar', 4, -2) == 'ob'")]
    [InlineData("substring('foobar', 10, 2) == ''")]
    [InlineData("split('one.two..four', '.', 1) == 'one'")]
    [InlineData("split('one.two..four', '.', 2) == 'two'")]
    [InlineData("split('one.two..four', '.', 3) == ''")]
    [InlineData("split('one.two..four', '.', 4) == 'four'")]
    [InlineData("split('one.two..four', '.', 5) == ''")]
    [InlineData("split('a-b.c', '.-', 2) == 'b'")]
    [InlineData("split('abc', '', 1) == 'abc'")]
    [InlineData("concat('foo', 'bar') == 'foobar'")]
    [InlineData("'abc' + 'def' + 'ghi' == 'abcdefghi'")]
    [InlineData("ifelse('a' == 'a', 'us', 'them') == 'us'")]
    [InlineData("ifelse(option[2].exists, 'us', 'them') == 'them'")]
    [InlineData("hexstring(0x0102ab, ':') == '01:02:ab'")]
    [InlineData("hexstring('foo', '') == '666f6f'")]
    [InlineData("lcase('LoWeR') == 'lower'")]
    [InlineData("ucase('uPpEr') == 'UPPER'")]
    [InlineData("addrtotext(192.10.0.1) == '192.10.0.1'")]
    [InlineData("addrtotext(2003:db8::) == '2003:db8::'")]
    [InlineData("addrtotext(relay6[0].linkaddr) == '2001:db8:aa::1'")]
    [InlineData("uint32totext(4294967295) == '4294967295'")]
    [InlineData("int32totext(0xffffffff) == '-1'")]
    [InlineData("int8totext(0xff) == '-1'")]
    [InlineData("uint8totext(0xff) == '255'")]
    [InlineData("int16totext(0xfffe) == '-2'")]
    [InlineData("uint16totext(0xfffe) == '65534'")]
    [InlineData("uint16totext('') == ''")]
    [InlineData("match('^foo.*', 'foobar')")]
    [InlineData("not match('^bar', 'foobar')")]
    public void Functions(string expression) => Assert.True(Test(expression), expression);

    [Fact]
    public void MembershipAndKnown()
    {
        var packet = Sample();
        packet.Classes.Add("gold");
        Assert.True(Test("member('gold')", packet));
        Assert.False(Test("member('silver')", packet));
        Assert.False(Test("known", packet));
        Assert.True(Test("unknown", packet));
        packet.Classes.Add("KNOWN");
        Assert.True(Test("known and not unknown", packet));
    }

    [Fact]
    public void ConversionOfWrongSizeIsAnEvaluationError()
    {
        var expression = ClassExpression.ParseTest("addrtotext(0x010203) == ''");
        Assert.Throws<ExpressionEvaluationException>(() => expression.Matches(Sample()));
    }

    [Fact]
    public void TemplateTestIsAString() =>
        Assert.Equal("foo"u8.ToArray(), ClassExpression.ParseTemplate("substring(option[15].hex, 0, 3)").Evaluate(Sample()));

    [Theory]
    [InlineData("option[1].hex ==", 16, "syntax error, unexpected end of file")]
    [InlineData("'foo' = 'bar'", 6, "Invalid character: =")]
    [InlineData("'foo", 0, "Invalid character: '")]
    [InlineData("option[1].hex", 13, "unexpected end of file, expecting == or +")]
    [InlineData("option[1].bogus == 'x'", 10, "Invalid character: b")]
    [InlineData("frobnicate('x')", 0, "Invalid character: f")]
    [InlineData("'a' == 'b' and", 14, "unexpected end of file")]
    [InlineData("('a' == 'b'", 11, "unexpected end of file")]
    [InlineData("substring('foo', 0)", 18, "unexpected ), expecting \",\"")]
    [InlineData("option[no-such-option].exists", 7, "option 'no-such-option' is not defined")]
    [InlineData("option[70000].exists", 7, "Option code has invalid value in 70000. Allowed range: 0..65535")]
    [InlineData("'a' == 'b' 'c'", 11, "unexpected constant string, expecting end of file")]
    [InlineData("member('x') + 'a' == 'b'", 12, "unexpected +, expecting end of file")]
    [InlineData("option[1].exists + 'a' == 'b'", 17, "unexpected +, expecting end of file")]
    [InlineData("1.2.3 == 'x'", 1, "unexpected ., expecting == or +")]
    [InlineData("2001:db8:::1 == 'x'", 0, "Failed to convert 2001:db8:::1 to an IP address.")]
    [InlineData("match('(', 'x')", 6, "invalid regular expression '('")]
    [InlineData("ifelse('a', 'b', 'c') == 'b'", 10, "unexpected \",\", expecting == or +")]
    [InlineData("'a' == 'b' # comment", 11, "Invalid character: #")]
    public void SyntaxErrorsCarryThePosition(string expression, int position, string fragment)
    {
        var error = Assert.Throws<ExpressionSyntaxException>(() => ClassExpression.ParseTest(expression));
        Assert.Equal(position, error.Position);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StringIsNotATest()
    {
        var error = Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.ParseString("'a' == 'a'"));
        Assert.Equal("syntax error, unexpected ==, expecting end of file or +", error.Message);
    }

    private static readonly string[] Soup =
    [
        "option", "[", "]", "1", "-3", ".", "hex", "exists", "text", "==", "'x'", "0xab", "(", ")", ",", "and", "or", "not",
        "substring", "all", "relay6", "pkt", "pkt6", "msgtype", "vendor", "vendor-class", "*", "+", "member", "known",
        "ifelse", "split", "concat", "10.0.0.1", "fe80::1", "enterprise", "data", "'", "=", "#", "option[1].hex",
        "sand", "sor", "sifelse", ".option[3]", "option[3].option[5]", "relay6[0]", "vendor[4491]", "match('a.*',", "0x",
    ];

    /// <summary>Random token soup never crashes the parser: it parses, or fails with a positioned syntax error.</summary>
    [Fact]
    public void RandomTokenSoupOnlyEverFailsWithASyntaxError()
    {
        Gen.Int[0, Soup.Length - 1].Array[0, 12].Select(indexes => string.Join(" ", indexes.Select(i => Soup[i])))
            .Sample(text =>
            {
                try
                {
                    var expression = ClassExpression.ParseTest(text);
                    try
                    {
                        expression.Matches(Sample());
                    }
                    catch (ExpressionEvaluationException)
                    {
                        // A parsed expression may still meet wrong-size data; that is a clean evaluation error.
                    }
                }
                catch (ExpressionSyntaxException ex)
                {
                    Assert.InRange(ex.Position, 0, text.Length);
                }
            }, iter: 5000);
    }
}
