using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Statistics;

/// <summary>
/// Kea's address statistics (digest §7) at global, subnet and pool scope. One call updates all
/// three scopes, so the numbers can't drift apart.
/// </summary>
public sealed class LeaseStatistics(StatisticsRegistry registry)
{
    public const string AssignedNas = "assigned-nas";
    public const string TotalNas = "total-nas";
    public const string CumulativeAssignedNas = "cumulative-assigned-nas";
    public const string DeclinedAddresses = "declined-addresses";
    public const string ReclaimedLeases = "reclaimed-leases";
    public const string ReclaimedDeclinedAddresses = "reclaimed-declined-addresses";

    public StatisticsRegistry Registry { get; } = registry;

    /// <summary>Adds <paramref name="delta"/> to a statistic at global, subnet and (when the lease is in a pool) pool scope.</summary>
    public void Add(string name, Subnet6? subnet, AddressPool? pool, long delta, bool global = true)
    {
        if (global)
        {
            Registry.Add(name, delta);
        }

        if (subnet is null)
        {
            return;
        }

        Registry.Add(StatisticsRegistry.SubnetName(subnet.Id, name), delta);
        if (pool is not null)
        {
            Registry.Add(StatisticsRegistry.PoolName(subnet.Id, pool.PoolId, name), delta);
        }
    }

    /// <summary>Same as <see cref="Add(string, Subnet6?, AddressPool?, long, bool)"/> for a lease, finding its subnet and pool.</summary>
    public void Add(string name, Lease6 lease, Func<uint, Subnet6?> findSubnet, long delta)
    {
        var subnet = findSubnet(lease.SubnetId);
        Add(name, subnet, subnet?.FindPool(lease.Address), delta);
    }

    /// <summary>
    /// Sets the configured sizes and recounts assigned/declined from the lease store, as Kea does
    /// after loading leases or applying a new configuration.
    /// </summary>
    public void Recount(IReadOnlyList<Subnet6> subnets, ILeaseStore store, long now)
    {
        Registry.RemoveByPrefix("subnet[");
        long assigned = 0;
        long declined = 0;
        var bySubnet = new Dictionary<uint, Subnet6>();
        foreach (var subnet in subnets)
        {
            bySubnet[subnet.Id] = subnet;
            UInt128 total = 0;
            foreach (var pool in subnet.Pools)
            {
                total += pool.Capacity;
                Registry.Set(StatisticsRegistry.PoolName(subnet.Id, pool.PoolId, TotalNas), Clamp(pool.Capacity));
                foreach (var name in PerScope)
                {
                    Registry.Get(StatisticsRegistry.PoolName(subnet.Id, pool.PoolId, name));
                }
            }

            Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, TotalNas), Clamp(total));
            foreach (var name in PerScope)
            {
                Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, name), 0);
            }
        }

        foreach (var lease in store.GetAll())
        {
            if (lease.Type != LeaseType.NA || !bySubnet.TryGetValue(lease.SubnetId, out var subnet))
            {
                continue;
            }

            var pool = subnet.FindPool(lease.Address);
            if (lease.State == LeaseState.Default)
            {
                assigned++;
                Add(AssignedNas, subnet, pool, 1, global: false);
            }
            else if (lease.State == LeaseState.Declined)
            {
                declined++;
                Add(DeclinedAddresses, subnet, pool, 1, global: false);
            }
        }

        Registry.Set(AssignedNas, assigned);
        Registry.Set(DeclinedAddresses, declined);
        Registry.Get(CumulativeAssignedNas);
        Registry.Get(ReclaimedLeases);
        Registry.Get(ReclaimedDeclinedAddresses);
    }

    private static readonly string[] PerScope = [AssignedNas, CumulativeAssignedNas, DeclinedAddresses, ReclaimedLeases, ReclaimedDeclinedAddresses];

    private static long Clamp(UInt128 value) => value > long.MaxValue ? long.MaxValue : (long)value;
}
