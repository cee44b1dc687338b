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
}
