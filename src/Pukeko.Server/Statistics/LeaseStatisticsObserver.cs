using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Statistics;

/// <summary>
/// Keeps Kea's address statistics from the lease change feed. The gauges follow the leases' states
/// (a lease in state default or declined is assigned, a declined address is also counted in
/// <c>declined-addresses</c>), so they agree with <see cref="LeaseStatistics.Recount"/> whatever path
/// changed a lease; the counters (<c>cumulative-assigned-*</c>, <c>reclaimed-*</c>) follow the reason.
/// </summary>
internal sealed class LeaseStatisticsObserver(LeaseStatistics statistics, Func<uint, Subnet6?> findSubnet) : ILeaseChangeObserver
{
    public void OnLeaseChanged(in LeaseChange change)
    {
        var (old, updated) = (change.Old, change.New);
        var oldScope = old is null ? default : Scope(old);
        var newScope = updated is null ? default : Scope(updated);
        if (old is not null && updated is not null && old.State == updated.State
            && old.Type == updated.Type && ReferenceEquals(oldScope.Subnet, newScope.Subnet) && ReferenceEquals(oldScope.Pool, newScope.Pool))
        {
            // Same gauges before and after (an extension, an amended hostname): nothing to move.
        }
        else
        {
            if (old is not null)
            {
                Gauges(old, oldScope, -1);
            }

            if (updated is not null)
            {
                Gauges(updated, newScope, +1);
            }
        }

        switch (change.Reason)
        {
            case LeaseChangeReason.Allocated:
                if (old is not null && IsAssigned(old))
                {
                    // Someone's expired lease is reclaimed on the way to its new holder, as Kea does.
                    Reclaimed(old, oldScope);
                }

                statistics.Add(LeaseStatistics.CumulativeAssigned(updated!.Type), newScope.Subnet, newScope.Pool, 1);
                break;
            case LeaseChangeReason.Reactivated:
                statistics.Add(LeaseStatistics.CumulativeAssigned(updated!.Type), newScope.Subnet, newScope.Pool, 1);
                break;
            case LeaseChangeReason.Reclaimed or LeaseChangeReason.Recovered:
                Reclaimed(old!, oldScope);
                break;
        }
    }

    /// <summary>Kea counts a lease in state default, and a declined address, as assigned.</summary>
    public static bool IsAssigned(Lease6 lease) => lease.State is LeaseState.Default or LeaseState.Declined;

    private (Subnet6? Subnet, ILeasePool? Pool) Scope(Lease6 lease)
    {
        var subnet = findSubnet(lease.SubnetId);
        return (subnet, subnet?.FindPool(lease.Type, lease.Address));
    }

    private void Gauges(Lease6 lease, (Subnet6? Subnet, ILeasePool? Pool) scope, int delta)
    {
        if (lease.Type is not (LeaseType.NA or LeaseType.PD) || !IsAssigned(lease))
        {
            return;
        }

        statistics.Add(LeaseStatistics.Assigned(lease.Type), scope.Subnet, scope.Pool, delta);
        if (lease.State == LeaseState.Declined && lease.Type == LeaseType.NA)
        {
            statistics.Add(LeaseStatistics.DeclinedAddresses, scope.Subnet, scope.Pool, delta);
        }
    }

    private void Reclaimed(Lease6 old, (Subnet6? Subnet, ILeasePool? Pool) scope)
    {
        statistics.Add(LeaseStatistics.ReclaimedLeases, scope.Subnet, scope.Pool, 1);
        if (old.State == LeaseState.Declined)
        {
            statistics.Add(LeaseStatistics.ReclaimedDeclinedAddresses, scope.Subnet, scope.Pool, 1);
        }
    }
}
