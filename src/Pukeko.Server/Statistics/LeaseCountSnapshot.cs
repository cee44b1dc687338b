using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Statistics;

/// <summary>
/// Lease counts read from the store for a statistics recount: per configured subnet and per pool, by type and
/// state, asked of the store as counts (it never hands over every lease). Read before a reconfiguration commits,
/// so a store that cannot answer fails the reconfiguration instead of leaving statistics half set.
/// </summary>
internal sealed class LeaseCountSnapshot
{
    private readonly Dictionary<uint, IReadOnlyList<LeaseCount>> _subnets = [];
    private readonly Dictionary<ILeasePool, IReadOnlyList<LeaseCount>> _pools = new(ReferenceEqualityComparer.Instance);

    private LeaseCountSnapshot()
    {
    }

    /// <summary>No leases counted (a store that cannot be read yet).</summary>
    public static LeaseCountSnapshot None { get; } = new();

    public static async ValueTask<LeaseCountSnapshot> ReadAsync(ILeaseStore store, IReadOnlyList<Subnet6> subnets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(subnets);
        var snapshot = new LeaseCountSnapshot();
        var configured = new HashSet<uint>();
        foreach (var subnet in subnets)
        {
            configured.Add(subnet.Id);
        }

        // One query for every subnet; leases of subnets no longer configured are not counted.
        var bySubnet = new Dictionary<uint, List<LeaseCount>>();
        foreach (var count in await store.CountAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (configured.Contains(count.SubnetId))
            {
                (bySubnet.TryGetValue(count.SubnetId, out var list) ? list : bySubnet[count.SubnetId] = []).Add(count);
            }
        }

        foreach (var subnet in subnets)
        {
            snapshot._subnets[subnet.Id] = bySubnet.TryGetValue(subnet.Id, out var counts) ? counts : [];
            foreach (var pool in subnet.PoolsOf(LeaseType.NA).Concat(subnet.PoolsOf(LeaseType.PD)))
            {
                var range = await store.CountRangeAsync(pool.First, pool.LastBlock, cancellationToken).ConfigureAwait(false);
                snapshot._pools[pool] = range.Where(c => c.SubnetId == subnet.Id).ToList();
            }
        }

        return snapshot;
    }

    /// <summary>Leases of <paramref name="subnetId"/> with this type and one of the states.</summary>
    public long InSubnet(uint subnetId, LeaseType type, Func<LeaseState, bool> state) =>
        Sum(_subnets.GetValueOrDefault(subnetId), type, state);

    /// <summary>Leases of the subnet whose addresses lie in <paramref name="pool"/>, with this type and one of the states.</summary>
    public long InPool(ILeasePool pool, LeaseType type, Func<LeaseState, bool> state) =>
        Sum(_pools.GetValueOrDefault(pool), type, state);

    private static long Sum(IReadOnlyList<LeaseCount>? counts, LeaseType type, Func<LeaseState, bool> state)
    {
        long total = 0;
        foreach (var count in counts ?? [])
        {
            if (count.Type == type && state(count.State))
            {
                total += count.Count;
            }
        }

        return total;
    }
}
