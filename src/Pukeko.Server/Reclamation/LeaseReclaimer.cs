using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Reclamation;

/// <summary>
/// Expired-lease reclamation and decline-probation recovery (digest §3.9): expired leases are
/// marked expired-reclaimed (or removed when <c>flush-reclaimed-timer-wait-time</c> is 0),
/// declined addresses whose probation ended are deleted so they can be handed out again, and
/// reclaimed leases older than <c>hold-reclaimed-time</c> are flushed.
/// </summary>
public sealed class LeaseReclaimer(ILeaseStore store, LeaseStatistics statistics, ILogger logger)
{
    private int _incompleteRuns;

    /// <summary>Hook points lease6_expire / lease6_recover; null = none.</summary>
    public HooksManager? Hooks { get; set; }

    /// <summary>One reclamation pass within the configured count and time limits. Returns leases reclaimed.</summary>
    public int Reclaim(ExpirationConfig config, Func<uint, Subnet6?> findSubnet, long now, bool unlimited = false, bool? removeOverride = null)
    {
        var max = unlimited ? 0 : (int)config.MaxReclaimLeases;
        var budget = unlimited || config.MaxReclaimTime == 0 ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(config.MaxReclaimTime);
        var remove = removeOverride ?? config.FlushReclaimedTimerWaitTime == 0;
        var expired = store.GetExpired(now, max == 0 ? 0 : max + 1);
        var watch = Stopwatch.StartNew();
        var done = 0;
        CalloutHandle? handle = null; // one per reclamation run, as Kea
        foreach (var original in expired)
        {
            if ((max != 0 && done >= max) || watch.Elapsed > budget)
            {
                break;
            }

            var lease = original;
            var subnet = findSubnet(lease.SubnetId);
            var pool = subnet?.FindPool(lease.Type, lease.Address);
            if (Hooks is { } hooks && ReclaimedByCallouts(hooks, ref handle, ref lease, remove, subnet, pool))
            {
                done++;
                continue;
            }

            if (lease.State == LeaseState.Declined)
            {
                // Probation is over: the address becomes free again.
                store.Delete(lease);
                statistics.Add(LeaseStatistics.DeclinedAddresses, subnet, pool, -1);
                statistics.Add(LeaseStatistics.ReclaimedDeclinedAddresses, subnet, pool, 1);
                logger.LogInformation(new EventId(0, "ALLOC_ENGINE_V6_DECLINED_RECOVERED"), "IPv6 address {Address} was recovered after {Period} seconds of probation-period", lease.Address, lease.ValidLifetime);
            }
            else
            {
                if (remove || lease.State == LeaseState.Registered)
                {
                    store.Delete(lease);
                }
                else
                {
                    var reclaimed = lease.Clone();
                    reclaimed.State = LeaseState.ExpiredReclaimed;
                    reclaimed.Hostname = "";
                    reclaimed.FqdnForward = false;
                    reclaimed.FqdnReverse = false;
                    store.Update(reclaimed);
                }

                // Released leases were already uncounted when released.
                if (lease.State == LeaseState.Default)
                {
                    statistics.Add(LeaseStatistics.Assigned(lease.Type), subnet, pool, -1);
                }
            }

            statistics.Add(LeaseStatistics.ReclaimedLeases, subnet, pool, 1);
            done++;
        }

        Hooks?.ReleaseHandle(handle);
        var complete = done >= expired.Count;
        if (complete)
        {
            _incompleteRuns = 0;
        }
        else if (++_incompleteRuns >= config.UnwarnedReclaimCycles && config.UnwarnedReclaimCycles > 0)
        {
            logger.LogWarning(new EventId(0, "ALLOC_ENGINE_V6_LEASES_RECLAMATION_SLOW"), "expired leases still exist after {Runs} reclamations", _incompleteRuns);
            _incompleteRuns = 0;
        }

        if (done > 0)
        {
            logger.LogDebug(new EventId(0, "ALLOC_ENGINE_V6_LEASES_RECLAMATION_COMPLETE"), "reclaimed {Count} leases in {Elapsed}", done, watch.Elapsed);
        }

        return done;
    }

    /// <summary>
    /// <c>lease6_expire</c> (SKIP: the callout reclaimed the lease itself; the server only counts
    /// it) and, for declined leases, <c>lease6_recover</c> (SKIP: Kea's code writes the lease back as
    /// expired-reclaimed and leaves the declined statistics alone). True when the lease is done.
    /// </summary>
    private bool ReclaimedByCallouts(HooksManager hooks, ref CalloutHandle? handle, ref Lease6 lease, bool remove, Subnet6? subnet, ILeasePool? pool)
    {
        if (hooks.HasCallouts(HookPoints.Lease6Expire))
        {
            handle ??= hooks.CreateHandle();
            var candidate = lease.Clone();
            handle.SetArgument("lease6", candidate);
            handle.SetArgument("remove_lease", remove);
            var status = hooks.Call(HookPoints.Lease6Expire, handle);
            var original = lease;
            lease = handle.TryGetArgument<Lease6>("lease6", out var returned) && returned is not null ? returned : candidate;
            HooksManager.EndCall(handle);
            if (status == NextStep.Skip)
            {
                if (original.State == LeaseState.Default)
                {
                    statistics.Add(LeaseStatistics.Assigned(original.Type), subnet, pool, -1);
                }

                statistics.Add(LeaseStatistics.ReclaimedLeases, subnet, pool, 1);
                return true;
            }
        }

        if (lease.State == LeaseState.Declined && hooks.HasCallouts(HookPoints.Lease6Recover))
        {
            handle ??= hooks.CreateHandle();
            handle.SetArgument("lease6", lease.Clone());
            var status = hooks.Call(HookPoints.Lease6Recover, handle);
            HooksManager.EndCall(handle);
            if (status == NextStep.Skip)
            {
                var kept = lease.Clone();
                kept.State = LeaseState.ExpiredReclaimed;
                store.Update(kept);
                statistics.Add(LeaseStatistics.ReclaimedLeases, subnet, pool, 1);
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes reclaimed leases whose hold time is over.</summary>
    public int Flush(ExpirationConfig config, long now)
    {
        var removed = store.DeleteExpiredReclaimed(now - config.HoldReclaimedTime);
        if (removed > 0)
        {
            logger.LogDebug(new EventId(0, "ALLOC_ENGINE_V6_RECLAIMED_LEASES_DELETE_COMPLETE"), "successfully deleted {Count} expired-reclaimed leases", removed);
        }

        return removed;
    }
}
