using System.Collections.Concurrent;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Statistics;

/// <summary>
/// Kea's address statistics (digest §7) at global, subnet and pool scope. One call updates all
/// three scopes, so the numbers can't drift apart.
/// </summary>
internal sealed class LeaseStatistics(StatisticsRegistry registry)
{
    public const string AssignedNas = "assigned-nas";
    public const string TotalNas = "total-nas";
    public const string CumulativeAssignedNas = "cumulative-assigned-nas";
    public const string DeclinedAddresses = "declined-addresses";
    public const string ReclaimedLeases = "reclaimed-leases";
    public const string ReclaimedDeclinedAddresses = "reclaimed-declined-addresses";
    public const string AssignedPds = "assigned-pds";
    public const string TotalPds = "total-pds";
    public const string CumulativeAssignedPds = "cumulative-assigned-pds";

    /// <summary><c>assigned-nas</c> or <c>assigned-pds</c>.</summary>
    public static string Assigned(LeaseType type) => type == LeaseType.PD ? AssignedPds : AssignedNas;

    /// <summary><c>cumulative-assigned-nas</c> or <c>cumulative-assigned-pds</c>.</summary>
    public static string CumulativeAssigned(LeaseType type) => type == LeaseType.PD ? CumulativeAssignedPds : CumulativeAssignedNas;

    public StatisticsRegistry Registry { get; } = registry;

    /// <summary>Adds <paramref name="delta"/> to a statistic at global, subnet and (when the lease is in a pool) pool scope.</summary>
    public void Add(string name, Subnet6? subnet, ILeasePool? pool, long delta, bool global = true)
    {
        if (global)
        {
            Registry.Add(name, delta);
        }

        if (subnet is null)
        {
            return;
        }

        Registry.Add(ScopedName(subnet.Id, 0, NameScope.Subnet, name), delta);
        if (pool is PrefixPool pdPool)
        {
            Registry.Add(ScopedName(subnet.Id, pdPool.PoolId, NameScope.PdPool, name), delta);
        }
        else if (pool is not null)
        {
            Registry.Add(ScopedName(subnet.Id, pool.PoolId, NameScope.Pool, name), delta);
        }
    }

    /// <summary>Adds <paramref name="delta"/> to a statistic of one subnet only (<c>subnet[id].name</c>).</summary>
    public void AddToSubnet(string name, uint subnetId, long delta) =>
        Registry.Add(ScopedName(subnetId, 0, NameScope.Subnet, name), delta);

    // The subnet and pool statistic names, each built once instead of as a new string for every lease change.
    // Bounded by the subnets, pools and statistic names there have been.
    private readonly ConcurrentDictionary<(uint Subnet, uint Pool, NameScope Scope, string Name), string> _scopedNames = new();

    private enum NameScope : byte
    {
        Subnet,
        Pool,
        PdPool,
    }

    private string ScopedName(uint subnetId, uint poolId, NameScope scope, string name) =>
        _scopedNames.GetOrAdd((subnetId, poolId, scope, name), static key => key.Scope switch
        {
            NameScope.Pool => StatisticsRegistry.PoolName(key.Subnet, key.Pool, key.Name),
            NameScope.PdPool => StatisticsRegistry.PdPoolName(key.Subnet, key.Pool, key.Name),
            _ => StatisticsRegistry.SubnetName(key.Subnet, key.Name),
        });

    /// <summary>Same as <see cref="Add(string, Subnet6?, ILeasePool?, long, bool)"/> for a lease, finding its subnet and pool.</summary>
    public void Add(string name, Lease6 lease, Func<uint, Subnet6?> findSubnet, long delta)
    {
        var subnet = findSubnet(lease.SubnetId);
        Add(name, subnet, subnet?.FindPool(lease.Type, lease.Address), delta);
    }

