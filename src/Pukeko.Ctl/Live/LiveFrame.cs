namespace Pukeko.Ctl.Live;

/// <summary>One line of the utilisation table: a subnet's (depth 0) or a pool's (depth 1) assigned and total leases of one kind.</summary>
internal sealed record UsageRow(int Depth, string Label, PoolKind Kind, long Assigned, long Total, double? ChangePerSecond)
{
    /// <summary>Assigned over total, or null when the total is zero (no pool of this kind).</summary>
    public double? Fraction => Total > 0 ? Math.Clamp((double)Assigned / Total, 0, 1) : null;
}

/// <summary>A counter's value and how fast it grew since the previous poll (null on the first poll).</summary>
internal sealed record CounterRate(string Label, long Total, double? PerSecond);

/// <summary>
/// What the live view shows, computed from two successive polls; no rendering here, so it can be tested on its own.
/// </summary>
internal sealed record LiveFrame(ServerStatus? Status, IReadOnlyList<UsageRow> Usage, IReadOnlyList<CounterRate> Traffic, IReadOnlyList<CounterRate> Drops)
{
    /// <summary>Counters of packets the server did not answer; <c>pkt6-receive-drop</c> is their sum.</summary>
    public static readonly IReadOnlyList<string> DropReasons =
    [
        "pkt6-parse-failed", "pkt6-processing-failed", "pkt6-queue-full", "pkt6-service-disabled", "pkt6-admin-filtered",
        "pkt6-duplicate", "pkt6-rfc-violation", "pkt6-not-for-us", "pkt6-limit-exceeded", "pkt6-worker-stalled",
    ];

    public static LiveFrame Build(StatisticsSnapshot current, StatisticsSnapshot? previous, ServerLayout? layout, ServerStatus? status)
    {
        ArgumentNullException.ThrowIfNull(current);
        var seconds = previous is null ? 0 : (current.TakenAt - previous.TakenAt).TotalSeconds;
        var baseline = seconds > 0 ? previous : null;
        return new LiveFrame(status, UsageRows(current, baseline, seconds, layout ?? ServerLayout.Empty), TrafficRates(current, baseline, seconds), DropRates(current, baseline, seconds));
    }

    /// <summary>
    /// Growth per second of a cumulative counter; a counter lower than before was reset (<c>statistic-reset</c>,
    /// a restarted server), so all of its value is new.
    /// </summary>
    public static double? RateOf(long? now, long? before, double seconds) =>
        now is { } n && before is { } b && seconds > 0 ? (n >= b ? n - b : n) / seconds : null;

    private static List<UsageRow> UsageRows(StatisticsSnapshot current, StatisticsSnapshot? previous, double seconds, ServerLayout layout)
    {
        // Subnets the configuration names, then any others the statistics know (a server that refused config-get).
        var known = layout.Subnets.ToDictionary(s => s.Id);
        var ids = current.Names.Where(n => n.SubnetId is not null).Select(n => n.SubnetId!.Value).Concat(known.Keys).Distinct().Order();
        var rows = new List<UsageRow>();
        foreach (var id in ids)
        {
            var subnet = known.GetValueOrDefault(id);
            var label = subnet is { Prefix.Length: > 0 } ? $"subnet {id} {subnet.Prefix}" : $"subnet {id}";
            foreach (var kind in new[] { PoolKind.Address, PoolKind.Prefix })
            {
                var (assignedName, totalName) = Names(kind);
                var total = current.Value(new StatisticName(totalName, id)) ?? 0;
                var pools = Pools(current, subnet, id, kind);
                if (total == 0 && pools.Count == 0)
                {
                    continue;
                }

                rows.Add(Row(0, label, kind, new StatisticName(assignedName, id), new StatisticName(totalName, id), current, previous, seconds));
                foreach (var (poolId, poolLabel) in pools)
                {
                    rows.Add(Row(1, poolLabel, kind, new StatisticName(assignedName, id, kind, poolId), new StatisticName(totalName, id, kind, poolId), current, previous, seconds));
                }
            }
        }

        return rows;
    }

