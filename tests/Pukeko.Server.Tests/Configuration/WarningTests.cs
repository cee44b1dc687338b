using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class WarningTests
{
    [Theory]
    [InlineData("\"sanity-checks\": { \"lease-checks\": \"fix\" }", "Dhcp6/sanity-checks")]
    [InlineData("\"store-extended-info\": true", "Dhcp6/store-extended-info")]
    [InlineData("\"dhcp-queue-control\": { \"enable-queue\": false }", "Dhcp6/dhcp-queue-control")]
    [InlineData("\"hosts-database\": { \"type\": \"mysql\" }", "Dhcp6/hosts-database")]
    [InlineData("\"config-control\": { }", "Dhcp6/config-control")]
    [InlineData("\"compatibility\": { \"lenient-option-parsing\": true }", "Dhcp6/compatibility")]
    [InlineData("\"data-directory\": \"/tmp\"", "Dhcp6/data-directory")]
    [InlineData("\"dhcp4o6-port\": 6767", "Dhcp6/dhcp4o6-port")]
    [InlineData("\"early-global-reservations-lookup\": true", "Dhcp6/early-global-reservations-lookup")]
    [InlineData("\"ip-reservations-unique\": false", "Dhcp6/ip-reservations-unique")]
    [InlineData("\"allow-address-registration\": false", "Dhcp6/allow-address-registration")]
    [InlineData("\"adaptive-lease-time-threshold\": 0.5", "Dhcp6/adaptive-lease-time-threshold")]
    [InlineData("\"lease-database\": { \"type\": \"memfile\", \"readonly\": true }", "Dhcp6/lease-database/readonly")]
    public void AcceptedGlobalKeysWarnWithTheirPath(string body, string path)
    {
        var result = Load(Dhcp6(body));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, path, "not implemented yet; ignored");
    }

    [Theory]
    [InlineData("store-extended-info", "true")]
    public void AcceptedSubnetKeysWarnWithTheirPath(string key, string value)
    {
        var result = Load(Dhcp6($$"""
            "subnet6": [ { "subnet": "2001:db8::/64" }, { "subnet": "2001:db8:1::/64", "{{key}}": {{value}} } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, $"Dhcp6/subnet6[1]/{key}", "not implemented yet; ignored");
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
