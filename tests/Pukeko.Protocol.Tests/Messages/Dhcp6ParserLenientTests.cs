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

    [Fact]
    public void ARapidCommitCarryingDataFailsStrictlyAndIsKeptEmptyLeniently()
    {
        var data = Solicit("000e", "0002", "abcd");
        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(data, [], out _));

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(data, [], lenient: true, out var message));
        Assert.Equal(0, message!.Options.Get(OptionCode.RapidCommit)!.DataLength);
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

    private static IaPrefixOption PrefixHint(Dhcp6Message message) =>
        message.Options.Get<IaPdOption>(OptionCode.IaPd)!.Options.Get<IaPrefixOption>(OptionCode.IaPrefix)!;

    private static string Length(byte[] payload) => ((ushort)payload.Length).ToString("x4", System.Globalization.CultureInfo.InvariantCulture);
}
