using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Network.NetworkMessages;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Network;

public class AllocatorTests
{
    private static Duid Client(int n) => Duid.CreateLl(1, [0, 0, 0, 0, (byte)(n >> 8), (byte)n]);

    [Fact]
    public void TheRandomAllocatorHandsOutEveryAddressOnceInAShuffledOrder()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "allocator": "random",
            "subnet6": [ { "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/122" } ] } ]
            """);
        var got = new List<Ipv6Address>();
        for (var i = 0; i < 64; i++)
        {
            var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Client(i)));
            got.Add(AddressOf(reply!)!.Address);
        }

        Assert.Equal(64, got.Distinct().Count());
        Assert.All(got, a => Assert.True(Ipv6Prefix.Parse("2001:db8:1::/122").Contains(a)));

        // One chance in 64! that a shuffle comes out in order.
        Assert.NotEqual(got.OrderBy(a => a).ToList(), got);

        var (full, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Client(999)));
        Assert.Null(AddressOf(full!));
    }

    [Fact]
    public void TheRandomPdAllocatorHandsOutDistinctPrefixes()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "pd-allocator": "random",
            "subnet6": [ { "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 60 } ] } ]
            """);
        var got = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Client(i)));
            got.Add(PrefixText(Assert.Single(Prefixes(reply!))));
        }

        Assert.Equal(16, got.Distinct().Count());
        Assert.All(got, p => Assert.EndsWith("/60", p, StringComparison.Ordinal));
    }
}