    /// <summary>
    /// Sets the configured sizes and the assigned/declined counts from <paramref name="counts"/> (read from the
    /// lease store), as Kea does after loading leases or applying a new configuration.
    /// </summary>
    public void Recount(IReadOnlyList<Subnet6> subnets, LeaseCountSnapshot counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        Registry.RemoveByPrefix("subnet[");
        long assigned = 0;
        long assignedPds = 0;
        long declined = 0;

        // Kea counts a declined address as assigned too, until its probation ends.
        static bool IsAssignedAddress(LeaseState state) => state is LeaseState.Default or LeaseState.Declined;
        static bool IsDeclined(LeaseState state) => state == LeaseState.Declined;
        static bool IsAssignedPrefix(LeaseState state) => state == LeaseState.Default;

        foreach (var subnet in subnets)
        {
            // Pools with the same pool-id (all those without one share 0) are one scope: sizes and counts add up, as in Kea.
            UInt128 total = 0;
            foreach (var pools in subnet.Pools.GroupBy(p => p.PoolId))
            {
                UInt128 size = 0;
                long poolAssigned = 0;
                long poolDeclined = 0;
                foreach (var pool in pools)
                {
                    size += pool.Capacity;
                    poolAssigned += counts.InPool(pool, LeaseType.NA, IsAssignedAddress);
                    poolDeclined += counts.InPool(pool, LeaseType.NA, IsDeclined);
                }

                total += size;
                Registry.Set(StatisticsRegistry.PoolName(subnet.Id, pools.Key, TotalNas), Clamp(size));
                foreach (var name in PerScope)
                {
                    Registry.Get(StatisticsRegistry.PoolName(subnet.Id, pools.Key, name));
                }

                Registry.Set(StatisticsRegistry.PoolName(subnet.Id, pools.Key, AssignedNas), poolAssigned);
                Registry.Set(StatisticsRegistry.PoolName(subnet.Id, pools.Key, DeclinedAddresses), poolDeclined);
            }

            Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, TotalNas), Clamp(total));
            foreach (var name in PerScope)
            {
                Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, name), 0);
            }

            UInt128 totalPds = 0;
            foreach (var pools in subnet.PdPools.GroupBy(p => p.PoolId))
            {
                UInt128 size = 0;
                long poolAssigned = 0;
                foreach (var pool in pools)
                {
                    size += pool.Capacity;
                    poolAssigned += counts.InPool(pool, LeaseType.PD, IsAssignedPrefix);
                }

                totalPds += size;
                Registry.Set(StatisticsRegistry.PdPoolName(subnet.Id, pools.Key, TotalPds), Clamp(size));
                foreach (var name in PerPdScope)
                {
                    Registry.Get(StatisticsRegistry.PdPoolName(subnet.Id, pools.Key, name));
                }

                Registry.Set(StatisticsRegistry.PdPoolName(subnet.Id, pools.Key, AssignedPds), poolAssigned);
            }

            Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, TotalPds), Clamp(totalPds));
            foreach (var name in PerPdScope)
            {
                Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, name), 0);
            }

            var subnetAssigned = counts.InSubnet(subnet.Id, LeaseType.NA, IsAssignedAddress);
            var subnetDeclined = counts.InSubnet(subnet.Id, LeaseType.NA, IsDeclined);
            var subnetPds = counts.InSubnet(subnet.Id, LeaseType.PD, IsAssignedPrefix);
            Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, AssignedNas), subnetAssigned);
            Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, DeclinedAddresses), subnetDeclined);
            Registry.Set(StatisticsRegistry.SubnetName(subnet.Id, AssignedPds), subnetPds);
            assigned += subnetAssigned;
            declined += subnetDeclined;
            assignedPds += subnetPds;
        }

        Registry.Set(AssignedNas, assigned);
        Registry.Set(AssignedPds, assignedPds);
        Registry.Get(CumulativeAssignedPds);
        Registry.Set(DeclinedAddresses, declined);
        Registry.Get(CumulativeAssignedNas);
        Registry.Get(ReclaimedLeases);
        Registry.Get(ReclaimedDeclinedAddresses);
    }

    private static readonly string[] PerScope = [AssignedNas, CumulativeAssignedNas, DeclinedAddresses, ReclaimedLeases, ReclaimedDeclinedAddresses];

    private static readonly string[] PerPdScope = [AssignedPds, CumulativeAssignedPds, ReclaimedLeases];

    private static long Clamp(UInt128 value) => value > long.MaxValue ? long.MaxValue : (long)value;
}
