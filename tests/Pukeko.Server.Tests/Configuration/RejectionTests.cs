using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class RejectionTests
{
    private static string Subnets(string subnets) => Dhcp6($"\"subnet6\": [ {subnets} ]");

    [Theory]
    [InlineData("2001:db8::/129", "not a valid prefix length")]
    [InlineData("2001:db8::", "not a prefix")]
    [InlineData("192.0.2.0/24", "not a valid IPv6 address")]
    [InlineData("zz::/64", "not a valid IPv6 address")]
    public void BadSubnetPrefix(string prefix, string fragment) =>
        LoadFails(Subnets($"{{ \"subnet\": \"{prefix}\" }}"), "Dhcp6/subnet6[0]/subnet", fragment);

    [Fact]
    public void MissingSubnetPrefix() =>
        LoadFails(Subnets("""{ "id": 1 }"""), "Dhcp6/subnet6[0]", "missing mandatory parameter 'subnet'");

    [Fact]
    public void PoolOutsideItsSubnet() =>
        LoadFails(Subnets("""
            { "subnet": "2001:db8::/64" },
            { "subnet": "2001:db8:1::/64" },
            { "subnet": "2001:db8:2::/64", "pools": [ { "pool": "2001:db9::1 - 2001:db9::5" } ] }
            """), "Dhcp6/subnet6[2]/pools[0]/pool", "pool 2001:db9::1-2001:db9::5 is outside subnet 2001:db8:2::/64");

    [Fact]
    public void PoolPartlyOutsideItsSubnet() =>
        LoadFails(Subnets("""
            { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::1-2001:db8:0:1::1" } ] }
            """), "Dhcp6/subnet6[0]/pools[0]/pool", "is outside subnet 2001:db8::/64");

    [Fact]
    public void PrefixPoolOutsideItsSubnet() =>
        LoadFails(Subnets("""
            { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::/48" } ] }
            """), "Dhcp6/subnet6[0]/pools[0]/pool", "pool 2001:db8::/48 is outside subnet 2001:db8::/64");

    [Fact]
    public void ReversedPoolRange() =>
        LoadFails(Subnets("""
            { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::20-2001:db8::10" } ] }
            """), "Dhcp6/subnet6[0]/pools[0]/pool", "reversed");

    [Theory]
    [InlineData("2001:db8::1", "expected 'first - last' or 'prefix/length'")]
    [InlineData("2001:db8::1-", "is not a valid IPv6 address")]
    [InlineData("2001:db8::1-2001:db8::2-2001:db8::3", "expected 'first - last'")]
    public void MalformedPool(string pool, string fragment) =>
        LoadFails(Subnets($$"""{ "subnet": "2001:db8::/64", "pools": [ { "pool": "{{pool}}" } ] }"""),
            "Dhcp6/subnet6[0]/pools[0]/pool", fragment);

    [Fact]
    public void MissingPoolKey() =>
        LoadFails(Subnets("""{ "subnet": "2001:db8::/64", "pools": [ { "pool-id": 1 } ] }"""),
            "Dhcp6/subnet6[0]/pools[0]", "missing mandatory parameter 'pool'");

    [Fact]
    public void OverlappingPoolsWithinASubnet()
    {
        var result = LoadFails(Subnets("""
            { "subnet": "2001:db8::/64", "pools": [
                { "pool": "2001:db8::100/120" },
                { "pool": "2001:db8::10-2001:db8::20" },
                { "pool": "2001:db8::1f0 - 2001:db8::2ff" } ] }
            """), "Dhcp6/subnet6[0]/pools[2]/pool", "overlaps with pool 2001:db8::100/120 (Dhcp6/subnet6[0]/pools[0])");
        Assert.Single(result.Errors);
    }

    [Fact]
    public void SamePoolInDifferentSubnetsIsNotAnOverlapError()
    {
        // Overlap is checked per subnet; the pools here are in different subnets and the second is simply outside.
        var result = Load(Subnets("""
            { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::1-2001:db8::9" } ] },
            { "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::9" } ] }
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
    }

    [Fact]
    public void DuplicateSubnetId() =>
        LoadFails(Subnets("""
            { "id": 5, "subnet": "2001:db8:1::/64" },
            { "id": 5, "subnet": "2001:db8:2::/64" }
            """), "Dhcp6/subnet6[1]/id", "subnet id 5 is already used by Dhcp6/subnet6[0]");

    [Theory]
    [InlineData("4294967295")]
    [InlineData("-3")]
    public void SubnetIdOutOfRange(string id) =>
        LoadFails(Subnets($"{{ \"id\": {id}, \"subnet\": \"2001:db8::/64\" }}"), "Dhcp6/subnet6[0]/id", "out of range 0..4294967294");

    [Fact]
    public void DuplicateSubnetPrefix() =>
        LoadFails(Subnets("""
            { "subnet": "2001:db8:1::/64" },
            { "subnet": "2001:db8:1:0::/64" }
            """), "Dhcp6/subnet6[1]/subnet", "subnet 2001:db8:1::/64 is already defined by Dhcp6/subnet6[0]");

    [Theory]
    [InlineData("valid-lifetime", "-1")]
    [InlineData("preferred-lifetime", "4294967296")]
    [InlineData("max-valid-lifetime", "99999999999999999999999")]
    [InlineData("renew-timer", "-5")]
    [InlineData("decline-probation-period", "4294967296")]
    public void LifetimeOutOfRange(string key, string value)
    {
        LoadFails(Dhcp6($"\"{key}\": {value}"), $"Dhcp6/{key}", "out of range 0..4294967295");
        LoadFails(Subnets($"{{ \"subnet\": \"2001:db8::/64\", \"{key.Replace("decline-probation-period", "rebind-timer", StringComparison.Ordinal)}\": {value} }}"),
            $"Dhcp6/subnet6[0]/{key.Replace("decline-probation-period", "rebind-timer", StringComparison.Ordinal)}", "out of range 0..4294967295");
    }

    [Fact]
    public void FractionalLifetime() =>
        LoadFails(Dhcp6("\"valid-lifetime\": 10.5"), "Dhcp6/valid-lifetime", "expected an integer");

    [Fact]
    public void MinGreaterThanDefault() =>
        LoadFails(Dhcp6("\"min-valid-lifetime\": 500, \"valid-lifetime\": 400"),
            "Dhcp6/min-valid-lifetime", "min-valid-lifetime (500) must not be greater than valid-lifetime (400)");

    [Fact]
    public void DefaultGreaterThanMax() =>
        LoadFails(Subnets("""{ "subnet": "2001:db8::/64", "preferred-lifetime": 400, "max-preferred-lifetime": 300 }"""),
            "Dhcp6/subnet6[0]/max-preferred-lifetime", "preferred-lifetime (400) must not be greater than max-preferred-lifetime (300)");

    [Fact]
    public void MinGreaterThanMaxWithoutDefault() =>
        LoadFails(Dhcp6("\"min-valid-lifetime\": 500, \"max-valid-lifetime\": 400"),
            "Dhcp6/max-valid-lifetime", "must not be greater than max-valid-lifetime (400)");

    [Theory]
    [InlineData("\"t1-percent\": 0.8, \"t2-percent\": 0.8", "Dhcp6/t1-percent", "t1-percent (0.8) must be less than t2-percent (0.8)")]
    [InlineData("\"t1-percent\": 0.9", "Dhcp6/t1-percent", "t1-percent (0.9) must be less than t2-percent (0.8)")]
    [InlineData("\"t1-percent\": 0", "Dhcp6/t1-percent", "must be greater than 0 and less than 1")]
    [InlineData("\"t2-percent\": 1.0", "Dhcp6/t2-percent", "must be greater than 0 and less than 1")]
    [InlineData("\"t2-percent\": -0.2", "Dhcp6/t2-percent", "must be greater than 0 and less than 1")]
    [InlineData("\"t1-percent\": \"half\"", "Dhcp6/t1-percent", "expected a number, got string")]
    public void BadTeePercents(string body, string path, string fragment) => LoadFails(Dhcp6(body), path, fragment);

    [Fact]
    public void SubnetTeePercentsCheckedAgainstInherited() =>
        LoadFails(Dhcp6("""
            "t2-percent": 0.6, "subnet6": [ { "subnet": "2001:db8::/64", "t1-percent": 0.7 } ]
            """), "Dhcp6/subnet6[0]/t1-percent", "t1-percent (0.7) must be less than t2-percent (0.6)");

    [Fact]
    public void TeePercentOrderIgnoredWhenNotCalculating() =>
        LoadOk(Dhcp6("\"calculate-tee-times\": false, \"t1-percent\": 0.9, \"t2-percent\": 0.5"));

    [Fact]
    public void RenewGreaterThanRebind() =>
        LoadFails(Dhcp6("\"renew-timer\": 2000, \"rebind-timer\": 1000"),
            "Dhcp6/renew-timer", "renew-timer (2000) must not be greater than rebind-timer (1000)");

    [Fact]
    public void UnknownOptionName() =>
        LoadFails(Dhcp6("""
            "option-data": [ { "name": "dns-servers", "data": "2001:db8::1" }, { "name": "no-such-option", "data": "1" } ]
            """), "Dhcp6/option-data[1]/name", "definition for the option 'dhcp6.no-such-option' having code '0' does not exist");

    [Fact]
    public void BadOptionDataIncludesTheEncodersReason()
    {
        var result = LoadFails(Subnets("""
            { "subnet": "2001:db8::/64", "option-data": [ { "name": "dns-servers", "data": "2001:db8::1, not-an-address" } ] }
            """), "Dhcp6/subnet6[0]/option-data[0]/data", "invalid data '2001:db8::1, not-an-address' for option dns-servers");

        // The encoder's own explanation is kept (both the placeholder and the full encoder name the bad value).
        Assert.Contains("not-an-address", result.Errors[0].Message.Split(": ", 2)[1], StringComparison.Ordinal);
    }

    [Fact]
    public void BadHexOptionData() =>
        LoadFails(Dhcp6("""
            "option-data": [ { "code": 65000, "data": "0xZZ" } ]
            """), "Dhcp6/option-data[0]/data", "(hex expected)");

    [Fact]
    public void OptionCodeNameMismatch() =>
        LoadFails(Dhcp6("""
            "option-data": [ { "name": "dns-servers", "code": 24, "data": "2001:db8::1" } ]
            """), "Dhcp6/option-data[0]/code", "does not match code 23");

    [Fact]
    public void OptionWithoutNameOrCode() =>
        LoadFails(Dhcp6("""
            "option-data": [ { "data": "01" } ]
            """), "Dhcp6/option-data[0]", "needs a 'name' or a 'code'");

    [Theory]
    [InlineData("\"valid-lifetime\": \"abc\"", "Dhcp6/valid-lifetime", "expected an integer, got string \"abc\"")]
    [InlineData("\"subnet6\": { }", "Dhcp6/subnet6", "expected a list, got map")]
    [InlineData("\"subnet6\": [ 3 ]", "Dhcp6/subnet6[0]", "expected a map, got number")]
    [InlineData("\"interfaces-config\": { \"interfaces\": \"eth0\" }", "Dhcp6/interfaces-config/interfaces", "expected a list, got string")]
    [InlineData("\"interfaces-config\": { \"interfaces\": [ 1 ] }", "Dhcp6/interfaces-config/interfaces[0]", "expected a string, got number")]
    [InlineData("\"server-tag\": 5", "Dhcp6/server-tag", "expected a string")]
    [InlineData("\"lease-database\": { \"type\": \"memfile\", \"persist\": \"yes\" }", "Dhcp6/lease-database/persist", "expected a boolean or \"true\"/\"false\"")]
    [InlineData("\"lease-database\": { \"type\": \"memfile\", \"lfc-interval\": true }", "Dhcp6/lease-database/lfc-interval", "expected an integer, got boolean")]
    [InlineData("\"multi-threading\": { \"enable-multi-threading\": \"true\" }", "Dhcp6/multi-threading/enable-multi-threading", "expected a boolean, got string")]
    [InlineData("\"server-id\": { \"type\": \"llt\" }", "Dhcp6/server-id/type", "invalid server-id type 'llt'")]
    [InlineData("\"server-id\": { \"identifier\": \"xyz\" }", "Dhcp6/server-id/identifier", "hexadecimal")]
    [InlineData("\"server-id\": { \"htype\": 70000 }", "Dhcp6/server-id/htype", "out of range 0..65535")]
    [InlineData("\"expired-leases-processing\": { \"max-reclaim-time\": null }", "Dhcp6/expired-leases-processing/max-reclaim-time", "expected an integer, got null")]
    [InlineData("\"option-data\": [ { \"code\": 0, \"data\": \"\" } ]", "Dhcp6/option-data[0]/code", "out of range 1..65535")]
    [InlineData("\"option-data\": [ { \"name\": \"dns-servers\", \"csv-format\": \"yes\" } ]", "Dhcp6/option-data[0]/csv-format", "expected a boolean")]
    [InlineData("\"subnet6\": [ { \"subnet\": \"2001:db8::/64\", \"rapid-commit\": 1 } ]", "Dhcp6/subnet6[0]/rapid-commit", "expected a boolean, got number")]
    [InlineData("\"subnet6\": [ { \"subnet\": \"2001:db8::/64\", \"pools\": [ { \"pool\": \"2001:db8::/120\", \"pool-id\": \"1\" } ] } ]", "Dhcp6/subnet6[0]/pools[0]/pool-id", "expected an integer")]
    public void WrongJsonType(string body, string path, string fragment) => LoadFails(Dhcp6(body), path, fragment);

    [Theory]
    [InlineData("\"interfaces-config\": { \"interfaces\": [ \"eth0/not-an-address\" ] }", "Dhcp6/interfaces-config/interfaces[0]", "not a valid IPv6 address")]
    [InlineData("\"interfaces-config\": { \"interfaces\": [ \"/2001:db8::1\" ] }", "Dhcp6/interfaces-config/interfaces[0]", "empty interface name")]
    [InlineData("\"interfaces-config\": { \"interfaces\": [ \"eth0/ff02::1:2\" ] }", "Dhcp6/interfaces-config/interfaces[0]", "not a unicast address")]
    [InlineData("\"interfaces-config\": { \"interfaces\": [ \"*\", \"eth0\", \"*\" ] }", "Dhcp6/interfaces-config/interfaces[2]", "the wildcard interface '*' can only be specified once")]
    [InlineData("\"interfaces-config\": { \"interfaces\": [ \"eth0\", \"eth0/2001:db8::1\", \" eth0 \" ] }", "Dhcp6/interfaces-config/interfaces[2]", "interface 'eth0' has already been specified")]
    [InlineData("\"interfaces-config\": { \"interfaces\": [ \"eth0/2001:db8::1\", \"eth0/2001:db8:0::1\" ] }", "Dhcp6/interfaces-config/interfaces[1]", "must not select address '2001:db8::1' for interface 'eth0' because this address is already selected")]
    [InlineData("\"lease-database\": { \"type\": \"mysql\", \"name\": \"kea\" }", "Dhcp6/lease-database/type", "not supported (memfile or postgresql)")]
    [InlineData("\"lease-database\": { \"type\": \"postgresql\" }", "Dhcp6/lease-database", "missing mandatory parameter 'name'")]
    [InlineData("\"lease-database\": { \"type\": \"postgresql\", \"name\": \"kea\", \"port\": 70000 }", "Dhcp6/lease-database/port", "out of range 0..65535")]
    [InlineData("\"lease-database\": { \"type\": \"cassandra\" }", "Dhcp6/lease-database/type", "unknown lease database type")]
    [InlineData("\"lease-database\": { \"persist\": false }", "Dhcp6/lease-database", "missing mandatory parameter 'type'")]
    [InlineData("\"loggers\": [ { \"name\": \"kea-dhcp6\", \"severity\": \"LOUD\" } ]", "Dhcp6/loggers[0]/severity", "invalid severity 'LOUD'")]
    [InlineData("\"loggers\": [ { \"name\": \"kea-dhcp6\", \"debuglevel\": 100 } ]", "Dhcp6/loggers[0]/debuglevel", "out of range 0..99")]
    [InlineData("\"loggers\": [ { \"severity\": \"INFO\" } ]", "Dhcp6/loggers[0]", "missing mandatory parameter 'name'")]
    [InlineData("\"loggers\": [ { \"name\": \"x\", \"output-options\": [ { \"flush\": true } ] } ]", "Dhcp6/loggers[0]/output-options[0]", "missing mandatory parameter 'output'")]
    [InlineData("\"hooks-libraries\": [ { \"library\": \"/x.so\", \"param\": {} } ]", "Dhcp6/hooks-libraries[0]/param", "unknown hooks library parameter 'param'")]
    [InlineData("\"hooks-libraries\": [ { \"library\": \"/x.so\", \"comment\": \"c\" } ]", "Dhcp6/hooks-libraries[0]/comment", "unknown hooks library parameter 'comment'")]
    [InlineData("\"hooks-libraries\": [ { \"parameters\": {} } ]", "Dhcp6/hooks-libraries[0]", "missing mandatory parameter 'library'")]
    [InlineData("\"hooks-libraries\": [ { \"library\": 7 } ]", "Dhcp6/hooks-libraries[0]/library", "expected a string")]
    public void InvalidSectionValues(string body, string path, string fragment) => LoadFails(Dhcp6(body), path, fragment);

    [Theory]
    [InlineData("\"valid-lifetim\": 100", "Dhcp6/valid-lifetim", "unknown parameter 'valid-lifetim' in Dhcp6")]
    [InlineData("\"subnet6\": [ { \"subnet\": \"2001:db8::/64\", \"pool\": \"x\" } ]", "Dhcp6/subnet6[0]/pool", "unknown parameter 'pool' in subnet6")]
    [InlineData("\"subnet6\": [ { \"subnet\": \"2001:db8::/64\", \"pools\": [ { \"pool\": \"2001:db8::/120\", \"prefix\": \"x\" } ] } ]", "Dhcp6/subnet6[0]/pools[0]/prefix", "unknown parameter 'prefix' in pools")]
    [InlineData("\"rapid-commit\": true", "Dhcp6/rapid-commit", "unknown parameter")]
    [InlineData("\"next-server\": \"192.0.2.1\"", "Dhcp6/next-server", "unknown parameter")]
    [InlineData("\"lease-database\": { \"type\": \"memfile\", \"path\": \"/x\" }", "Dhcp6/lease-database/path", "unknown parameter 'path' in lease-database")]
    [InlineData("\"server-id\": { \"duid\": \"00\" }", "Dhcp6/server-id/duid", "unknown parameter")]
    [InlineData("\"multi-threading\": { \"threads\": 2 }", "Dhcp6/multi-threading/threads", "unknown parameter")]
    [InlineData("\"option-data\": [ { \"name\": \"dns-servers\", \"value\": \"x\" } ]", "Dhcp6/option-data[0]/value", "unknown parameter")]
    [InlineData("\"valid-lifetime\": 100, \"valid-lifetime\": 200", "Dhcp6/valid-lifetime", "duplicate key")]
    public void UnknownKeysAreErrors(string body, string path, string fragment) => LoadFails(Dhcp6(body), path, fragment);

    [Fact]
    public void MissingDhcp6IsAnError()
    {
        var result = Load("""{ "Dhcp4": { } }""");
        AssertError(result, "Dhcp6", "missing mandatory 'Dhcp6' map");
        Assert.Null(result.Config);
    }

    [Fact]
    public void UnknownTopLevelObjectIsAnError() =>
        AssertError(Load("""{ "Dhcp6": { }, "Dhcp7": { } }"""), "Dhcp7", "unknown top-level object");

    [Fact]
    public void NonMapDocumentIsAnError() =>
        Assert.Contains("must be a map", Assert.Single(Load("[]").Errors).Message, StringComparison.Ordinal);

    [Fact]
    public void AllErrorsAreReportedTogether()
    {
        var result = Load(Dhcp6("""
            "valid-lifetime": "abc",
            "bogus": 1,
            "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db9::1-2001:db9::5" } ] },
              { "id": 1, "subnet": "2001:db8:2::/64", "t1-percent": 1.5 },
              { "subnet": "nonsense" }
            ],
            "option-data": [ { "name": "no-such-option" } ]
            """));
        Assert.False(result.Success);
        AssertError(result, "Dhcp6/valid-lifetime", "expected an integer");
        AssertError(result, "Dhcp6/bogus", "unknown parameter");
        AssertError(result, "Dhcp6/subnet6[0]/pools[0]/pool", "outside subnet");
        AssertError(result, "Dhcp6/subnet6[1]/id", "already used");
        AssertError(result, "Dhcp6/subnet6[1]/t1-percent", "less than 1");
        AssertError(result, "Dhcp6/subnet6[2]/subnet", "invalid subnet prefix");
        AssertError(result, "Dhcp6/option-data[0]/name", "does not exist");
        Assert.Equal(7, result.Errors.Count);
    }

    [Fact]
    public void ErrorToStringIsPathColonMessage() =>
        Assert.Equal("Dhcp6/valid-lifetime: expected an integer, got string \"abc\"",
            Assert.Single(Load(Dhcp6("\"valid-lifetime\": \"abc\"")).Errors).ToString());
}
