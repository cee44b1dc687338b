using System.Net;
using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary>The <c>dhcp-ddns</c> map and the <c>ddns-*</c> / <c>hostname-char-*</c> keys: defaults, inheritance, checks.</summary>
public sealed class DdnsConfigTests
{
    private const string Subnet = """{ "id": 1, "subnet": "2001:db8:1::/64" }""";

    [Fact]
    public void DefaultsAreKeas()
    {
        var config = LoadOk(Dhcp6($"\"subnet6\": [ {Subnet} ]"));
        var d2 = config.DhcpDdns;
        Assert.False(d2.EnableUpdates);
        Assert.Equal(IPAddress.Loopback, d2.ServerIp);
        Assert.Equal(53001, d2.ServerPort);
        Assert.Equal(IPAddress.Any, d2.SenderIp);
        Assert.Equal(0, d2.SenderPort);
        Assert.Equal(1024u, d2.MaxQueueSize);
        Assert.Equal("UDP", d2.NcrProtocol);
        Assert.Equal("JSON", d2.NcrFormat);

        var p = config.Subnets[0].Ddns;
        Assert.True(p.SendUpdates);
        Assert.False(p.OverrideNoUpdate);
        Assert.False(p.OverrideClientUpdate);
        Assert.Equal(DdnsReplaceClientName.Never, p.ReplaceClientName);
        Assert.Equal("myhost", p.GeneratedPrefix);
        Assert.Equal("", p.QualifyingSuffix);
        Assert.False(p.UpdateOnRenew);
        Assert.Equal(DdnsConflictResolution.CheckWithDhcid, p.ConflictResolution);
        Assert.Null(p.TtlPercent);
        Assert.Null(p.Ttl);
        Assert.Null(p.TtlMin);
        Assert.Null(p.TtlMax);
        Assert.Equal("[^A-Za-z0-9.-]", p.HostnameCharSet);
        Assert.Equal("", p.HostnameCharReplacement);
        Assert.Equal(p, config.Ddns);
    }

