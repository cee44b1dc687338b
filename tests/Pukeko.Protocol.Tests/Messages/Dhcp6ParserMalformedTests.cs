using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Messages;

public class Dhcp6ParserMalformedTests
{
    private static readonly byte[] ValidSolicit = Hex.Bytes(
        "01", "abcdef",                                   // Solicit, xid
        "0001", "000a", "00030001", "525400123456",       // client-id: DUID-LL ethernet
        "0008", "0002", "0000",                           // elapsed time 0
        "0003", "0028", "00000001", "00000000", "00000000", // IA_NA iaid 1, 40 bytes of payload
        "0005", "0018", "20010db8000000000000000000000001", "00000000", "00000000"); // IAADDR hint

    public static TheoryData<int> TruncatedLengths()
    {
        var data = new TheoryData<int>();
        for (var length = 1; length < ValidSolicit.Length; length++)
        {
            data.Add(length);
        }

        return data;
    }

    [Fact]
    public void ParseAcceptsTheReferenceSolicitUsedByTheTruncationTests()
    {
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(ValidSolicit, [], out _));
    }

    [Theory]
    [MemberData(nameof(TruncatedLengths))]
    public void ParseRejectsEveryTruncatedPrefixOfAValidSolicitUnlessItEndsOnAnOptionBoundary(int length)
    {
        // Option boundaries of ValidSolicit: after the header, the client-id and the elapsed time.
        int[] boundaries = [4, 18, 24];
        var lastBoundary = boundaries.LastOrDefault(boundary => boundary <= length);
        var expected = length < Dhcp6Message.HeaderLength ? ParseStatus.TruncatedHeader
            : length == lastBoundary ? ParseStatus.Ok
            : length - lastBoundary < DhcpOption.HeaderLength ? ParseStatus.TruncatedOption
            : ParseStatus.OptionLengthPastEnd;

        var status = Dhcp6Parser.TryParse(ValidSolicit.AsSpan(0, length), [], out var message);

        Assert.Equal(expected, status);
        Assert.Equal(expected == ParseStatus.Ok, message is not null);
    }

    [Fact]
    public void ParseReturnsEmptyForZeroLengthDatagram()
    {
        Assert.Equal(ParseStatus.Empty, Dhcp6Parser.TryParse([], [], out var message));
        Assert.Null(message);
    }

    [Fact]
    public void ParseReturnsOptionLengthPastEndWhenOptionOverrunsPacket()
    {
        var packet = Hex.Bytes("01", "000001", "0008", "0004", "0000"); // elapsed time claims 4 bytes, 2 present

        Assert.Equal(ParseStatus.OptionLengthPastEnd, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsTruncatedOptionWhenFewerThanFourBytesRemain()
    {
        var packet = Hex.Bytes("01", "000001", "000800");

        Assert.Equal(ParseStatus.TruncatedOption, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsMalformedOptionForIaNaShorterThanTwelveBytes()
    {
        var packet = Hex.Bytes("01", "000001", "0003", "000b", "0000000100000000000000");

        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsMalformedOptionForIaAddressShorterThanTwentyFourBytes()
    {
        var packet = Hex.Bytes(
            "01", "000001",
            "0003", "0027", "00000001", "00000000", "00000000", // IA_NA with a 27-byte sub-option
            "0005", "0017", "20010db8000000000000000000000001", "00000000", "000000"); // IAADDR of 23 bytes

        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsOptionLengthPastEndWhenSubOptionOverrunsItsIa()
    {
        var packet = Hex.Bytes(
            "01", "000001",
            "0003", "0012", "00000001", "00000000", "00000000", // IA_NA with 6 bytes of sub-options
            "000d", "0004", "0000");                            // status code claims 4, only 2 inside the IA

        Assert.Equal(ParseStatus.OptionLengthPastEnd, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Theory]
    [InlineData("000d0000")]       // no status field at all
    [InlineData("000d000100")]     // one byte: half a status code
    public void ParseReturnsMalformedOptionForStatusCodeShorterThanTwoBytes(string option)
    {
        var packet = Hex.Bytes("07", "000001", option);

        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsMalformedOptionForStatusMessageThatIsNotUtf8()
    {
        var packet = Hex.Bytes("07", "000001", "000d", "0003", "0000", "ff");

        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Theory]
    [InlineData("0006000300010002")]           // ORO of odd length
    [InlineData("0007000200ff")]               // preference of 2 bytes
    [InlineData("00080001ff")]                 // elapsed time of 1 byte
    [InlineData("0017000f20010db80000000000000000000000")] // DNS servers not a multiple of 16
    [InlineData("0018000403636f6d")]           // domain search without the root label
    [InlineData("00180002c00c")]               // compression pointer in a domain name
    [InlineData("00270005010366 6f00")]        // client FQDN ending in 0 inside a label: a full name that never ends
    [InlineData("0027000301 0561")]            // client FQDN with a label longer than the rest of the option
    [InlineData("00380007 0003 0003 036e74")]  // NTP server FQDN with a label longer than the sub-option
    [InlineData("000f0003000501")]             // user class entry longer than the option
    [InlineData("0011000300000001")]           // vendor opts shorter than the enterprise number
    [InlineData("0019000b0000000100000000000000")] // IA_PD shorter than 12 bytes
    [InlineData("0087000100")]                 // relay source port of 1 byte
    [InlineData("0025000300000d")]              // remote-id shorter than the enterprise number
    public void ParseReturnsMalformedOptionForPayloadsThatDoNotFitTheirCode(string option)
    {
        var packet = Hex.Bytes("01", "000001", option);

        Assert.Equal(ParseStatus.MalformedOption, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsTooManyRelayHopsForThirtyThreeRelayLevels()
    {
        var solicit = new Dhcp6Message(MessageType.Solicit, 1);
        var relays = Enumerable.Range(0, 33).Select(i => new RelayLayer(MessageType.RelayForward, (byte)(32 - i), default, default)).ToList();
        var bytes = Dhcp6Writer.ToArray(solicit, relays);
        var parsedRelays = new List<RelayLayer>();

        Assert.Equal(ParseStatus.TooManyRelayHops, Dhcp6Parser.TryParse(bytes, parsedRelays, out var message));
        Assert.Null(message);
        Assert.Empty(parsedRelays);
    }

    [Fact]
    public void ParseAcceptsExactlyThirtyTwoRelayLevels()
    {
        var solicit = new Dhcp6Message(MessageType.Solicit, 1);
        var relays = Enumerable.Range(0, 32).Select(_ => new RelayLayer()).ToList();
        var parsedRelays = new List<RelayLayer>();

        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(solicit, relays), parsedRelays, out _));
        Assert.Equal(32, parsedRelays.Count);
    }

    [Fact]
    public void ParseReturnsMissingRelayMessageForRelayForwardWithoutRelayMessageOption()
    {
        var packet = Hex.Bytes(
            "0c", "00",
            "20010db8000000000000000000000001", // link-address
            "fe800000000000000000000000000002", // peer-address
            "0012", "0004", "65746830");         // interface-id "eth0" but no relay message

        Assert.Equal(ParseStatus.MissingRelayMessage, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsDuplicateRelayMessageWhenARelayLevelCarriesTwo()
    {
        var packet = Hex.Bytes(
            "0c", "00", "00000000000000000000000000000000", "00000000000000000000000000000000",
            "0009", "0004", "01000001",
            "0009", "0004", "01000002");

        Assert.Equal(ParseStatus.DuplicateRelayMessage, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsTruncatedHeaderForRelayForwardShorterThanThirtyFourBytes()
    {
        var packet = Hex.Bytes("0c", "00", "20010db8");

        Assert.Equal(ParseStatus.TruncatedHeader, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsTruncatedHeaderForEmptyRelayMessage()
    {
        var packet = Hex.Bytes("0c", "00", "00000000000000000000000000000000", "00000000000000000000000000000000", "0009", "0000");

        Assert.Equal(ParseStatus.TruncatedHeader, Dhcp6Parser.TryParse(packet, [], out _));
    }

    [Fact]
    public void ParseReturnsOptionNestingTooDeepForDeeplyNestedIaOptions()
    {
        // IA_NA inside IA_NA inside ... : legal framing, but deeper than any real packet.
        var innermost = new IaNaOption(0, 0, 0);
        var current = innermost;
        for (var i = 0; i < OptionDecoder.MaxNestingDepth + 2; i++)
        {
            var outer = new IaNaOption((uint)i, 0, 0);
            outer.Options.Add(current);
            current = outer;
        }

        var message = new Dhcp6Message(MessageType.Solicit, 1);
        message.Options.Add(current);

        Assert.Equal(ParseStatus.OptionNestingTooDeep, Dhcp6Parser.TryParse(Dhcp6Writer.ToArray(message), [], out _));
    }

    [Fact]
    public void ParseClearsRelaysLeftFromAnEarlierCall()
    {
        var relays = new List<RelayLayer> { new() };

        Dhcp6Parser.TryParse(Hex.Bytes("01", "000001"), relays, out _);

        Assert.Empty(relays);
    }
}
