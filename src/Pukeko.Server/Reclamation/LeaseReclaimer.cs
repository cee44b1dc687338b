using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Leases;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Reclamation;

/// <summary>
/// Expired-lease reclamation and decline-probation recovery (digest §3.9): expired leases are
/// marked expired-reclaimed (or removed when <c>flush-reclaimed-timer-wait-time</c> is 0),
/// declined addresses whose probation ended are deleted so they can be handed out again, and
/// reclaimed leases older than <c>hold-reclaimed-time</c> are flushed.
/// </summary>
/// <remarks>
/// Each lease is reclaimed under its client's claim (the one the packet pipeline holds), re-read
/// there, and written conditionally: a lease its client renewed meanwhile is left alone, so a
/// renewal racing reclamation ends either renewed or reclaimed, never both.
/// </remarks>
public sealed class LeaseReclaimer(LeaseWriter writer, ClientClaims claims, LeaseStatistics statistics, ILogger logger)
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
        var expired = writer.Store.GetExpired(now, max == 0 ? 0 : max + 1);
        var watch = Stopwatch.StartNew();
        var done = 0;
        var examined = 0;
        CalloutHandle? handle = null; // one per reclamation run, as Kea
        foreach (var candidate in expired)
        {
            if ((max != 0 && examined >= max) || watch.Elapsed > budget)
            {
                break;
            }

            examined++;
            using (claims.Claim(candidate.Duid))
            {
                // The client may have renewed (or released) it since the list was read.
                if (writer.Get(candidate.Address) is not { } lease || !lease.IsSameVersion(candidate))
                {
                    continue;
                }

                if (ReclaimOne(lease, findSubnet, remove, ref handle))
                {
                    done++;
                }
            }
        }

        Hooks?.ReleaseHandle(handle);
        var complete = examined >= expired.Count;
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

    /// <summary>Reclaims one expired lease (held under its client's claim). False when it changed meanwhile.</summary>
    private bool ReclaimOne(Lease6 read, Func<uint, Subnet6?> findSubnet, bool remove, ref CalloutHandle? handle)
    {
        var lease = read;
        if (Hooks is { } hooks)
        {
            var subnet = findSubnet(lease.SubnetId);
            if (ReclaimedByCallouts(hooks, ref handle, read, ref lease, remove, subnet, subnet?.FindPool(lease.Type, lease.Address)))
            {
                return true;
            }
        }

        LeaseWriteResult written;
        if (read.State == LeaseState.Declined)
        {
            // Probation is over: the address becomes free again.
            written = writer.Delete(read, LeaseChangeReason.Recovered);
            if (written == LeaseWriteResult.Written)
            {
                logger.LogInformation(new EventId(0, "ALLOC_ENGINE_V6_DECLINED_RECOVERED"), "IPv6 address {Address} was recovered after {Period} seconds of probation-period", read.Address, read.ValidLifetime);
            }
        }
        else if (remove || read.State == LeaseState.Registered)
        {
            written = writer.Delete(read, LeaseChangeReason.Reclaimed);
        }
        else
        {
            var reclaimed = lease.Clone();
            reclaimed.State = LeaseState.ExpiredReclaimed;
            reclaimed.Hostname = "";
            reclaimed.FqdnForward = false;
            reclaimed.FqdnReverse = false;
            written = writer.Update(read, reclaimed, LeaseChangeReason.Reclaimed);
        }

        return written == LeaseWriteResult.Written;
    }

    /// <summary>
    /// <c>lease6_expire</c> (SKIP: the callout reclaimed the lease itself; the server only counts
    /// it) and, for declined leases, <c>lease6_recover</c> (SKIP: Kea's code writes the lease back as
    /// expired-reclaimed and leaves the declined statistics alone). True when the lease is done.
    /// </summary>
    private bool ReclaimedByCallouts(HooksManager hooks, ref CalloutHandle? handle, Lease6 read, ref Lease6 lease, bool remove, Subnet6? subnet, ILeasePool? pool)
    {
        if (hooks.HasCallouts(HookPoints.Lease6Expire))
        {
            handle ??= hooks.CreateHandle();
            LeaseArgument.Set(handle, lease);
            handle.SetArgument("remove_lease", remove);
            var status = hooks.Call(HookPoints.Lease6Expire, handle);
            var original = lease;
            lease = LeaseArgument.Read(handle, lease);
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
            LeaseArgument.Set(handle, lease);
            var status = hooks.Call(HookPoints.Lease6Recover, handle);
            HooksManager.EndCall(handle);
            if (status == NextStep.Skip)
            {
                // Not recovered: Kea writes the lease back as expired-reclaimed and counts only the reclamation.
                var kept = lease.Clone();
                kept.State = LeaseState.ExpiredReclaimed;
                if (writer.Update(read, kept, LeaseChangeReason.Amended) == LeaseWriteResult.Written)
                {
                    statistics.Add(LeaseStatistics.ReclaimedLeases, subnet, pool, 1);
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>Removes reclaimed leases whose hold time is over.</summary>
    public int Flush(ExpirationConfig config, long now)
    {
        var removed = writer.FlushReclaimed(now - config.HoldReclaimedTime);
        if (removed > 0)
        {
            logger.LogDebug(new EventId(0, "ALLOC_ENGINE_V6_RECLAIMED_LEASES_DELETE_COMPLETE"), "successfully deleted {Count} expired-reclaimed leases", removed);
        }

        return removed;
    }
}
