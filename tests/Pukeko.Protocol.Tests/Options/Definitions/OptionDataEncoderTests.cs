using Pukeko.Protocol.Options.Definitions;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Options.Definitions;

public class OptionDataEncoderTests
{
    private static OptionDefinition Standard(string name)
    {
        Assert.True(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, name, out var definition));
        return definition;
    }

    private static string EncodeStandard(string name, string data) => Hex.Of(OptionDataEncoder.Encode(Standard(name), data, csvFormat: true));

    [Fact]
    public void DnsServersEncodeAsConsecutiveSixteenByteAddresses()
    {
        var bytes = OptionDataEncoder.Encode(Standard("dns-servers"), "2001:db8::1, 2001:db8::2", csvFormat: true);

        Assert.Equal(32, bytes.Length);
        Assert.Equal("20010db8000000000000000000000001" + "20010db8000000000000000000000002", Hex.Of(bytes));
    }

    [Fact]
    public void DomainSearchEncodesEachNameInWireForm()
    {
        Assert.Equal("076578616d706c6503636f6d00" + "036c616e00", EncodeStandard("domain-search", "example.com, lan."));
    }

    [Fact]
    public void BadAddressErrorNamesTheValue()
    {
        var exception = Assert.Throws<FormatException>(() => EncodeStandard("dns-servers", "2001:db8::1, 2001:db8::zz"));

        Assert.Equal("Failed to convert string to address '2001:db8::zz': Invalid argument", exception.Message);
    }

    [Theory]
    [InlineData("preference", "1, 2", "01", 1)]
    [InlineData("preference", "1, x, y", "01", 2)]
    [InlineData("bootfile-url", "tftp://a/b, c", "746674703a2f2f612f62", 1)]
    [InlineData("subscriber-id", "01:02, 03", "0102", 1)]
    [InlineData("information-refresh-time", ",600,", "00000258", 0)]
    public void SingleValueOptionUsesTheFirstValueAndIgnoresTheRestAsKeaDoes(string name, string data, string expected, int ignored)
    {
        // Kea's option factory writes values[0] for a non-array option; extra values (even invalid ones) are never read.
        Assert.Equal(expected, Hex.Of(OptionDataEncoder.Encode(Standard(name), data, csvFormat: true, out var ignoredValues)));
        Assert.Equal(ignored, ignoredValues);
    }

    [Fact]
    public void NothingBetweenCommasIsNotAValueButABlankIs()
    {
        Assert.Equal("0007" + "0010", EncodeStandard("client-arch-type", ",7,,16,"));
        Assert.Throws<FormatException>(() => EncodeStandard("client-arch-type", "7, ,16"));
    }

    [Theory]
    [InlineData("preference", "256", "'256' is not a valid uint8 (0..255)")]
    [InlineData("preference", "-1", "'-1' is not a valid uint8 (0..255)")]
    [InlineData("solmax-rt", "4294967296", "'4294967296' is not a valid uint32 (0..4294967295)")]
    [InlineData("client-arch-type", "7, x", "'x' is not a valid uint16 (0..65535)")]
    public void IntegersAreRangeChecked(string name, string data, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => EncodeStandard(name, data)).Message);
    }

    [Fact]
    public void IntegerArraysAndScalarsEncodeBigEndian()
    {
        Assert.Equal("0007" + "0010", EncodeStandard("client-arch-type", "7, 16"));
        Assert.Equal("00015180", EncodeStandard("information-refresh-time", "86400"));
        Assert.Equal("ff", EncodeStandard("preference", "255"));
    }

    [Fact]
    public void RecordFieldsFollowTheDefinitionOrder()
    {
        // nii: three uint8; remote-id: uint32 then binary (hex).
        Assert.Equal("010203", EncodeStandard("nii", "1, 2, 3"));
        Assert.Equal("00000009" + "aabb", EncodeStandard("remote-id", "9, aabb"));
    }

    [Fact]
    public void RecordWithTooFewValuesIsRejected()
    {
        var exception = Assert.Throws<FormatException>(() => EncodeStandard("nii", "1, 2"));

        Assert.Contains("expects 3 comma-separated values, got 2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordIgnoresValuesBeyondItsFieldsAsKeaDoes()
    {
        // Kea's all-options.json example gives nii four values and geoconf-civic one too many.
        Assert.Equal("01020b", Hex.Of(OptionDataEncoder.Encode(Standard("nii"), "1, 2, 11, 13", true, out var ignored)));
        Assert.Equal(1, ignored);
        Assert.Equal("00" + "5553" + "159d", EncodeStandard("geoconf-civic", "0, 0x5553, 15 9D, A3 FF"));
    }

    [Fact]
    public void RecordArraysRepeatTheLastFieldAsKeaDoes()
    {
        // rdnss-selection is (ipv6-address, uint8, fqdn) with the fqdn repeated: RFC 6731's list of domains.
        var encoded = OptionDataEncoder.Encode(Standard("rdnss-selection"), "2001:db8::23, 01, example.com, example.org", true, out var ignored);

        Assert.Equal(
            "20010db8000000000000000000000023" + "01" + "076578616d706c6503636f6d00" + "076578616d706c65036f726700",
            Hex.Of(encoded));
        Assert.Equal(0, ignored);
        Assert.Contains("expects at least 3", Assert.Throws<FormatException>(() => EncodeStandard("rdnss-selection", "2001:db8::1, 1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomArrayRecordRepeatsItsLastFieldType()
    {
        var definition = new OptionDefinition("fancy", 222, "my-space", OptionDataType.Record, IsArray: true,
            RecordFields: [OptionDataType.Uint8, OptionDataType.Uint16]);

        Assert.Equal("01" + "0002" + "0003" + "0004", Hex.Of(OptionDataEncoder.Encode(definition, "1, 2, 3, 4", true)));
        Assert.Equal("01" + "0002", Hex.Of(OptionDataEncoder.Encode(definition, "1, 2", true)));
    }

    [Fact]
    public void TupleArrayUsesTwoByteLengths()
    {
        Assert.Equal("0002" + "6869" + "0001" + "78", EncodeStandard("bootfile-param", "hi, x"));
    }

    [Fact]
    public void StringOptionTakesTheWholeTextWithEscapedCommas()
    {
        Assert.Equal(Hex.Of("tftp://a/b,c"u8), EncodeStandard("bootfile-url", "tftp://a/b\\,c"));
    }

    [Fact]
    public void EmptyStringOptionIsRejected()
    {
        Assert.Throws<FormatException>(() => EncodeStandard("new-posix-timezone", "  "));
    }

    [Fact]
    public void Ipv6PrefixIsLengthThenTheCoveredBytes()
    {
        Assert.Equal("30" + "20010db80001", EncodeStandard("pd-exclude", "2001:db8:1::/48"));
        Assert.Equal("3c" + "20010db8000100f0", EncodeStandard("pd-exclude", "2001:db8:1:ff::/60"));
    }

    [Fact]
    public void BadPrefixErrorNamesTheValue()
    {
        var exception = Assert.Throws<FormatException>(() => EncodeStandard("pd-exclude", "2001:db8::/129"));

        Assert.Equal("'129' is not a valid prefix length (0..128)", exception.Message);
    }

    [Theory]
    [InlineData("true", "01")]
    [InlineData("FALSE", "00")]
    [InlineData("1", "01")]
    [InlineData("0", "00")]
    public void BooleansAcceptWordsAndDigits(string data, string expected)
    {
        var definition = new OptionDefinition("flag", 200, StandardOptionDefinitions.Dhcp6Space, OptionDataType.Boolean);

        Assert.Equal(expected, Hex.Of(OptionDataEncoder.Encode(definition, data, csvFormat: true)));
    }

    [Fact]
    public void InvalidBooleanIsRejected()
    {
        var definition = new OptionDefinition("flag", 200, StandardOptionDefinitions.Dhcp6Space, OptionDataType.Boolean);

        Assert.Contains("'maybe' is not a valid boolean", Assert.Throws<FormatException>(() => OptionDataEncoder.Encode(definition, "maybe", true)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomRecordWithIpv4SignedIntegerAndString()
    {
        var definition = new OptionDefinition("custom", 201, StandardOptionDefinitions.Dhcp6Space, OptionDataType.Record,
            RecordFields: [OptionDataType.Ipv4Address, OptionDataType.Int16, OptionDataType.String]);

        Assert.Equal("c0000201" + "fffe" + "6869", Hex.Of(OptionDataEncoder.Encode(definition, "192.0.2.1, -2, hi", true)));
        Assert.Equal("'192.0.2' is not a valid IPv4 address",
            Assert.Throws<FormatException>(() => OptionDataEncoder.Encode(definition, "192.0.2, 1, x", true)).Message);
    }

    [Fact]
    public void PsidIsLengthThenLeftAlignedValue()
    {
        Assert.True(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.S46RuleSpace, "s46-portparams", out var portParams));

        Assert.Equal("00" + "04" + "3000", Hex.Of(OptionDataEncoder.Encode(portParams, "0, 3/4", true)));
        Assert.Throws<FormatException>(() => OptionDataEncoder.Encode(portParams, "0, 16/4", true));
    }

    [Fact]
    public void EmptyTypeOptionsTakeNoData()
    {
        Assert.Empty(OptionDataEncoder.Encode(Standard("ntp-server"), string.Empty, true));
        Assert.Throws<FormatException>(() => OptionDataEncoder.Encode(Standard("rapid-commit"), "1", true));
    }

    [Theory]
    [InlineData("0a0b0c", "0a0b0c")]
    [InlineData("0x0A0B", "0a0b")]
    [InlineData("0a:0b:c", "0a0b0c")]
    [InlineData("0a 0b 0c", "0a0b0c")]
    [InlineData("abc", "0abc")]
    [InlineData("", "")]
    public void HexModeAcceptsKeaHexForms(string data, string expected)
    {
        Assert.Equal(expected, Hex.Of(OptionDataEncoder.Encode(Standard("dns-servers"), data, csvFormat: false)));
    }

    [Fact]
    public void HexModeRejectsNonHex()
    {
        Assert.Equal("'0xzz' is not valid hex data", Assert.Throws<FormatException>(() => OptionDataEncoder.EncodeHex("0xzz")).Message);
    }

    [Fact]
    public void BinaryOptionInCsvModeIsHex()
    {
        Assert.Equal("0102ff", EncodeStandard("subscriber-id", "01:02:ff"));
    }
}
