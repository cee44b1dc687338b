using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class SubnetIdTests
{
    [Fact]
    public void MissingIdsAreAssignedAfterExplicitOnesWithoutDuplicates()
    {
        var config = LoadOk(Dhcp6("""
            "subnet6": [
              { "subnet": "2001:db8:a::/64" },
              { "id": 1, "subnet": "2001:db8:b::/64" },
              { "subnet": "2001:db8:c::/64" },
              { "id": 3, "subnet": "2001:db8:d::/64" },
              { "subnet": "2001:db8:e::/64" }
            ]
            """));
        Assert.Equal([2u, 1u, 4u, 3u, 5u], config.Subnets.Select(s => s.Id));
        Assert.Equal(4u, config.FindSubnet(4)!.Id);
        Assert.Equal("2001:db8:c::/64", config.FindSubnet(4)!.Prefix.ToString());
        Assert.Null(config.FindSubnet(99));
    }

    [Fact]
    public void IdZeroMeansAssignAutomatically()
    {
        // Kea's subnet defaults give "id": 0 the meaning "autogenerate".
        var config = LoadOk(Dhcp6("""
            "subnet6": [ { "id": 0, "subnet": "2001:db8:a::/64" }, { "id": 1, "subnet": "2001:db8:b::/64" } ]
            """));
        Assert.Equal([2u, 1u], config.Subnets.Select(s => s.Id));
    }

    [Fact]
    public void AllMissingIdsCountFromOne()
    {
        var config = LoadOk(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8:a::/64" }, { "subnet": "2001:db8:b::/64" } ]
            """));
        Assert.Equal([1u, 2u], config.Subnets.Select(s => s.Id));
    }
}
