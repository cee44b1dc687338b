using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class WarningTests
{
    [Theory]
    [InlineData("\"lease-database\": { \"type\": \"memfile\", \"readonly\": true }", "Dhcp6/lease-database/readonly")]
    public void AcceptedGlobalKeysWarnWithTheirPath(string body, string path)
    {
        var result = Load(Dhcp6(body));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, path, "not implemented yet; ignored");
    }

    [Theory]
    [InlineData("Dhcp4")]
    [InlineData("DhcpDdns")]
    [InlineData("Control-agent")]
    [InlineData("Logging")]
    public void OtherDaemonsSectionsAreIgnoredWithAWarning(string name)
    {
        var result = Load($$"""{ "{{name}}": { "anything": 1 }, "Dhcp6": { } }""");
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, name, "ignored");
    }

    [Fact]
    public void SubnetPrefixWithHostBitsIsMaskedWithAWarning()
    {
        var result = Load(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8::1/64" } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/subnet6[0]/subnet", "host bits");
        Assert.Equal("2001:db8::/64", result.Config!.Subnets[0].Prefix.ToString());
    }

    [Fact]
    public void ImplementedKeysDoNotWarn()
    {
        var result = Load(Dhcp6("""
            "valid-lifetime": 4000, "renew-timer": 1000,
            "subnet6": [ { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::/120", "comment": "c" } ], "user-context": { "a": 1 } } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
    }
}
