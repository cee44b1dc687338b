using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Tests.Pipeline;

public sealed class PoolsUsedTests
{
    [Fact]
    public void Each_pool_is_kept_once_in_the_order_it_first_served()
    {
        var a = Pool("2001:db8::1:0", "2001:db8::1:ff");
        var b = Pool("2001:db8::2:0", "2001:db8::2:ff");
        var c = Pool("2001:db8::3:0", "2001:db8::3:ff");
        var pools = default(PoolsUsed);
        Assert.Equal(0, pools.Count);

        pools.Add(b);
        pools.Add(b);
        pools.Add(a);
        pools.Add(b);
        pools.Add(c);
        pools.Add(a);

        var seen = new List<ILeasePool>();
        foreach (var pool in pools)
        {
            seen.Add(pool);
        }

        Assert.Equal([b, a, c], seen);
        Assert.Equal(3, pools.Count);
    }

    private static AddressPool Pool(string first, string last) => new() { First = Ipv6Address.Parse(first), Last = Ipv6Address.Parse(last) };
}
