using Pukeko.Server.Hosting;
using Pukeko.Server.Tests.Configuration;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Pipeline;

public sealed class PipelineWarmupTests
{
    private const string Subnet = """
        "interfaces-config": { "interfaces": [ "eth0" ] },
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                       "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
                       "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56 } ] } ]
        """;

    [Fact]
    public void EveryWarmupExchangeIsAnsweredDirectAndRelayed()
    {
        var config = ConfigTest.LoadOk(ConfigTest.Dhcp6(Subnet));

        // Solicit, Request, Renew, Rebind, Release and Information-request, relayed and direct.
        Assert.Equal(12, PipelineWarmup.Run(config, PipelineHarness.ServerDuid, TimeProvider.System));
    }

    [Fact]
    public void WarmupLeavesTheRealServersLeasesAndCountersAlone()
    {
        using var harness = PipelineHarness.FromDhcp6(Subnet);

        PipelineWarmup.Run(harness.Config, PipelineHarness.ServerDuid, TimeProvider.System);

        Assert.Empty(harness.Store.GetAll());
        Assert.Equal(0, harness.Packets.Received.Value);
    }

    [Fact]
    public void ASubnetOnlyReachableThroughRelaysStillWarmsUp()
    {
        var config = ConfigTest.LoadOk(ConfigTest.Dhcp6("""
            "subnet6": [ { "id": 7, "subnet": "2001:db8:7::/64", "pools": [ { "pool": "2001:db8:7::/80" } ] } ]
            """));

        Assert.Equal(6, PipelineWarmup.Run(config, PipelineHarness.ServerDuid, TimeProvider.System));
    }

    [Fact]
    public void NoSubnetsMeansNothingToWarm()
    {
        var config = ConfigTest.LoadOk(ConfigTest.Dhcp6("\"subnet6\": []"));

        Assert.Equal(0, PipelineWarmup.Run(config, PipelineHarness.ServerDuid, TimeProvider.System));
    }
}