    private static (string Assigned, string Total) Names(PoolKind kind) =>
        kind == PoolKind.Address ? ("assigned-nas", "total-nas") : ("assigned-pds", "total-pds");

    /// <summary>The pool scopes of one kind in a subnet: those configured, and those only the statistics show.</summary>
    private static List<(uint Id, string Label)> Pools(StatisticsSnapshot current, SubnetLayout? subnet, uint subnetId, PoolKind kind)
    {
        var pools = new SortedDictionary<uint, string>();
        foreach (var name in current.Names)
        {
            if (name.SubnetId == subnetId && name.Pool == kind)
            {
                pools[name.PoolId] = kind == PoolKind.Address ? $"pool[{name.PoolId}]" : $"pd-pool[{name.PoolId}]";
            }
        }

        foreach (var pool in subnet?.Pools ?? [])
        {
            if (pool.Kind == kind)
            {
                pools[pool.PoolId] = pool.Label;
            }
        }

        return [.. pools.Select(p => (p.Key, p.Value))];
    }

    private static UsageRow Row(int depth, string label, PoolKind kind, StatisticName assigned, StatisticName total, StatisticsSnapshot current, StatisticsSnapshot? previous, double seconds)
    {
        var now = current.Value(assigned) ?? 0;

        // Assigned is a level, not a counter: its change may be negative.
        double? change = previous?.Value(assigned) is { } before && seconds > 0 ? (now - before) / seconds : null;
        return new UsageRow(depth, label, kind, now, current.Value(total) ?? 0, change);
    }

    private static List<CounterRate> TrafficRates(StatisticsSnapshot current, StatisticsSnapshot? previous, double seconds)
    {
        var rates = new List<CounterRate>();
        void Add(string label, string name)
        {
            if (current.Value(name) is { } now)
            {
                rates.Add(new CounterRate(label, now, RateOf(now, previous?.Value(name), seconds)));
            }
        }

        Add("received", "pkt6-received");
        Add("sent", "pkt6-sent");
        Add("advertise sent", "pkt6-advertise-sent");
        Add("reply sent", "pkt6-reply-sent");
        Leases(rates, "NA leases assigned", "cumulative-assigned-nas", "assigned-nas", current, previous, seconds);
        Leases(rates, "PD leases assigned", "cumulative-assigned-pds", "assigned-pds", current, previous, seconds);
        return rates;
    }

    /// <summary>
    /// New leases per second from the cumulative counter; a server without one (older Kea) gives only the level,
    /// whose rises are counted instead.
    /// </summary>
    private static void Leases(List<CounterRate> rates, string label, string cumulative, string level, StatisticsSnapshot current, StatisticsSnapshot? previous, double seconds)
    {
        if (current.Value(cumulative) is { } total)
        {
            rates.Add(new CounterRate(label, total, RateOf(total, previous?.Value(cumulative), seconds)));
        }
        else if (current.Value(level) is { } now)
        {
            double? rise = previous?.Value(level) is { } before && seconds > 0 ? Math.Max(0, now - before) / seconds : null;
            rates.Add(new CounterRate(label, now, rise));
        }
    }

    private static List<CounterRate> DropRates(StatisticsSnapshot current, StatisticsSnapshot? previous, double seconds)
    {
        var drops = new List<CounterRate>();
        CounterRate Rate(string label, string name)
        {
            var now = current.Value(name) ?? 0;
            return new CounterRate(label, now, RateOf(now, previous?.Value(name) ?? (previous is null ? null : 0), seconds));
        }

        drops.Add(Rate("dropped", "pkt6-receive-drop"));
        foreach (var name in DropReasons)
        {
            var rate = Rate(name["pkt6-".Length..], name);
            if (rate.Total > 0 || rate.PerSecond > 0)
            {
                drops.Add(rate);
            }
        }

        var failed = Rate("allocation failed", "v6-allocation-fail");
        if (failed.Total > 0 || failed.PerSecond > 0)
        {
            drops.Add(failed);
        }

        return drops;
    }
}
