using CsCheck;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class PoolTests
{
    private static Ipv6Address A(string s) => Ipv6Address.Parse(s);

    [Theory]
    [InlineData("2001:db8::10 - 2001:db8::20")]
    [InlineData("2001:db8::10-2001:db8::20")]
    [InlineData("  2001:db8::10   -2001:db8::20 ")]
    public void RangeFormWithOrWithoutSpaces(string pool)
    {
        var subnet = Assert.Single(LoadOk(Dhcp6($$"""
            "subnet6": [ { "subnet": "2001:db8::/64", "pools": [ { "pool": "{{pool}}" } ] } ]
            """)).Subnets);
        var p = Assert.Single(subnet.Pools);
        Assert.Equal(A("2001:db8::10"), p.First);
        Assert.Equal(A("2001:db8::20"), p.Last);
        Assert.Equal((UInt128)17, p.Capacity);
        Assert.Equal(0u, p.PoolId);
    }

    [Fact]
    public void PrefixFormCoversTheWholePrefix()
    {
        var subnet = Assert.Single(LoadOk(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::100/120", "pool-id": 9 } ] } ]
            """)).Subnets);
        var p = Assert.Single(subnet.Pools);
        Assert.Equal(A("2001:db8::100"), p.First);
        Assert.Equal(A("2001:db8::1ff"), p.Last);
        Assert.Equal((UInt128)256, p.Capacity);
        Assert.Equal(9u, p.PoolId);
    }

    [Fact]
    public void SingleAddressPoolIsAllowed()
    {
        var subnet = Assert.Single(LoadOk(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::5-2001:db8::5" } ] } ]
            """)).Subnets);
        Assert.Equal(UInt128.One, Assert.Single(subnet.Pools).Capacity);
    }

    [Fact]
    public void PoolOptionsAreParsed()
    {
        var subnet = Assert.Single(LoadOk(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::/120",
              "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ] } ] } ]
            """)).Subnets);
        var option = Assert.Single(Assert.Single(subnet.Pools).Options);
        Assert.Equal((ushort)23, option.Code);
    }

    [Fact]
    public void FindPoolAndInRange()
    {
        var subnet = Assert.Single(LoadOk(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8::/64", "pools": [
              { "pool": "2001:db8::300-2001:db8::3ff", "pool-id": 3 },
              { "pool": "2001:db8::100-2001:db8::1ff", "pool-id": 1 },
              { "pool": "2001:db8::200/120", "pool-id": 2 } ] } ]
            """)).Subnets);
        Assert.Equal(1u, subnet.FindPool(A("2001:db8::100"))!.PoolId);
        Assert.Equal(2u, subnet.FindPool(A("2001:db8::2ff"))!.PoolId);
        Assert.Equal(3u, subnet.FindPool(A("2001:db8::3ff"))!.PoolId);
        Assert.Null(subnet.FindPool(A("2001:db8::ff")));
        Assert.Null(subnet.FindPool(A("2001:db8::400")));
        Assert.True(subnet.InRange(A("2001:db8::ffff:1")));
        Assert.False(subnet.InRange(A("2001:db8:1::1")));

        // Pools keep configuration order; the index is internal.
        Assert.Equal([3u, 1u, 2u], subnet.Pools.Select(p => p.PoolId));
    }

    [Fact]
    public void FindPoolAgreesWithALinearScan()
    {
        // Random disjoint pools inside 2001:db8::/64, random probes: the binary search must match a scan.
        var gen = Gen.UInt.Array[1, 12].Select(starts => starts.Distinct().Order().ToArray())
            .SelectMany(starts => Gen.UInt[0, 1000].Array[starts.Length].Select(lengths => (starts, lengths)));
        gen.Sample(t =>
        {
            var (starts, lengths) = t;
            var pools = new List<AddressPool>();
            var baseValue = Ipv6Prefix.Parse("2001:db8::/64").First.Value;
            for (var i = 0; i < starts.Length; i++)
            {
                var first = (UInt128)starts[i] * 2000;
                pools.Add(new AddressPool { First = new(baseValue + first), Last = new(baseValue + first + lengths[i]), PoolId = (uint)i });
            }

            var subnet = new Subnet6
            {
                Id = 1,
                Prefix = Ipv6Prefix.Parse("2001:db8::/64"),
                Pools = [.. pools.OrderByDescending(p => p.PoolId)],
                ValidLifetime = Lifetime.Fixed(1),
                PreferredLifetime = Lifetime.Fixed(1),
            };
            foreach (var pool in pools)
            {
                foreach (var probe in new[] { pool.First, pool.Last, new Ipv6Address(pool.Last.Value + 1), new Ipv6Address(pool.First.Value - 1) })
                {
                    var expected = pools.FirstOrDefault(p => p.Contains(probe));
                    Assert.Same(expected, subnet.FindPool(probe));
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void WholeSpacePoolCapacitySaturates()
    {
        var pool = new AddressPool { First = Ipv6Address.Any, Last = new Ipv6Address(UInt128.MaxValue) };
        Assert.Equal(UInt128.MaxValue, pool.Capacity);
    }
}