    [Fact]
    public void DhcpDdnsMapIsReadWithoutWarnings()
    {
        var result = Load(Dhcp6("""
            "dhcp-ddns": { "enable-updates": true, "server-ip": "::1", "server-port": 53100, "sender-ip": "::1", "sender-port": 53101,
                           "max-queue-size": 10, "ncr-protocol": "UDP", "ncr-format": "JSON", "user-context": { "a": 1 } }
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        var d2 = result.Config!.DhcpDdns;
        Assert.True(d2.EnableUpdates);
        Assert.Equal(IPAddress.IPv6Loopback, d2.ServerIp);
        Assert.Equal(53100, d2.ServerPort);
        Assert.Equal(IPAddress.IPv6Loopback, d2.SenderIp);
        Assert.Equal(53101, d2.SenderPort);
        Assert.Equal(10u, d2.MaxQueueSize);
    }

    [Fact]
    public void SenderDefaultsToTheServerAddressFamily() =>
        Assert.Equal(IPAddress.IPv6Any, LoadOk(Dhcp6("""
            "dhcp-ddns": { "enable-updates": true, "server-ip": "2001:db8::53" }
            """)).DhcpDdns.SenderIp);

    [Theory]
    [InlineData("""{ "server-ip": "127.0.0.1" }""", "Dhcp6/dhcp-ddns", "missing mandatory parameter 'enable-updates'")]
    [InlineData("""{ "enable-updates": "yes" }""", "Dhcp6/dhcp-ddns/enable-updates", "expected a boolean")]
    [InlineData("""{ "enable-updates": true, "server-ip": "nowhere" }""", "Dhcp6/dhcp-ddns/server-ip", "invalid address 'nowhere'")]
    [InlineData("""{ "enable-updates": true, "server-port": 70000 }""", "Dhcp6/dhcp-ddns/server-port", "out of range")]
    [InlineData("""{ "enable-updates": true, "sender-ip": "::" }""", "Dhcp6/dhcp-ddns/sender-ip", "address family mismatch")]
    [InlineData("""{ "enable-updates": true, "sender-ip": "127.0.0.1", "sender-port": 53001 }""", "Dhcp6/dhcp-ddns/sender-ip", "cannot share the exact same IP address/port")]
    [InlineData("""{ "enable-updates": true, "ncr-protocol": "TCP" }""", "Dhcp6/dhcp-ddns/ncr-protocol", "TCP is not supported")]
    [InlineData("""{ "enable-updates": true, "ncr-format": "XML" }""", "Dhcp6/dhcp-ddns/ncr-format", "invalid ncr-format 'XML'")]
    [InlineData("""{ "enable-updates": true, "max-queue-size": -1 }""", "Dhcp6/dhcp-ddns/max-queue-size", "out of range")]
    [InlineData("""{ "enable-updates": true, "bogus": 1 }""", "Dhcp6/dhcp-ddns/bogus", "unknown parameter 'bogus' in dhcp-ddns")]
    public void BadDhcpDdnsValuesAreRejectedWithTheirPath(string map, string path, string fragment) =>
        LoadFails(Dhcp6($"\"dhcp-ddns\": {map}"), path, fragment);

    [Fact]
    public void Kea22SpellingsInsideDhcpDdnsMoveToTheGlobalLevelUnlessItSetsThem()
    {
        var result = Load(Dhcp6("""
            "ddns-generated-prefix": "global",
            "dhcp-ddns": { "enable-updates": false, "qualifying-suffix": "example.com", "generated-prefix": "old",
                           "replace-client-name": "always", "override-no-update": true, "override-client-update": true,
                           "hostname-char-set": "[^a-z]", "hostname-char-replacement": "x" }
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var p = result.Config!.Ddns;
        Assert.Equal("example.com", p.QualifyingSuffix);
        Assert.Equal("global", p.GeneratedPrefix);
        Assert.Equal(DdnsReplaceClientName.Always, p.ReplaceClientName);
        Assert.True(p.OverrideNoUpdate);
        Assert.True(p.OverrideClientUpdate);
        Assert.Equal("[^a-z]", p.HostnameCharSet);
        Assert.Equal("x", p.HostnameCharReplacement);
        AssertWarning(result, "Dhcp6/dhcp-ddns/qualifying-suffix", "deprecated; used as the global 'ddns-qualifying-suffix'");
        AssertWarning(result, "Dhcp6/dhcp-ddns/generated-prefix", "ignored: the global 'ddns-generated-prefix' is set");
    }

    [Fact]
    public void Kea1AlwaysIncludeFqdnIsWarnedAboutNotRefused()
    {
        // Forge's control-channel tests send it through config-set, which Kea 2.2 takes without checking keys.
        var result = Load(Dhcp6("""
            "dhcp-ddns": { "always-include-fqdn": false, "enable-updates": false }
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/dhcp-ddns/always-include-fqdn", "removed in Kea 1.5 and is ignored");
        Assert.False(Load(Dhcp6("""
            "dhcp-ddns": { "always-include-fqdn": "yes" }
            """)).Success);
    }

    /// <summary>Every key at every level Kea takes it, each level overriding the one above, the rest inherited.</summary>
    [Fact]
    public void EveryKeyIsInheritedGlobalToSharedNetworkToSubnetToPool()
    {
        var config = LoadOk(Dhcp6("""
            "ddns-send-updates": false, "ddns-override-no-update": true, "ddns-override-client-update": true,
            "ddns-replace-client-name": "always", "ddns-generated-prefix": "g", "ddns-qualifying-suffix": "global.example.",
            "ddns-update-on-renew": true, "ddns-conflict-resolution-mode": "no-check-with-dhcid", "ddns-ttl-percent": 0.5,
            "ddns-ttl-min": 100, "ddns-ttl-max": 5000, "hostname-char-set": "[^a-z]", "hostname-char-replacement": "-",
            "subnet6": [ { "id": 9, "subnet": "2001:db8:9::/64" } ],
            "shared-networks": [ {
              "name": "net", "ddns-send-updates": true, "ddns-generated-prefix": "n", "ddns-use-conflict-resolution": false,
              "subnet6": [ {
                "id": 1, "subnet": "2001:db8:1::/64", "ddns-qualifying-suffix": "subnet.example.", "ddns-ttl": 300,
                "pools": [
                  { "pool": "2001:db8:1::/120", "ddns-replace-client-name": "when-present", "hostname-char-replacement": "_",
                    "ddns-conflict-resolution-mode": "check-exists-with-dhcid", "ddns-override-no-update": false },
                  { "pool": "2001:db8:1::1:0/120" } ] } ] } ]
            """));

        var global = config.FindSubnet(9)!.Ddns;
        Assert.Equal(config.Ddns, global);
        Assert.False(global.SendUpdates);
        Assert.True(global.OverrideNoUpdate);
        Assert.True(global.OverrideClientUpdate);
        Assert.Equal(DdnsReplaceClientName.Always, global.ReplaceClientName);
        Assert.Equal("g", global.GeneratedPrefix);
        Assert.Equal("global.example.", global.QualifyingSuffix);
        Assert.True(global.UpdateOnRenew);
        Assert.Equal(DdnsConflictResolution.NoCheckWithDhcid, global.ConflictResolution);
        Assert.Equal(0.5, global.TtlPercent);
        Assert.Equal(100u, global.TtlMin);
        Assert.Equal(5000u, global.TtlMax);
        Assert.Equal("[^a-z]", global.HostnameCharSet);
        Assert.Equal("-", global.HostnameCharReplacement);

        var network = config.SharedNetworks[0].Ddns;
        Assert.True(network.SendUpdates);
        Assert.Equal("n", network.GeneratedPrefix);
        Assert.Equal(DdnsConflictResolution.NoCheckWithDhcid, network.ConflictResolution);
        Assert.Equal("global.example.", network.QualifyingSuffix);

        var subnet = config.FindSubnet(1)!;
        Assert.True(subnet.Ddns.SendUpdates);
        Assert.Equal("n", subnet.Ddns.GeneratedPrefix);
        Assert.Equal("subnet.example.", subnet.Ddns.QualifyingSuffix);
        Assert.Equal(300u, subnet.Ddns.Ttl);
        Assert.Equal(0.5, subnet.Ddns.TtlPercent);
        Assert.True(subnet.Ddns.UpdateOnRenew);

        var pool = subnet.Pools[0].Ddns!;
        Assert.Equal(DdnsReplaceClientName.WhenPresent, pool.ReplaceClientName);
        Assert.Equal("_", pool.HostnameCharReplacement);
        Assert.Equal(DdnsConflictResolution.CheckExistsWithDhcid, pool.ConflictResolution);
        Assert.False(pool.OverrideNoUpdate);
        Assert.Equal("subnet.example.", pool.QualifyingSuffix);
        Assert.Equal("n", pool.GeneratedPrefix);
        Assert.Null(subnet.Pools[1].Ddns);
    }

    [Fact]
    public void DeprecatedUseConflictResolutionIsRewrittenToTheModeWithAWarning()
    {
        var result = Load(Dhcp6("\"ddns-use-conflict-resolution\": false"));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(DdnsConflictResolution.NoCheckWithDhcid, result.Config!.Ddns.ConflictResolution);
        AssertWarning(result, "Dhcp6/ddns-use-conflict-resolution", "deprecated");
    }

    [Theory]
    [InlineData("\"ddns-replace-client-name\": true", "Dhcp6/ddns-replace-client-name", "boolean values")]
    [InlineData("\"ddns-replace-client-name\": \"sometimes\"", "Dhcp6/ddns-replace-client-name", "invalid ddns-replace-client-name 'sometimes'")]
    [InlineData("\"ddns-conflict-resolution-mode\": \"maybe\"", "Dhcp6/ddns-conflict-resolution-mode", "invalid ddns-conflict-resolution-mode 'maybe'")]
    [InlineData("\"ddns-send-updates\": 1", "Dhcp6/ddns-send-updates", "expected a boolean")]
    [InlineData("\"ddns-ttl\": -5", "Dhcp6/ddns-ttl", "out of range")]
    [InlineData("\"ddns-ttl-percent\": -0.5", "Dhcp6/ddns-ttl-percent", "must not be negative")]
    [InlineData("\"ddns-ttl\": 300, \"ddns-ttl-percent\": 0.5", "Dhcp6/ddns-ttl-percent", "cannot specify both ddns-ttl-percent and ddns-ttl")]
    [InlineData("\"ddns-ttl\": 300, \"ddns-ttl-min\": 5", "Dhcp6/ddns-ttl-min", "cannot specify both ddns-ttl-min and ddns-ttl")]
    [InlineData("\"ddns-ttl\": 300, \"ddns-ttl-max\": 5", "Dhcp6/ddns-ttl-max", "cannot specify both ddns-ttl-max and ddns-ttl")]
    [InlineData("\"ddns-ttl-min\": 500, \"ddns-ttl-max\": 400", "Dhcp6/ddns-ttl-max", "ddns-ttl-max: 400 must be greater than ddns-ttl-min: 500")]
    [InlineData("\"hostname-char-set\": \"[a-\"", "Dhcp6/hostname-char-set", "is not a valid regular expression")]
    [InlineData("\"ddns-qualifying-suffix\": \"a..b\"", "Dhcp6/ddns-qualifying-suffix", "is not a valid domain name")]
    [InlineData("\"ddns-generated-prefix\": \"my host\"", "Dhcp6/ddns-generated-prefix", "is not a valid DNS label")]
    [InlineData("\"ddns-use-conflict-resolution\": true, \"ddns-conflict-resolution-mode\": \"check-with-dhcid\"", "Dhcp6/ddns-use-conflict-resolution", "not both")]
    public void BadGlobalValuesAreRejectedWithTheirPath(string body, string path, string fragment) =>
        LoadFails(Dhcp6(body), path, fragment);

    [Theory]
    [InlineData("""{ "id": 1, "subnet": "2001:db8:1::/64", "ddns-ttl": 10, "ddns-ttl-max": 20 }""", "Dhcp6/subnet6[0]/ddns-ttl-max")]
    [InlineData("""{ "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/120", "hostname-char-set": "(" } ] }""", "Dhcp6/subnet6[0]/pools[0]/hostname-char-set")]
    public void BadLowerLevelValuesAreRejectedWithTheirPath(string subnet, string path) =>
        Assert.Contains(Load(Dhcp6($"\"subnet6\": [ {subnet} ]")).Errors, e => e.Path == path);

    [Fact]
    public void PoolsDoNotTakeTheDeprecatedUseConflictResolution() =>
        LoadFails(Dhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/120", "ddns-use-conflict-resolution": true } ] } ]
            """), "Dhcp6/subnet6[0]/pools[0]/ddns-use-conflict-resolution", "unknown parameter");

    [Theory]
    [InlineData(4000u, null, null, null, null, 1333u)]
    [InlineData(1000u, null, null, null, null, 600u)]
    [InlineData(4000u, 0.5, null, null, null, 2000u)]
    [InlineData(4000u, null, 77u, null, null, 77u)]
    [InlineData(1000u, null, null, 100u, null, 333u)]
    [InlineData(90000u, null, null, null, 3600u, 3600u)]
    [InlineData(3u, 0.5, null, 1u, null, 2u)]
    public void TtlFollowsKeasRules(uint lifetime, double? percent, uint? ttl, uint? min, uint? max, uint expected) =>
        Assert.Equal(expected, new DdnsParameters { TtlPercent = percent, Ttl = ttl, TtlMin = min, TtlMax = max }.CalculateTtl(lifetime));

    [Theory]
    [InlineData("host", "", "host.")]
    [InlineData("host", "example.com", "host.example.com.")]
    [InlineData("host", "example.com.", "host.example.com.")]
    [InlineData("host.example.com", "example.com", "host.example.com.")]
    [InlineData("host.barexample.com", "example.com", "host.barexample.com.example.com.")]
    [InlineData("host.", "example.com", "host.example.com.")]     // Kea: a trailing dot does not stop the suffix
    [InlineData("host.", "example.com.", "host.example.com.")]
    [InlineData("host.example.com.", "example.com", "host.example.com.")]
    [InlineData("host.", "", "host.")]
    public void QualifyingAppendsTheSuffixOnce(string name, string suffix, string expected) =>
        Assert.Equal(expected, new DdnsParameters { QualifyingSuffix = suffix }.Qualify(name, trailingDot: true));

    [Theory]
    [InlineData("host.", "", "host")]
    [InlineData("host", "example.com", "host.example.com")]
    [InlineData("host.", "example.com", "host.example.com")]
    public void WithoutTrailingDotTheNameLosesIt(string name, string suffix, string expected) =>
        Assert.Equal(expected, new DdnsParameters { QualifyingSuffix = suffix }.Qualify(name, trailingDot: false));
}
