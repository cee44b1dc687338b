using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class OptionDataTests
{
    private static readonly byte[] TwoServers =
    [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    ];

    [Fact]
    public void NamedOptionIsEncodedThroughItsDefinition()
    {
        var option = Assert.Single(LoadOk(Dhcp6("""
            "option-data": [ { "name": "dns-servers", "data": "2001:db8::1, 2001:db8::2" } ]
            """)).GlobalOptions);
        Assert.Equal((ushort)23, option.Code);
        Assert.Equal("dhcp6", option.Space);
        Assert.Equal("dns-servers", option.Name);
        Assert.Equal(TwoServers, option.Data);
        Assert.False(option.AlwaysSend);
        Assert.False(option.NeverSend);
    }

    [Fact]
    public void KnownCodeWithCsvFormatUsesTheDefinition()
    {
        var option = Assert.Single(LoadOk(Dhcp6("""
            "option-data": [ { "code": 23, "data": "2001:db8::1,2001:db8::2", "always-send": true } ]
            """)).GlobalOptions);
        Assert.Equal("dns-servers", option.Name);
        Assert.Equal(TwoServers, option.Data);
        Assert.True(option.AlwaysSend);
    }

    [Fact]
    public void CsvFormatFalseTakesHex()
    {
        var option = Assert.Single(LoadOk(Dhcp6("""
            "option-data": [ { "name": "dns-servers", "csv-format": false, "never-send": true,
              "data": "20010db8000000000000000000000001 20010db8000000000000000000000002" } ]
            """)).GlobalOptions);
        Assert.Equal(TwoServers, option.Data);
        Assert.True(option.NeverSend);
    }

    [Theory]
    [InlineData("0x0A0b0C", new byte[] { 0x0a, 0x0b, 0x0c })]
    [InlineData("0a:0b:0c", new byte[] { 0x0a, 0x0b, 0x0c })]
    [InlineData("", new byte[0])]
    public void CodeWithoutDefinitionIsHex(string data, byte[] expected)
    {
        var option = Assert.Single(LoadOk(Dhcp6($$"""
            "option-data": [ { "code": 65001, "space": "dhcp6", "data": "{{data}}" } ]
            """)).GlobalOptions);
        Assert.Equal((ushort)65001, option.Code);
        Assert.Null(option.Name);
        Assert.Equal(expected, option.Data);
    }

    [Fact]
    public void ForgeStyleNameAndCodeTogether()
    {
        var option = Assert.Single(Assert.Single(LoadOk(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8::/64", "option-data": [
              { "code": 23, "csv-format": true, "data": "2001:db8::1,2001:db8::2", "name": "dns-servers", "space": "dhcp6" } ] } ]
            """)).Subnets).Options);
        Assert.Equal(TwoServers, option.Data);
    }

    [Fact]
    public void UnknownSpaceMakesTheNameUnknown() =>
        LoadFails(Dhcp6("""
            "option-data": [ { "name": "dns-servers", "space": "vendor-4491", "data": "2001:db8::1" } ]
            """), "Dhcp6/option-data[0]/name", "definition for the option 'vendor-4491.dns-servers' having code '0' does not exist");

    [Fact]
    public void ValuesBeyondWhatTheOptionHoldsAreIgnoredWithAWarning()
    {
        // From Kea's all-options.json: nii is three uint8 fields and the example gives four values.
        var result = Load(Dhcp6("""
            "option-data": [ { "name": "nii", "data": "1, 2, 11, 13" }, { "name": "preference", "data": "7, 8, 9" } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(new byte[] { 1, 2, 11 }, result.Config!.GlobalOptions[0].Data);
        Assert.Equal(new byte[] { 7 }, result.Config.GlobalOptions[1].Data);
        AssertWarning(result, "Dhcp6/option-data[0]/data", "the last value is ignored, as Kea does");
        AssertWarning(result, "Dhcp6/option-data[1]/data", "the last 2 values are ignored");
    }

    [Fact]
    public void ACustomArrayRecordRepeatsItsLastField()
    {
        var option = Assert.Single(LoadOk(Dhcp6("""
            "option-def": [ { "name": "fancy", "code": 222, "space": "dhcp6", "type": "record", "array": true, "record-types": "uint8, fqdn" } ],
            "option-data": [ { "name": "fancy", "data": "5, a.b, c" } ]
            """)).GlobalOptions);
        Assert.Equal(new byte[] { 5, 1, (byte)'a', 1, (byte)'b', 0, 1, (byte)'c', 0 }, option.Data);
    }

    [Theory]
    [InlineData("docsis3-v6", "vendor-type", 10)]
    [InlineData("docsis3-v6", "cmts-cm-mac", 1026)]
    [InlineData("docsis3-v6", "tftp-servers", 32)]
    [InlineData("vendor-4491", "vendor-type", 10)]
    [InlineData("vendor-4491", "vendor-name", 10)] // Pukeko's former name
    [InlineData("vendor-4491", "cm-mac-address", 1026)] // Pukeko's former name
    public void KeasDocsis3V6SpaceAndNamesResolveToTheCableLabsDefinitions(string space, string name, int code)
    {
        var option = Assert.Single(LoadOk(Dhcp6($$"""
            "option-data": [ { "space": "{{space}}", "name": "{{name}}", "data": "{{(code == 32 ? "2001:db8::31" : code == 1026 ? "0a0b" : "CableLabs")}}" } ]
            """)).GlobalOptions);
        Assert.Equal((ushort)code, option.Code);
        Assert.Equal(space, option.Space); // options stay in the space they were configured in, as in Kea
    }

    [Fact]
    public void Docsis3V6CodesEncodeByTheCableLabsDefinitions()
    {
        var option = Assert.Single(LoadOk(Dhcp6("""
            "option-data": [ { "space": "docsis3-v6", "code": 38, "data": "-10000" } ]
            """)).GlobalOptions);
        Assert.Equal(new byte[] { 0xff, 0xff, 0xd8, 0xf0 }, option.Data);
    }
}
