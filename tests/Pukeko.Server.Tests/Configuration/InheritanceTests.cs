using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class InheritanceTests
{
    private static readonly DhcpConfig Config = LoadOk(Dhcp6("""
        "min-valid-lifetime": 1000, "valid-lifetime": 4000, "max-valid-lifetime": 8000,
        "preferred-lifetime": 3000,
        "renew-timer": 1000, "rebind-timer": 2000,
        "calculate-tee-times": false, "t1-percent": 0.4, "t2-percent": 0.7,
        "subnet6": [
          { "id": 1, "subnet": "2001:db8:1::/64" },
          { "id": 2, "subnet": "2001:db8:2::/64",
            "valid-lifetime": 600, "max-valid-lifetime": 900,
            "min-preferred-lifetime": 100, "preferred-lifetime": 300,
            "renew-timer": 150, "rebind-timer": 250,
            "calculate-tee-times": true, "t1-percent": 0.25, "t2-percent": 0.5,
            "rapid-commit": true, "interface": "eth2" }
        ]
        """));

    [Fact]
    public void SubnetWithoutOwnValuesInheritsGlobalOnes()
    {
        var s = Config.Subnets[0];
        Assert.Equal(new Lifetime(1000, 4000, 8000), s.ValidLifetime);
        Assert.Equal(new Lifetime(3000, 3000, 3000), s.PreferredLifetime);
        Assert.Equal(1000u, s.RenewTimer);
        Assert.Equal(2000u, s.RebindTimer);
        Assert.False(s.CalculateTeeTimes);
        Assert.Equal(0.4, s.T1Percent);
        Assert.Equal(0.7, s.T2Percent);
    }

    [Fact]
    public void SubnetValuesOverrideGlobalOnesAsAWholeTriplet()
    {
        var s = Config.Subnets[1];

        // The subnet sets its own triplet, so the global min (1000) does not leak in: min defaults to the value.
        Assert.Equal(new Lifetime(600, 600, 900), s.ValidLifetime);
        Assert.Equal(new Lifetime(100, 300, 300), s.PreferredLifetime);
        Assert.Equal(150u, s.RenewTimer);
        Assert.Equal(250u, s.RebindTimer);
        Assert.True(s.CalculateTeeTimes);
        Assert.Equal(0.25, s.T1Percent);
        Assert.Equal(0.5, s.T2Percent);
        Assert.True(s.RapidCommit);
        Assert.Equal("eth2", s.Interface);
    }

    [Fact]
    public void DerivedPreferredFollowsTheSubnetsOwnValidLifetime()
    {
        var config = LoadOk(Dhcp6("""
            "valid-lifetime": 8000,
            "subnet6": [ { "subnet": "2001:db8:1::/64" }, { "subnet": "2001:db8:2::/64", "valid-lifetime": 1600 } ]
            """));
        Assert.Equal(5000u, config.Subnets[0].PreferredLifetime.Default);
        Assert.Equal(1000u, config.Subnets[1].PreferredLifetime.Default);
    }

    [Fact]
    public void GlobalPreferredWinsOverDerivation()
    {
        var config = LoadOk(Dhcp6("""
            "preferred-lifetime": 1234,
            "subnet6": [ { "subnet": "2001:db8:2::/64", "valid-lifetime": 1600 } ]
            """));
        Assert.Equal(Lifetime.Fixed(1234), config.Subnets[0].PreferredLifetime);
    }

    [Fact]
    public void SubnetTimerIsCheckedAgainstInheritedTimer()
    {
        LoadFails(Dhcp6("""
            "rebind-timer": 100,
            "subnet6": [ { "subnet": "2001:db8::/64", "renew-timer": 200 } ]
            """), "Dhcp6/subnet6[0]/renew-timer", "must not be greater than rebind-timer (100)");
    }
}
