using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Messages;

/// <summary>Lenient parsing (Kea's <c>lenient-option-parsing</c>): the malformed options Kea tolerates, and only those.</summary>
public class Dhcp6ParserLenientTests
{
    private static byte[] Solicit(params string[] extraOptions) => Hex.Bytes([
        "01", "abcdef",                                   // Solicit, xid
        "0001", "000a", "00030001", "525400123456",       // client-id: DUID-LL ethernet
        "0008", "0002", "0000",                           // elapsed time 0
        .. extraOptions]);

    // Client FQDN: flags S, then a label announcing 16 bytes with only 3 present.
    private static readonly string[] UnreadableFqdn = ["0027", "0005", "01", "10616263"];

    // Vendor Class: enterprise 4491, one entry announcing 16 bytes with only 3 present.
    private static readonly string[] OverrunningVendorClass = ["0010", "0009", "0000118b", "0010", "616263"];

    [Fact]
    public void AClientFqdnWithAnUnreadableNameFailsStrictlyAndIsLeftOutLeniently()
    {
        var data = Solicit(UnreadableFqdn);
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var message));
        Assert.False(message!.Options.Contains(OptionCode.ClientFqdn));
        Assert.True(message.Options.Contains(OptionCode.ClientId));
    }

    [Fact]
    public void AnOverrunningVendorClassEntryFailsStrictlyAndTakesTheRestLeniently()
    {
        var data = Solicit(OverrunningVendorClass);
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var message));
        var vendorClass = message!.Options.Get<VendorClassOption>(OptionCode.VendorClass)!;
        Assert.Equal("abc"u8.ToArray(), Assert.Single(vendorClass.Entries));
    }

    [Fact]
    public void ACutShortEntryLengthIsAnErrorEvenLeniently()
    {
        // User Class with a single byte: not even the entry's length field fits (Kea refuses this too).
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(Solicit("000f", "0001", "00"), [], lenient: true, out _));
    }

    [Fact]
    public void LenientParsingReachesRelayedMessages()
    {
        var inner = Solicit(UnreadableFqdn);
        var relayed = Hex.Bytes([
            "0c", "00", "20010db8000000000000000000000001", "fe800000000000000000000000000001",
            "0009", Convert.ToHexString(BitConverter.GetBytes((ushort)inner.Length).Reverse().ToArray()), Convert.ToHexString(inner)]);
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(relayed, [], out _));
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(relayed, [], lenient: true, out var message));
        Assert.False(message!.Options.Contains(OptionCode.ClientFqdn));
    }

    [Fact]
    public void AnIaPrefixLengthOver128IsKeptStrictlyAndCappedAt128Leniently()
    {
        // IA_PD (IAID 1, T1 0, T2 0) holding an IA Prefix hint 2001:db8::/200.
        var data = Solicit("0019", "0029", "00000001", "00000000", "00000000",
            "001a", "0019", "00000000", "00000000", "c8", "20010db8000000000000000000000000");

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], out var strict));
        Assert.Equal(200, PrefixHint(strict!).PrefixLength);

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var lenient));
        var hint = PrefixHint(lenient!);
        Assert.Equal(128, hint.PrefixLength);
        Assert.NotNull(hint.AsPrefix);
    }

    [Theory]
    [InlineData("0007", "0aff")]                                      // Preference: 1 byte
    [InlineData("0008", "0005ff")]                                    // Elapsed Time: 2 bytes
    [InlineData("000c", "20010db8000000000000000000000001ffff")]     // Unicast: 16 bytes
    [InlineData("0013", "0501")]                                      // Reconfigure Message: 1 byte
    [InlineData("0020", "00000e10ff")]                                // Information Refresh Time: 4 bytes
    [InlineData("0052", "0000003c0000")]                              // SOL_MAX_RT: 4 bytes
    [InlineData("0087", "0223aa")]                                    // Relay Source Port: 2 bytes
    public void AFixedLengthOptionLongerThanItsDefinitionFailsStrictlyAndIsReadFromItsLeadingBytesLeniently(string code, string payload)
    {
        var optionCode = Convert.ToUInt16(code, 16);
        var bytes = Convert.FromHexString(payload);
        var data = optionCode == OptionCode.ElapsedTime
            ? Hex.Bytes(["01", "abcdef", "0001", "000a", "00030001", "525400123456", code, Length(bytes), payload])
            : Solicit(code, Length(bytes), payload);
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var message));
        var option = message!.Options.Get(optionCode)!;
        var written = new byte[option.DataLength];
        option.WriteData(written);
        Assert.Equal(bytes[..written.Length], written);
        Assert.True(written.Length < bytes.Length);
    }

    [Fact]
    public void AFixedLengthOptionShorterThanItsDefinitionIsAnErrorEvenLeniently()
    {
        var data = Hex.Bytes(["01", "abcdef", "0001", "000a", "00030001", "525400123456", "0008", "0001", "00"]);
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], lenient: true, out _));
    }

    [Theory]
    [InlineData("000e")] // Rapid Commit
    [InlineData("0014")] // Reconfigure Accept
    public void AnEmptyOptionCarryingDataIsKeptEmptyInBothModes(string code)
    {
        // Kea 2.2 and 3.x never read such data, with or without lenient parsing.
        var data = Solicit(code, "0002", "abcd");
        foreach (var lenient in new[] { false, true })
        {
            Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient, out var message));
            Assert.Equal(0, message!.Options.Get(Convert.ToUInt16(code, 16))!.DataLength);
        }
    }

    [Theory]
    [InlineData("03666f6f00", "foo", false)]          // full
    [InlineData("03666f6f", "foo", true)]             // partial
    [InlineData("", "", true)]                        // no name at all
    [InlineData("00", "", false)]                     // the root name
    [InlineData("00ff", "", true)]                    // the root name, then a stray byte: partial (the option ends in ff)
    [InlineData("03666f6f00ffff", "foo", true)]       // "foo." then stray bytes: partial, as the option does not end in 0
    [InlineData("03666f6f000100", "foo", false)]      // "foo." then a stray tail ending in 0: full
    [InlineData("03666f6f0003626172", "foo", true)]   // "foo." then something like a partial "bar": only "foo" is read
    [InlineData("03666f6f000362617200", "foo", false)] // "foo." then a second full name: only the first is read
    public void AClientFqdnNameIsReadAsKeaReadsItInBothModes(string name, string expected, bool partial)
    {
        foreach (var lenient in new[] { false, true })
        {
            var fqdn = ParseFqdn(name, lenient);
            Assert.Equal(expected, fqdn.DomainName);
            Assert.Equal(partial, fqdn.IsPartialName);
        }
    }

    [Theory]
    [InlineData("03666f00")]   // the final zero is inside a label, so the full name never terminates (Kea refuses it too)
    [InlineData("0261000000ff")] // "a\000." then a stray byte: partial, but written without its root label it would end
                               // in zero and read back as a full name that never terminates
    public void AClientFqdnNameWithoutAStableFormFailsStrictlyAndIsLeftOutLeniently(string name)
    {
        var payload = "01" + name;
        var data = Solicit("0027", Length(Convert.FromHexString(payload)), payload);
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var message));
        Assert.False(message!.Options.Contains(OptionCode.ClientFqdn));
    }

    [Fact]
    public void APartialClientFqdnNameCountsItsRootLabelTowardsTheLengthLimit()
    {
        // Kea reads a partial name with a zero appended, so 254 bytes of labels are the most it takes.
        var fourLabels = string.Concat(Enumerable.Repeat("3e" + string.Concat(Enumerable.Repeat("66", 62)), 4)); // 252 bytes
        Assert.True(ParseFqdn(fourLabels + "0161", lenient: false).IsPartialName);

        var payload = "01" + fourLabels + "026161";
        var data = Solicit("0027", Length(Convert.FromHexString(payload)), payload);
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));
    }

    [Fact]
    public void BytesAfterAnNtpServerNameAreIgnoredInBothModes()
    {
        // NTP Server holding a server FQDN "ntp." followed by two stray bytes.
        var data = Solicit("0038", "000b", "0003", "0007", "036e747000", "abcd");
        foreach (var lenient in new[] { false, true })
        {
            Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient, out var message));
            var ntp = message!.Options.Get<NtpServerOption>(OptionCode.NtpServer)!;
            Assert.Equal("ntp", Assert.IsType<DomainNameOption>(Assert.Single(ntp.Options)).Name);
        }
    }

    [Theory]
    [InlineData("0027", "01")]
    [InlineData("0027", "0100")]
    [InlineData("0027", "0100ff")]
    [InlineData("0027", "0103666f6f")]
    [InlineData("0027", "0103666f6f00")]
    [InlineData("0027", "0103666f6f00ffff")]
    [InlineData("0027", "0103666f6f000100")]
    [InlineData("0027", "0103666f6f0003626172")]
    [InlineData("0027", "0103666f6f000362617200")]
    [InlineData("0027", "0102610001620000ff")]  // "a\000.b." then a stray byte: partial, the written form ends in "b"
    [InlineData("0038", "00030005036e747000")]
    [InlineData("0038", "00030007036e747000abcd")]
    [InlineData("0038", "000300020000")]        // root name then a stray zero
    [InlineData("000e", "abcd")]
    [InlineData("0014", "00")]
    public void WhatIsReadWritesBackInAFormThatReadsTheSame(string code, string payload)
    {
        // decode(encode(decode(x))) == decode(x): what the server echoes must not flip between full and partial.
        var data = Solicit(code, Length(Convert.FromHexString(payload)), payload);
        foreach (var lenient in new[] { false, true })
        {
            Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient, out var first));
            var written = Dhcp6Writer.ToArray(first!);
            Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(written, [], lenient, out var second));
            Assert.Equal(Describe.Datagram(first!, []), Describe.Datagram(second!, []));
            Assert.Equal(written, Dhcp6Writer.ToArray(second!));
        }
    }

    [Fact]
    public void ADomainListWithAnUnreadableNameFailsStrictlyAndIsLeftOutLeniently()
    {
        // Domain Search List: "example." then a label announcing 16 bytes with only 3 present.
        var data = Solicit("0018", "000d", "076578616d706c6500", "10616263");
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var message));
        Assert.False(message!.Options.Contains(OptionCode.DomainSearch));
        Assert.True(message.Options.Contains(OptionCode.ClientId));
    }

    [Fact]
    public void NtpSuboptionsAreRepairedOrLeftOutLenientlyWhileTheNtpOptionStays()
    {
        // NTP Server: a server address with two bytes too many, then a server FQDN that cannot be read.
        var data = Solicit("0038", "001c",
            "0001", "0012", "20010db8000000000000000000000123", "ffff",
            "0003", "0002", "0561");
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var message));
        var ntp = message!.Options.Get<NtpServerOption>(OptionCode.NtpServer)!;
        var address = Assert.IsType<AddressOption>(Assert.Single(ntp.Options));
        Assert.Equal(NtpSuboptionCode.ServerAddress, address.Code);
        Assert.Equal(Pukeko.Protocol.Addressing.Ipv6Address.Parse("2001:db8::123"), address.Address);
    }

    private static ClientFqdnOption ParseFqdn(string name, bool lenient)
    {
        var payload = "01" + name;
        var data = Solicit("0027", Length(Convert.FromHexString(payload)), payload);
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient, out var message));
        return message!.Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn)!;
    }

    private static IaPrefixOption PrefixHint(Dhcp6Message message) =>
        message.Options.Get<IaPdOption>(OptionCode.IaPd)!.Options.Get<IaPrefixOption>(OptionCode.IaPrefix)!;

    private static string Length(byte[] payload) => ((ushort)payload.Length).ToString("x4", System.Globalization.CultureInfo.InvariantCulture);
}
