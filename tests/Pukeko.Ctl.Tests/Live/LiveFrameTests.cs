using Pukeko.Ctl.Live;

namespace Pukeko.Ctl.Tests.Live;

public sealed class LiveFrameTests
{
    private static StatisticsSnapshot Snapshot(double seconds, params (string Name, long Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => v.Value), TimeSpan.FromSeconds(seconds));

    private static readonly ServerLayout Layout = new(
    [
        new SubnetLayout(1, "2001:db8:1::/64",
        [
            new PoolLayout(PoolKind.Address, 0, ["2001:db8:1::100-2001:db8:1::1ff"]),
            new PoolLayout(PoolKind.Prefix, 0, ["2001:db8:8000::/48 (/56)"]),
        ]),
    ]);

    private static readonly (string, long)[] Pools =
    [
        ("subnet[1].total-nas", 256), ("subnet[1].pool[0].total-nas", 256),
        ("subnet[1].total-pds", 256), ("subnet[1].pd-pool[0].total-pds", 256),
    ];

    [Fact]
    public void Utilisation_per_subnet_and_pool_for_addresses_and_prefixes()
    {
        var now = Snapshot(0, [.. Pools, ("subnet[1].assigned-nas", 64), ("subnet[1].pool[0].assigned-nas", 64), ("subnet[1].assigned-pds", 256), ("subnet[1].pd-pool[0].assigned-pds", 256)]);

        var frame = LiveFrame.Build(now, null, Layout, null);

        Assert.Equal(
        [
            (0, "subnet 1 2001:db8:1::/64", PoolKind.Address, 64L, 256L),
            (1, "2001:db8:1::100-2001:db8:1::1ff", PoolKind.Address, 64L, 256L),
            (0, "subnet 1 2001:db8:1::/64", PoolKind.Prefix, 256L, 256L),
            (1, "2001:db8:8000::/48 (/56)", PoolKind.Prefix, 256L, 256L),
        ], frame.Usage.Select(r => (r.Depth, r.Label, r.Kind, r.Assigned, r.Total)));
        Assert.Equal(0.25, frame.Usage[0].Fraction);
        Assert.Equal(1.0, frame.Usage[2].Fraction);
        Assert.All(frame.Usage, r => Assert.Null(r.ChangePerSecond));
    }

    [Fact]
    public void Rates_are_the_change_between_two_polls_per_second()
    {
        var before = Snapshot(10, [.. Pools, ("pkt6-received", 100), ("pkt6-reply-sent", 40), ("cumulative-assigned-nas", 5), ("subnet[1].assigned-nas", 10), ("subnet[1].pool[0].assigned-nas", 10)]);
        var after = Snapshot(12, [.. Pools, ("pkt6-received", 150), ("pkt6-reply-sent", 50), ("cumulative-assigned-nas", 13), ("subnet[1].assigned-nas", 6), ("subnet[1].pool[0].assigned-nas", 6)]);

        var first = LiveFrame.Build(before, null, Layout, null);
        var frame = LiveFrame.Build(after, before, Layout, null);

        Assert.Null(first.Traffic.Single(t => t.Label == "received").PerSecond);
        Assert.Equal(new CounterRate("received", 150, 25), frame.Traffic.Single(t => t.Label == "received"));
        Assert.Equal(new CounterRate("reply sent", 50, 5), frame.Traffic.Single(t => t.Label == "reply sent"));
        Assert.Equal(new CounterRate("NA leases assigned", 13, 4), frame.Traffic.Single(t => t.Label == "NA leases assigned"));

        // Assigned is a level: it may fall.
        Assert.Equal(-2.0, frame.Usage[0].ChangePerSecond);
        Assert.Equal(-2.0, frame.Usage[1].ChangePerSecond);
    }

    [Fact]
    public void A_counter_that_went_down_was_reset_and_counts_from_zero()
    {
        Assert.Equal(3.0, LiveFrame.RateOf(6, 1000, 2));
        Assert.Equal(0.0, LiveFrame.RateOf(7, 7, 2));
        Assert.Null(LiveFrame.RateOf(7, null, 2));
        Assert.Null(LiveFrame.RateOf(7, 3, 0));
    }

    [Fact]
    public void Without_cumulative_counters_new_leases_are_the_rises_of_the_assigned_level()
    {
        var before = Snapshot(0, ("assigned-nas", 10), ("assigned-pds", 4));
        var after = Snapshot(2, ("assigned-nas", 16), ("assigned-pds", 2));

        var frame = LiveFrame.Build(after, before, null, null);

        Assert.Equal(new CounterRate("NA leases assigned", 16, 3), frame.Traffic.Single(t => t.Label == "NA leases assigned"));
        Assert.Equal(new CounterRate("PD leases assigned", 2, 0), frame.Traffic.Single(t => t.Label == "PD leases assigned"));
    }

    [Fact]
    public void Drops_show_the_total_and_only_the_reasons_that_happened()
    {
        var before = Snapshot(0, ("pkt6-receive-drop", 4), ("pkt6-parse-failed", 4), ("pkt6-queue-full", 0));
        var after = Snapshot(1, ("pkt6-receive-drop", 9), ("pkt6-parse-failed", 5), ("pkt6-queue-full", 4), ("pkt6-duplicate", 0), ("v6-allocation-fail", 2));

        var frame = LiveFrame.Build(after, before, null, null);

        Assert.Equal(
        [
            new CounterRate("dropped", 9, 5),
            new CounterRate("parse-failed", 5, 1),
            new CounterRate("queue-full", 4, 4),
            new CounterRate("allocation failed", 2, 2),
        ], frame.Drops);
    }

    [Fact]
    public void Subnets_and_pools_the_configuration_does_not_name_are_shown_by_id()
    {
        var now = Snapshot(0, ("subnet[7].total-nas", 100), ("subnet[7].assigned-nas", 1), ("subnet[7].pool[3].total-nas", 100), ("subnet[7].pool[3].assigned-nas", 1), ("subnet[7].total-pds", 0));

        var frame = LiveFrame.Build(now, null, ServerLayout.Empty, null);

        Assert.Equal(["subnet 7", "pool[3]"], frame.Usage.Select(r => r.Label));
        Assert.All(frame.Usage, r => Assert.Equal(PoolKind.Address, r.Kind));
    }

    [Fact]
    public void A_subnet_without_pools_of_a_kind_has_no_row_for_it_and_no_fraction_without_a_total()
    {
        var layout = new ServerLayout([new SubnetLayout(1, "2001:db8:1::/64", [new PoolLayout(PoolKind.Address, 0, ["2001:db8:1::/120"])])]);
        var now = Snapshot(0, ("subnet[1].total-pds", 0), ("subnet[1].assigned-pds", 0));

        var frame = LiveFrame.Build(now, null, layout, null);

        Assert.Equal([PoolKind.Address, PoolKind.Address], frame.Usage.Select(r => r.Kind));
        Assert.Null(frame.Usage[0].Fraction);
    }
}
