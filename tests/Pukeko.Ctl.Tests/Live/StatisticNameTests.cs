using Pukeko.Ctl.Live;

namespace Pukeko.Ctl.Tests.Live;

public sealed class StatisticNameTests
{
    [Theory]
    [InlineData("pkt6-received", "pkt6-received", null, null, 0u)]
    [InlineData("subnet[1].assigned-nas", "assigned-nas", 1u, null, 0u)]
    [InlineData("subnet[42].pool[0].total-nas", "total-nas", 42u, "pool", 0u)]
    [InlineData("subnet[3].pd-pool[7].assigned-pds", "assigned-pds", 3u, "pd-pool", 7u)]
    [InlineData("subnet[1].v6-ia-na-lease-reuses", "v6-ia-na-lease-reuses", 1u, null, 0u)]
    public void Takes_keas_names_apart(string text, string name, uint? subnet, string? pool, uint poolId)
    {
        Assert.True(StatisticName.TryParse(text, out var parsed));
        var kind = pool switch { "pool" => PoolKind.Address, "pd-pool" => PoolKind.Prefix, _ => (PoolKind?)null };
        Assert.Equal(new StatisticName(name, subnet, kind, poolId), parsed);
        Assert.Equal(text, parsed.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("subnet[x].assigned-nas")]
    [InlineData("subnet[].assigned-nas")]
    [InlineData("subnet[1]")]
    [InlineData("subnet[1].")]
    [InlineData("subnet[1].pool[2]")]
    [InlineData("subnet[1].pool[2].")]
    [InlineData("subnet[1].pool[-2].total-nas")]
    [InlineData("subnet[1].other[2].total-nas")]
    [InlineData("network[1].total-nas")]
    public void Refuses_names_that_are_not_keas(string text) => Assert.False(StatisticName.TryParse(text, out _));
}
