using System.Text.Json.Nodes;
using Pukeko.Ctl.Live;

namespace Pukeko.Ctl.Tests.Live;

public sealed class ServerLayoutTests
{
    [Fact]
    public void Reads_subnets_and_pools_from_config_get_including_shared_networks()
    {
        var arguments = JsonNode.Parse("""
            {
              "Dhcp6": {
                "subnet6": [
                  {
                    "id": 2, "subnet": "2001:db8:2::/64",
                    "pools": [{ "pool": "2001:db8:2::10 - 2001:db8:2::ff" }, { "pool": "2001:db8:2::1:0/112" }, { "pool": "2001:db8:2::2:0/112", "pool-id": 5 }],
                    "pd-pools": [{ "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 }]
                  }
                ],
                "shared-networks": [{ "name": "lan", "subnet6": [{ "id": 1, "subnet": "2001:db8:1::/64" }] }]
              },
              "hash": "abc"
            }
            """)!.AsObject();

        var layout = ServerLayout.Parse(arguments);

        Assert.Equal([1u, 2u], layout.Subnets.Select(s => s.Id));
        Assert.Equal("2001:db8:1::/64", layout.Subnets[0].Prefix);
        Assert.Empty(layout.Subnets[0].Pools);
        var pools = layout.Subnets[1].Pools;
        Assert.Equal(3, pools.Count);

        // Pools without a pool-id share Kea's statistics scope pool[0].
        Assert.Equal(new PoolLayout(PoolKind.Address, 0, ["2001:db8:2::10-2001:db8:2::ff", "2001:db8:2::1:0/112"]).Label, pools[0].Label);
        Assert.Equal((PoolKind.Address, 5u, "2001:db8:2::2:0/112"), (pools[1].Kind, pools[1].PoolId, pools[1].Label));
        Assert.Equal((PoolKind.Prefix, 0u, "2001:db8:8000::/48 (/56)"), (pools[2].Kind, pools[2].PoolId, pools[2].Label));
    }

    [Fact]
    public void Without_a_dhcp6_map_there_is_nothing_to_label() =>
        Assert.Empty(ServerLayout.Parse(new JsonObject { ["Dhcp4"] = new JsonObject() }).Subnets);
}
