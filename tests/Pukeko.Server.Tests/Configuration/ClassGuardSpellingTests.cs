using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary>
/// <c>client-class</c> and <c>require-client-classes</c>, Kea 2.x's spellings of <c>client-classes</c> and
/// <c>evaluate-additional-classes</c>: applied at every level; deprecated only in a file written for Kea 3.x, which
/// hears of it under Kea 3.x's message ids, never as something unsupported.
/// </summary>
public sealed class ClassGuardSpellingTests
{
    private const string Kea3Socket = """ "control-sockets": [ { "socket-type": "unix", "socket-name": "kea6-ctrl-socket" } ], """;

    private const string OldSpellings = """
        "shared-networks": [ { "name": "n", "client-class": "a", "require-client-classes": [ "x" ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "client-class": "b", "require-client-classes": [ "y" ],
                "pools": [ { "pool": "2001:db8:1::/120", "client-class": "c", "require-client-classes": [ "z" ] } ],
                "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 64, "client-class": "d" } ] } ] } ]
        """;

    private static readonly string[] GuardPaths =
    [
        "Dhcp6/shared-networks[0]/client-class",
        "Dhcp6/shared-networks[0]/subnet6[0]/client-class",
        "Dhcp6/shared-networks[0]/subnet6[0]/pools[0]/client-class",
        "Dhcp6/shared-networks[0]/subnet6[0]/pd-pools[0]/client-class",
    ];

    private static readonly string[] AdditionalPaths =
    [
        "Dhcp6/shared-networks[0]/require-client-classes",
        "Dhcp6/shared-networks[0]/subnet6[0]/require-client-classes",
        "Dhcp6/shared-networks[0]/subnet6[0]/pools[0]/require-client-classes",
    ];

    [Fact]
    public void AKea2FileUsesThemWithoutAWarning()
    {
        var result = Load(Dhcp6(OldSpellings));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);

        var subnet = Assert.Single(result.Config!.Subnets);
        Assert.Equal(["b"], subnet.ClientClasses);
        Assert.Equal(["y"], subnet.AdditionalClasses);
        Assert.Equal(["a"], subnet.SharedNetwork!.ClientClasses);
        Assert.Equal(["x"], subnet.SharedNetwork.AdditionalClasses);
        Assert.Equal(["c"], subnet.Pools[0].ClientClasses);
        Assert.Equal(["z"], subnet.Pools[0].AdditionalClasses);
        Assert.Equal(["d"], subnet.PdPools[0].ClientClasses);
    }

    [Fact]
    public void AKea3FileHearsTheyAreDeprecatedButApplied()
    {
        var result = Load(Dhcp6(Kea3Socket + OldSpellings));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(["b"], result.Config!.Subnets[0].ClientClasses);
        foreach (var path in GuardPaths)
        {
            var warning = Assert.Single(result.Warnings, w => w.Path == path);
            Assert.Equal("DHCPSRV_CLIENT_CLASS_DEPRECATED", warning.LogId);
            Assert.Contains("deprecated since Kea 3.0", warning.Message, StringComparison.Ordinal);
            Assert.Contains("applied as 'client-classes'", warning.Message, StringComparison.Ordinal);
        }

        foreach (var path in AdditionalPaths)
        {
            var warning = Assert.Single(result.Warnings, w => w.Path == path);
            Assert.Equal("DHCPSRV_REQUIRE_CLIENT_CLASSES_DEPRECATED", warning.LogId);
            Assert.Contains("applied as 'evaluate-additional-classes'", warning.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(result.Warnings, w => w.LogId == "DHCP6_CONFIG_UNSUPPORTED_OBJECT" && w.Path.Contains("class", StringComparison.Ordinal));
    }

    [Fact]
    public void BothSpellingsAtOneLevelAreAnError()
    {
        // Kea 3.x refuses a subnet, shared network, pool or pd-pool that gives its guard (or its additional classes)
        // both ways; the error names the old key.
        var result = Load(Dhcp6("""
            "shared-networks": [ { "name": "n", "client-class": "a", "client-classes": [ "a" ],
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "client-class": "b", "client-classes": [ "b" ],
                    "require-client-classes": [ "y" ], "evaluate-additional-classes": [ "y" ],
                    "pools": [ { "pool": "2001:db8:1::/120", "client-class": "c", "client-classes": [ "c" ] } ],
                    "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 64,
                                    "client-class": "d", "client-classes": [ "d" ] } ] } ] } ]
            """));
        foreach (var path in GuardPaths)
        {
            AssertError(result, path, "cannot specify both 'client-class' and 'client-classes'");
        }

        AssertError(result, "Dhcp6/shared-networks[0]/subnet6[0]/require-client-classes", "cannot specify both 'require-client-classes' and 'evaluate-additional-classes'");
    }

    [Fact]
    public void EachSpellingAloneAtItsOwnLevelIsFine()
    {
        var result = Load(Dhcp6("""
            "shared-networks": [ { "name": "n", "client-class": "a",
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "client-classes": [ "b" ],
                    "pools": [ { "pool": "2001:db8:1::/120", "client-class": "c" } ] } ] } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
    }
}
