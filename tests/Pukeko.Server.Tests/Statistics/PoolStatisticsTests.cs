using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Statistics;

public sealed class PoolStatisticsTests
{
    [Fact]
    public void Pools_sharing_a_pool_id_are_one_scope_whose_sizes_and_leases_add_up()
    {
        // Kea adds each pool's capacity to its pool-id's total; pools without a pool-id all share pool[0].
        using var h = PipelineHarness.FromDhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
              "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" }, { "pool": "2001:db8:1::1000/120" },
                         { "pool": "2001:db8:1::2000/120", "pool-id": 7 } ],
              "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 },
                            { "prefix": "2001:db8:9000::", "prefix-len": 48, "delegated-len": 56 } ] } ]
            """);
        foreach (var (address, type, length) in new[] { ("2001:db8:1::150", LeaseType.NA, 128), ("2001:db8:1::1005", LeaseType.NA, 128), ("2001:db8:9000:100::", LeaseType.PD, 56) })
        {
            Assert.True(h.Store.Add(new Lease6
            {
                Address = Ipv6Address.Parse(address), Type = type, PrefixLength = (byte)length, Duid = [1, 2, 3], Iaid = 1,
                ValidLifetime = 100, PreferredLifetime = 50, Cltt = 1000, SubnetId = 1,
            }));
        }

        h.Leases.Recount(h.Config.Subnets, h.Store, 0);

        Assert.Equal(768, h.Statistics.Value("subnet[1].total-nas"));
        Assert.Equal(512, h.Statistics.Value("subnet[1].pool[0].total-nas"));
        Assert.Equal(2, h.Statistics.Value("subnet[1].pool[0].assigned-nas"));
        Assert.Equal(256, h.Statistics.Value("subnet[1].pool[7].total-nas"));
        Assert.Equal(0, h.Statistics.Value("subnet[1].pool[7].assigned-nas"));
        Assert.Equal(512, h.Statistics.Value("subnet[1].pd-pool[0].total-pds"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].pd-pool[0].assigned-pds"));
    }
}
