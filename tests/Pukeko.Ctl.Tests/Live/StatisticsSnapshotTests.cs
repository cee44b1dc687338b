using System.Text.Json.Nodes;
using Pukeko.Ctl.Live;

namespace Pukeko.Ctl.Tests.Live;

public sealed class StatisticsSnapshotTests
{
    [Fact]
    public void Takes_the_newest_sample_of_each_statistic()
    {
        var arguments = JsonNode.Parse("""
            {
              "pkt6-received": [[12, "2026-12-03 10:00:02.000000"], [10, "2026-12-03 10:00:01.000000"]],
              "subnet[1].pool[0].total-nas": [[256, "2026-12-03 10:00:00.000000"]],
              "odd": [["text", "2026-12-03 10:00:00.000000"]],
              "empty": [],
              "weird[name": [[1, "x"]]
            }
            """)!.AsObject();

        var snapshot = StatisticsSnapshot.Parse(arguments, TimeSpan.FromSeconds(5));

        Assert.Equal(12, snapshot.Value("pkt6-received"));
        Assert.Equal(256, snapshot.Value(new StatisticName("total-nas", 1, PoolKind.Address, 0)));
        Assert.Null(snapshot.Value("odd"));
        Assert.Null(snapshot.Value("empty"));
        Assert.Equal(2, snapshot.Names.Count());
        Assert.Equal(TimeSpan.FromSeconds(5), snapshot.TakenAt);
    }
}
