using System.Buffers.Binary;
using System.Text;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Server.Classification;
using Pukeko.Server.Classification.Expressions;

namespace Pukeko.Server.Tests.Classification;

/// <summary>
/// Kea 3.3's option chains (option[a].option[b]..., also under relay6[n] and vendor[e]), its strict operators
/// (sand, sor, sifelse), the relay6 nesting limit, and syntax errors worded as Kea's (messages from Kea's own tests).
/// </summary>
public sealed class ExpressionChainTests
{
    private const ushort AcmeCode = 222;
    private const ushort UndefinedCode = 250;

    private static readonly Duid ClientDuid = Duid.CreateLl(1, [0x02, 0x00, 0x00, 0x00, 0xaa, 0x01]);

    /// <summary>
    /// option-def: dhcp6 222 (uint16 then the "acme" space), acme 1 (empty, encapsulating "acme-2"),
    /// acme-2 2 (empty, encapsulating "acme-3"); and vendor-4491 40 (empty, encapsulating "cl-sub").
    /// </summary>
    private static OptionDefinitionSet Definitions()
    {
        var set = new OptionDefinitionSet();
        Assert.True(set.TryAdd(new OptionDefinition("acme", AcmeCode, "dhcp6", OptionDataType.Uint16, Encapsulates: "acme")));
        Assert.True(set.TryAdd(new OptionDefinition("acme-1", 1, "acme", OptionDataType.Empty, Encapsulates: "acme-2")));
        Assert.True(set.TryAdd(new OptionDefinition("acme-2", 2, "acme-2", OptionDataType.Empty, Encapsulates: "acme-3")));
        Assert.True(set.TryAdd(new OptionDefinition("cl-container", 40, "vendor-4491", OptionDataType.Empty, Encapsulates: "cl-sub")));
        return set;
    }

    private static byte[] Sub(ushort code, params byte[] data)
    {
        var bytes = new byte[4 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, code);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)data.Length);
        data.CopyTo(bytes, 4);
        return bytes;
    }

    /// <summary>222 = uint16 5, then acme 1 { acme-2 2 { acme-3 3 = "deep" } }.</summary>
    private static byte[] AcmePayload() => [0x00, 0x05, .. Sub(1, Sub(2, Sub(3, "deep"u8.ToArray())))];

    private static IaAddressOption AddressWithStatus(string address, string message)
    {
        var iaAddress = new IaAddressOption(Ipv6Address.Parse(address), 100, 200);
        iaAddress.Options.Add(new StatusCodeOption(StatusCode.Success, message));
        return iaAddress;
    }

    /// <summary>
    /// A relayed Solicit, written to the wire and read back so the options are what the decoder makes of them:
    /// IA_NA, IA_TA, LQ_QUERY and CLIENT_DATA each holding an IAADDR with a status code, option 222 and an option
    /// 250 nobody defines (both holding sub-option bytes), a CableLabs vendor option with nested sub-options.
    /// </summary>
    private static Dhcp6Packet Sample()
    {
        var message = new Dhcp6Message(MessageType.Solicit, 0x123456);
        message.Options.Add(new DuidOption(OptionCode.ClientId, ClientDuid));
        var iaNa = new IaNaOption(1, 0, 0);
        iaNa.Options.Add(AddressWithStatus("2001:db8::5", "na"));
        message.Options.Add(iaNa);
        var iaTa = new IaTaOption(7);
        iaTa.Options.Add(AddressWithStatus("2001:db8::7", "ta"));
        message.Options.Add(iaTa);
        var query = new LqQueryOption(LeasequeryType.ByClientId, Ipv6Address.Parse("2001:db8:1::1"));
        query.Options.Add(new DuidOption(OptionCode.ClientId, ClientDuid));
        query.Options.Add(AddressWithStatus("2001:db8::44", "lq"));
        message.Options.Add(query);
        var clientData = new ClientDataOption();
        clientData.Options.Add(AddressWithStatus("2001:db8::45", "cd"));
        message.Options.Add(clientData);
        message.Options.Add(new RawOption(AcmeCode, AcmePayload()));
        message.Options.Add(new RawOption(UndefinedCode, Sub(1, "hidden"u8.ToArray())));
        var vendor = new VendorOptsOption(4491);
        vendor.Options.Add(new RawOption(1, [0x00, 0x20]));
        vendor.Options.Add(new RawOption(40, Sub(3, "cable"u8.ToArray())));
        message.Options.Add(vendor);

        var relay = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8:aa::1"), Ipv6Address.Parse("fe80::a"));
        relay.Options.Add(new RawOption(OptionCode.InterfaceId, "port-1"u8.ToArray()));
        relay.Options.Add(new RawOption(AcmeCode, AcmePayload()));
        var relayData = new ClientDataOption();
        relayData.Options.Add(AddressWithStatus("2001:db8::99", "relayed"));
        relay.Options.Add(relayData);

        var wire = Dhcp6Writer.ToArray(message, [relay]);
        var relays = new List<RelayLayer>();
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(wire, relays, out var decoded));
        var packet = new Dhcp6Packet(decoded!) { InterfaceName = "eth0" };
        packet.Relays.AddRange(relays);
        return packet;
    }

    private static bool Test(string expression, OptionDefinitionSet? definitions = null) =>
        ClassExpression.ParseTest(expression, definitions: definitions ?? Definitions()).Matches(Sample());

    private static string Template(string expression) =>
        Encoding.UTF8.GetString(ClassExpression.ParseTemplate(expression, definitions: Definitions()).Evaluate(Sample()));

    [Theory]
    [InlineData("option[3].option[5].exists", true)]
    [InlineData("option[3].option[5].option[13].exists", true)]
    [InlineData("substring(option[3].option[5].option[13].hex, 2, all) == 'na'", true)]
    [InlineData("option[ia-na].option[5].option[13].exists", true)]
    [InlineData("option[3].option[5].option[14].exists", false)]
    [InlineData("option[3].option[6].option[13].exists", false)]
    [InlineData("option[3].option[5].option[13].option[1].exists", false)]
    [InlineData("substring(option[3].option[5].hex, 0, 16) == 2001:db8::5", true)]
    public void IaNaChainsReachTheStatusCodeInsideTheAddress(string expression, bool expected) =>
        Assert.Equal(expected, Test(expression));

    [Theory]
    // IA_TA: after the IAID come sub-options (read by Kea as options of no space), so one level deep is found...
    [InlineData("option[4].option[5].exists", true)]
    [InlineData("substring(option[4].option[5].hex, 0, 16) == 2001:db8::7", true)]
    // ...but not a second level: Kea's ia-ta has no encapsulated space, its IAADDR carries no sub-options.
    [InlineData("option[4].option[5].option[13].exists", false)]
    [InlineData("option[4].option[4].exists", false)]
    public void IaTaSubOptionsAreReadAfterTheIaid(string expression, bool expected) =>
        Assert.Equal(expected, Test(expression));

    [Theory]
    // LQ_QUERY: query type (1 byte) and link address (16) come before the sub-options; reading from the first byte
    // would find none of these.
    [InlineData("option[44].option[1].exists", true)]
    [InlineData("option[44].option[1].hex == 0x00030001020000 + 0x00aa01", true)]
    [InlineData("option[lq-query].option[5].option[13].exists", true)]
    [InlineData("substring(option[44].option[5].option[13].hex, 2, all) == 'lq'", true)]
    [InlineData("option[44].option[2].exists", false)]
    // CLIENT_DATA: the whole payload is sub-options, and they are dhcp6 options with their own sub-options.
    [InlineData("option[45].option[5].exists", true)]
    [InlineData("substring(option[client-data].option[5].option[13].hex, 2, all) == 'cd'", true)]
    [InlineData("option[45].option[1].exists", false)]
    public void LeasequeryAndClientDataSubOptions(string expression, bool expected) =>
        Assert.Equal(expected, Test(expression));

    [Theory]
    [InlineData("option[222].option[1].exists", true)]
    [InlineData("option[222].option[1].option[2].option[3].hex == 'deep'", true)]
    [InlineData("option[222].option[1].option[2].option[3].text == 'deep'", true)]
    [InlineData("option[acme].option[1].option[2].exists", true)]
    [InlineData("option[222].option[1].option[2].option[4].exists", false)]
    [InlineData("option[222].option[1].option[2].option[3].option[1].exists", false)]
    // An option nobody defines has no sub-options, whatever its bytes look like (Kea keeps it as a plain option).
    [InlineData("option[250].exists", true)]
    [InlineData("option[250].option[1].exists", false)]
    public void UserDefinitionsWithEncapsulateGiveDeepChains(string expression, bool expected) =>
        Assert.Equal(expected, Test(expression));

    [Fact]
    public void WithoutTheOptionDefTheSameBytesHaveNoSubOptions()
    {
        Assert.True(Test("option[222].option[1].exists"));
        Assert.False(Test("option[222].option[1].exists", OptionDefinitionSet.StandardOnly));
    }

    [Theory]
    [InlineData("relay6[0].option[222].option[1].option[2].option[3].hex == 'deep'", true)]
    [InlineData("relay6[-1].option[45].option[5].option[13].exists", true)]
    [InlineData("relay6[0].option[45].option[iaaddr].option[status-code].exists", true)]
    [InlineData("substring(relay6[0].option[45].option[5].option[13].hex, 2, all) == 'relayed'", true)]
    [InlineData("relay6[0].option[45].option[5].option[14].exists", false)]
    [InlineData("relay6[1].option[45].option[5].exists", false)]
    [InlineData("relay6[31].option[18].exists", false)]
    [InlineData("relay6[-32].option[18].exists", false)]
    public void RelayChains(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    [InlineData("vendor[4491].option[40].option[3].hex == 'cable'", true)]
    [InlineData("vendor[4491].option[40].option[3].text == 'cable'", true)]
    [InlineData("vendor[*].option[40].option[3].exists", true)]
    [InlineData("vendor[4491].option[40].option[4].exists", false)]
    [InlineData("vendor[4491].option[1].hex == 0x0020", true)]
    [InlineData("vendor[4491].option[1].option[3].exists", false)]
    [InlineData("vendor[9].option[40].option[3].exists", false)]
    [InlineData("vendor[9].option[40].option[3].hex == ''", true)]
    public void VendorChains(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    /// <summary>
    /// Kea's standard softwire definitions encapsulate three deep: s46-cont-mape (94) holds s46-rule (89), whose five
    /// fields (flags, ea-len, prefix4-len, IPv4 prefix, IPv6 prefix of variable length) come before s46-portparams (93).
    /// </summary>
    [Theory]
    [InlineData("option[94].option[89].option[93].hex == 0x00083400", true)]
    [InlineData("option[s46-cont-mape].option[89].exists", true)]
    [InlineData("option[94].option[89].option[90].exists", false)]
    [InlineData("option[94].option[89].option[93].option[1].exists", false)]
    public void StandardSoftwireDefinitionsGiveThreeLevels(string expression, bool expected)
    {
        byte[] rule = [0x00, 0x00, 24, 192, 0, 2, 0, 32, 0x20, 0x01, 0x0d, 0xb8, .. Sub(93, 0x00, 0x08, 0x34, 0x00)];
        var message = new Dhcp6Message(MessageType.Solicit, 1);
        message.Options.Add(new RawOption(94, Sub(89, rule)));
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(message, []), [], out var decoded));
        Assert.Equal(expected, ClassExpression.ParseTest(expression).Matches(new Dhcp6Packet(decoded!)));
    }

    [Fact]
    public void ChainsWorkInTemplates() =>
        Assert.Equal("deep", Template("option[222].option[1].option[2].option[3].hex"));

    [Theory]
    // sor < or < sand < and: a parse with any other order gives the other answer.
    [InlineData("'a' == 'a' or 'a' == 'b' sand 'a' == 'b'", true)]
    [InlineData("'a' == 'b' sand 'a' == 'a' or 'a' == 'a'", true)]
    [InlineData("'a' == 'a' sor 'a' == 'b' and 'a' == 'b'", true)]
    [InlineData("'a' == 'b' and 'a' == 'a' sor 'a' == 'a'", true)]
    [InlineData("'a' == 'a' sor 'a' == 'b' or 'a' == 'b'", true)]
    [InlineData("'a' == 'b' sand 'a' == 'a'", false)]
    [InlineData("'a' == 'a' sand 'b' == 'b'", true)]
    [InlineData("'a' == 'b' sor 'b' == 'c'", false)]
    [InlineData("not 'a' == 'b' sand 'c' == 'c'", true)]
    public void StrictOperatorsHaveKeasPrecedence(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    // The right side is an error (addrtotext of one byte): the short-circuit forms never evaluate it.
    [InlineData("'a' == 'b' and addrtotext(0x01) == ''", false)]
    [InlineData("'a' == 'a' or addrtotext(0x01) == ''", true)]
    public void ShortCircuitOperatorsSkipTheRightSide(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    [InlineData("'a' == 'b' sand addrtotext(0x01) == ''")]
    [InlineData("'a' == 'a' sor addrtotext(0x01) == ''")]
    [InlineData("sifelse('a' == 'a', 'x', addrtotext(0x01)) == 'x'")]
    public void StrictOperatorsEvaluateBothSides(string expression)
    {
        var parsed = ClassExpression.ParseTest(expression);
        Assert.Throws<ExpressionEvaluationException>(() => parsed.Matches(Sample()));
    }

    [Theory]
    [InlineData("ifelse('a' == 'a', 'x', addrtotext(0x01)) == 'x'", true)]
    [InlineData("sifelse('a' == 'b', 'x', 'y') == 'y'", true)]
    [InlineData("sifelse(option[3].exists, 'x', 'y') == 'x'", true)]
    public void IfElseForms(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Theory]
    // Kea's match is std::regex_match: the pattern must cover the whole value.
    [InlineData("match('foo', 'foobar')", false)]
    [InlineData("match('foo.*', 'foobar')", true)]
    [InlineData("match('a|ab', 'ab')", true)]
    [InlineData("match('bar', 'foobar')", false)]
    // Parentheses may hold a string as well as a condition.
    [InlineData("('a' + 'b') == 'ab'", true)]
    [InlineData("(('a')) + 'b' == 'ab'", true)]
    [InlineData("'x' + ('a' + 'b') == 'xab'", true)]
    [InlineData("(option[3].exists)", true)]
    [InlineData("(not ('a' == 'b'))", true)]
    [InlineData("lcase(('ABC')) == 'abc'", true)]
    // Kea's address shape takes IPv4-embedded IPv6 addresses too.
    [InlineData("::ffff:10.0.0.1 == 0x00000000000000000000ffff0a000001", true)]
    [InlineData("addrtotext(10.1.2.3) + ',' + addrtotext(fe80::1) == '10.1.2.3,fe80::1'", true)]
    public void MatchAndParentheses(string expression, bool expected) => Assert.Equal(expected, Test(expression));

    [Fact]
    public void SubstringNumbersBeyondIntFailWhenEvaluatedAsInKea()
    {
        // Kea's lexer takes any 64-bit integer; the substring converts it to int only when evaluating.
        var parsed = ClassExpression.ParseTest("substring('foo', 4294967296, 1) == ''");
        Assert.Throws<ExpressionEvaluationException>(() => parsed.Matches(Sample()));

        // An empty value is returned before the numbers are looked at.
        Assert.True(ClassExpression.ParseTest("substring('', 4294967296, 1) == ''").Matches(Sample()));
    }

    /// <summary>Kea's wording and places, most of them from Kea 3.3's context_unittest.cc.</summary>
    [Theory]
    [InlineData("'", "<string>:1.1: Invalid character: '")]
    [InlineData("0x123h", "<string>:1.6: Invalid character: h")]
    [InlineData(":1", "<string>:1.1: Invalid character: :")]
    [InlineData("=", "<string>:1.1: Invalid character: =")]
    [InlineData("subtring", "<string>:1.1: Invalid character: s")]
    [InlineData(" bar", "<string>:1.2: Invalid character: b")]
    [InlineData("relay[12].hex == 'foo'", "<string>:1.1: Invalid character: r")]
    [InlineData("members('foo'", "<string>:1.7: Invalid character: s")]
    [InlineData("", "<string>:1.1: syntax error, unexpected end of file")]
    [InlineData(" ", "<string>:1.2: syntax error, unexpected end of file")]
    [InlineData("0x", "<string>:1.2: Invalid character: x")]
    [InlineData("0abc", "<string>:1.2: Invalid character: a")]
    [InlineData("10.0.1", "<string>:1.3: syntax error, unexpected ., expecting == or +")]
    [InlineData("10.256.0.1", "<string>:1.1-10: Failed to convert 10.256.0.1 to an IP address.")]
    [InlineData(":::", "<string>:1.1-3: Failed to convert ::: to an IP address.")]
    [InlineData("===", "<string>:1.1-2: syntax error, unexpected ==")]
    [InlineData("option[65536].text", "<string>:1.8-12: Option code has invalid value in 65536. Allowed range: 0..65535")]
    [InlineData("option[12345678901234567890].text", "<string>:1.8-27: Failed to convert 12345678901234567890 to an integer.")]
    [InlineData("option[123]", "<string>:1.12: syntax error, unexpected end of file, expecting .")]
    [InlineData("option[123].text < 'foo'", "<string>:1.18: Invalid character: <")]
    [InlineData("option[-ab].text", "<string>:1.8: Invalid character: -")]
    [InlineData("option[0ab].text", "<string>:1.9-10: syntax error, unexpected option name, expecting ]")]
    [InlineData("option[ab_].hex", "<string>:1.8: Invalid character: a")]
    [InlineData("option[\ndns-servers\n].hex =\n= 'foo'", "<string>:3.7: Invalid character: =")]
    [InlineData("substring('foo',12345678901234567890,1)", "<string>:1.17-36: Failed to convert 12345678901234567890 to an integer.")]
    [InlineData("'foo''bar'", "<string>:1.6-10: syntax error, unexpected constant string, expecting == or +")]
    [InlineData("'foo' (", "<string>:1.7: syntax error, unexpected (, expecting == or +")]
    [InlineData("== 'ab'", "<string>:1.1-2: syntax error, unexpected ==")]
    [InlineData("'foo' ==", "<string>:1.9: syntax error, unexpected end of file")]
    [InlineData("('foo' == 'bar') ''", "<string>:1.18-19: syntax error, unexpected constant string, expecting end of file")]
    [InlineData("not", "<string>:1.4: syntax error, unexpected end of file")]
    [InlineData("not 'foo'", "<string>:1.10: syntax error, unexpected end of file, expecting == or +")]
    [InlineData("not()", "<string>:1.5: syntax error, unexpected )")]
    [InlineData("(not('foo' 'bar')", "<string>:1.12-16: syntax error, unexpected constant string, expecting ) or == or +")]
    [InlineData("and", "<string>:1.1-3: syntax error, unexpected and")]
    [InlineData("'foo' and", "<string>:1.7-9: syntax error, unexpected and, expecting == or +")]
    [InlineData("'foo' == 'bar' and", "<string>:1.19: syntax error, unexpected end of file")]
    [InlineData("'foo' == 'bar' and ''", "<string>:1.22: syntax error, unexpected end of file, expecting == or +")]
    [InlineData("'foo' or", "<string>:1.7-8: syntax error, unexpected or, expecting == or +")]
    [InlineData("'foo' sor", "<string>:1.7-9: syntax error, unexpected sor, expecting == or +")]
    [InlineData("option 'ab'", "<string>:1.8-11: syntax error, unexpected constant string, expecting [")]
    [InlineData("option(10) == 'ab'", "<string>:1.7: syntax error, unexpected (, expecting [")]
    [InlineData("option['ab'].text == 'foo'", "<string>:1.8-11: syntax error, unexpected constant string, expecting integer or option name")]
    [InlineData("option[ab].text == 'foo'", "<string>:1.8-9: option 'ab' is not defined")]
    [InlineData("option[0xa].text == 'ab'", "<string>:1.8-10: syntax error, unexpected constant hexstring, expecting integer or option name")]
    [InlineData("option[10].bin", "<string>:1.12: Invalid character: b")]
    [InlineData("option[10].exists == 'foo'", "<string>:1.19-20: syntax error, unexpected ==, expecting end of file")]
    [InlineData("substring('foobar') == 'f'", "<string>:1.19: syntax error, unexpected ), expecting \",\" or +")]
    [InlineData("substring('foobar',3) == 'bar'", "<string>:1.21: syntax error, unexpected ), expecting \",\"")]
    [InlineData("substring('foobar','3',3) == 'bar'", "<string>:1.20-22: syntax error, unexpected constant string, expecting integer")]
    [InlineData("substring('foobar',1,a) == 'foo'", "<string>:1.22: Invalid character: a")]
    [InlineData("concat('foobar') == 'f'", "<string>:1.16: syntax error, unexpected ), expecting \",\" or +")]
    [InlineData("concat('foo','bar','') == 'foobar'", "<string>:1.19: syntax error, unexpected \",\", expecting ) or +")]
    [InlineData("ifelse('foo'=='bar','foo')", "<string>:1.26: syntax error, unexpected ), expecting \",\" or +")]
    [InlineData("ifelse('foo'=='bar','foo','bar','')", "<string>:1.32: syntax error, unexpected \",\", expecting ) or +")]
    [InlineData("+ 'a' = 'a'", "<string>:1.1: syntax error, unexpected +")]
    [InlineData("'a' + == 'a'", "<string>:1.7-8: syntax error, unexpected ==")]
    [InlineData("'a' ++ 'b' == 'ab'", "<string>:1.6: syntax error, unexpected +")]
    [InlineData("addrtotext(10.0.0.1, 10.0.0.2)", "<string>:1.20: syntax error, unexpected \",\", expecting ) or +")]
    [InlineData("addrtotext('')", "<string>:1.15: syntax error, unexpected end of file, expecting == or +")]
    [InlineData("uint32totext('01234567', '01234567')", "<string>:1.24: syntax error, unexpected \",\", expecting ) or +")]
    [InlineData("'foobar'", "<string>:1.9: syntax error, unexpected end of file, expecting == or +")]
    [InlineData("substring('foobar',all,1) == 'foo'", "<string>:1.20-22: syntax error, unexpected all, expecting integer")]
    [InlineData("substring('foobar',0x32,1) == 'foo'", "<string>:1.20-23: syntax error, unexpected constant hexstring, expecting integer")]
    [InlineData("('foo' == 'bar') == 'false'", "<string>:1.18-19: syntax error, unexpected ==, expecting end of file")]
    [InlineData("'true' and 'false'", "<string>:1.8-10: syntax error, unexpected and, expecting == or +")]
    [InlineData("ifelse('foobar','foo','bar')", "<string>:1.16: syntax error, unexpected \",\", expecting == or +")]
    [InlineData("ifelse('foo'=='bar','foo'=='foo','bar')", "<string>:1.26-27: syntax error, unexpected ==, expecting \",\" or +")]
    [InlineData("ifelse('foo'=='bar','foo','bar'=='bar')", "<string>:1.32-33: syntax error, unexpected ==, expecting ) or +")]
    [InlineData("member(foo)", "<string>:1.8: Invalid character: f")]
    [InlineData("option[123].option[host-name].exists", "<string>:1.20-28: syntax error, unexpected option name, expecting integer")]
    [InlineData("relay6[32].option[123].text == 'foo'", "<string>:1.8-9: Nest level has invalid value in 32. Allowed range: -32..31")]
    [InlineData("relay6[-33].option[123].text == 'foo'", "<string>:1.8-10: Nest level has invalid value in -33. Allowed range: -32..31")]
    // Kea's other conversions, and what only DHCPv4 has.
    [InlineData("relay6[200].option[1].exists", "<string>:1.8-10: Invalid value in 200. Allowed range: -128..127")]
    [InlineData("relay6[0].option[interface-id].exists", "<string>:1.18-29: syntax error, unexpected option name, expecting integer")]
    [InlineData("vendor[4491].option[oro].exists", "<string>:1.21-23: syntax error, unexpected option name, expecting integer")]
    [InlineData("vendor[4294967296].exists", "<string>:1.8-17: Invalid value in 4294967296. Allowed range: 0..4294967295")]
    [InlineData("vendor-class[4491].data[256] == 'x'", "<string>:1.25-27: Invalid value in 256. Allowed range: 0..255")]
    [InlineData("-1 == 0xffffffff", "<string>:1.1-2: Invalid value in -1. Allowed range: 0..4294967295")]
    [InlineData("4294967296 == 0x0100000000", "<string>:1.1-10: Invalid value in 4294967296. Allowed range: 0..4294967295")]
    [InlineData("relay4[1].hex == 'x'", "<string>:1.1-6: relay4 can only be used in DHCPv4.")]
    [InlineData("pkt4.mac == 'x'", "<string>:1.1-4: pkt4 can only be used in DHCPv4.")]
    [InlineData("pkt4.ziaddr", "<string>:1.6: Invalid character: z")]
    [InlineData("concat(option[1].exists, 'a') == 'a'", "<string>:1.18-23: syntax error, unexpected exists, expecting option or text or hex")]
    public void ErrorsAreWordedAsKeas(string expression, string expected)
    {
        var error = Assert.Throws<ExpressionSyntaxException>(() => ClassExpression.ParseTest(expression));
        Assert.Equal(expected, error.Describe(expression));
    }

    [Theory]
    [InlineData("'a' 'b'", "<string>:1.5-7: syntax error, unexpected constant string, expecting end of file or +")]
    [InlineData("'a' == 'b'", "<string>:1.5-6: syntax error, unexpected ==, expecting end of file or +")]
    [InlineData("option[1].exists", "<string>:1.11-16: syntax error, unexpected exists, expecting option or text or hex")]
    public void TemplateErrorsAreWordedAsKeas(string expression, string expected)
    {
        var error = Assert.Throws<ExpressionSyntaxException>(() => ClassExpression.ParseTemplate(expression));
        Assert.Equal(expected, error.Describe(expression));
    }
}
