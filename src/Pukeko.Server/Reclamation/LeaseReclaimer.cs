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
internal sealed class LeaseReclaimer(LeaseWriter writer, ClientClaims claims, LeaseStatistics statistics, ILogger logger)
{
    private int _incompleteRuns;

    /// <summary>Hook points lease6_expire / lease6_recover; null = none.</summary>
    public HooksManager? Hooks { get; set; }

    /// <summary>One reclamation pass within the configured count and time limits. Returns leases reclaimed.</summary>
    public async ValueTask<int> ReclaimAsync(ExpirationConfig config, Func<uint, Subnet6?> findSubnet, long now, bool unlimited = false, bool? removeOverride = null, CancellationToken cancellationToken = default)
    {
        var max = unlimited ? 0 : (int)config.MaxReclaimLeases;
        var budget = unlimited || config.MaxReclaimTime == 0 ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(config.MaxReclaimTime);
        var remove = removeOverride ?? config.FlushReclaimedTimerWaitTime == 0;
        var expired = await writer.Store.GetExpiredAsync(now, max == 0 ? 0 : max + 1, cancellationToken).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var done = 0;
        var examined = 0;
        var run = new ReclamationRun(); // one callout handle per reclamation run, as Kea
        foreach (var candidate in expired)
        {
            if ((max != 0 && examined >= max) || watch.Elapsed > budget)
            {
                break;
            }

            examined++;
            using (await claims.ClaimAsync(candidate.Duid).ConfigureAwait(false))
            {
                // The client may have renewed (or released) it since the list was read.
                if (await writer.GetAsync(candidate.Address, cancellationToken).ConfigureAwait(false) is not { } lease || !lease.IsSameVersion(candidate))
                {
                    continue;
                }

                // One unit of work per lease, committed while the client's claim is held.
                var work = writer.Begin();
                await using (work.ConfigureAwait(false))
                {
                    if (await ReclaimOneAsync(work, lease, findSubnet, remove, run).ConfigureAwait(false))
                    {
                        done++;
                    }

                    await work.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        Hooks?.ReleaseHandle(run.Handle);
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
    private async ValueTask<bool> ReclaimOneAsync(LeaseTransaction work, Lease6 read, Func<uint, Subnet6?> findSubnet, bool remove, ReclamationRun run)
    {
        var lease = read;
        if (Hooks is { } hooks)
        {
            var subnet = findSubnet(lease.SubnetId);
            bool done;
            (done, lease) = await ReclaimedByCalloutsAsync(hooks, work, run, read, remove, subnet, subnet?.FindPool(lease.Type, lease.Address)).ConfigureAwait(false);
            if (done)
            {
                return true;
            }
        }

        LeaseWriteResult written;
        if (read.State == LeaseState.Declined)
        {
            // Probation is over: the address becomes free again.
            written = await work.DeleteAsync(read, LeaseChangeReason.Recovered).ConfigureAwait(false);
            if (written == LeaseWriteResult.Written)
            {
                logger.LogInformation(new EventId(0, "ALLOC_ENGINE_V6_DECLINED_RECOVERED"), "IPv6 address {Address} was recovered after {Period} seconds of probation-period", read.Address, read.ValidLifetime);
            }
        }
        else if (remove || read.State == LeaseState.Registered)
        {
            written = await work.DeleteAsync(read, LeaseChangeReason.Reclaimed).ConfigureAwait(false);
        }
        else
        {
            var reclaimed = lease.Clone();
            reclaimed.State = LeaseState.ExpiredReclaimed;
            reclaimed.Hostname = "";
            reclaimed.FqdnForward = false;
            reclaimed.FqdnReverse = false;

            // Kea (since 2.4) drops the user context with the relay information it holds.
            reclaimed.UserContext = null;
            written = await work.UpdateAsync(read, reclaimed, LeaseChangeReason.Reclaimed).ConfigureAwait(false);
        }

        return written == LeaseWriteResult.Written;
    }

    /// <summary>
    /// <c>lease6_expire</c> (SKIP: the callout reclaimed the lease itself; the server only counts
    /// it) and, for declined leases, <c>lease6_recover</c> (SKIP: Kea's code writes the lease back as
    /// expired-reclaimed and leaves the declined statistics alone). True when the lease is done.
    /// </summary>
    private async ValueTask<(bool Done, Lease6 Lease)> ReclaimedByCalloutsAsync(HooksManager hooks, LeaseTransaction work, ReclamationRun run, Lease6 read, bool remove, Subnet6? subnet, ILeasePool? pool)
    {
        var lease = read;
        if (hooks.HasCallouts(HookPoints.Lease6Expire))
        {
            var handle = run.Handle ??= hooks.CreateHandle();
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
                return (true, lease);
            }
        }

        if (lease.State == LeaseState.Declined && hooks.HasCallouts(HookPoints.Lease6Recover))
        {
            var handle = run.Handle ??= hooks.CreateHandle();
            LeaseArgument.Set(handle, lease);
            var status = hooks.Call(HookPoints.Lease6Recover, handle);
            HooksManager.EndCall(handle);
            if (status == NextStep.Skip)
            {
                // Not recovered: Kea writes the lease back as expired-reclaimed and counts only the reclamation.
                var kept = lease.Clone();
                kept.State = LeaseState.ExpiredReclaimed;
                if (await work.UpdateAsync(read, kept, LeaseChangeReason.Amended).ConfigureAwait(false) == LeaseWriteResult.Written)
                {
                    statistics.Add(LeaseStatistics.ReclaimedLeases, subnet, pool, 1);
                }

                return (true, lease);
            }
        }

        return (false, lease);
    }

    /// <summary>Removes reclaimed leases whose hold time is over.</summary>
    public async ValueTask<int> FlushAsync(ExpirationConfig config, long now, CancellationToken cancellationToken = default)
    {
        int removed;
        var work = writer.Begin();
        await using (work.ConfigureAwait(false))
        {
            removed = await work.FlushReclaimedAsync(now - config.HoldReclaimedTime, cancellationToken).ConfigureAwait(false);
            await work.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (removed > 0)
        {
            logger.LogDebug(new EventId(0, "ALLOC_ENGINE_V6_RECLAIMED_LEASES_DELETE_COMPLETE"), "successfully deleted {Count} expired-reclaimed leases", removed);
        }

        return removed;
    }

    /// <summary>What one reclamation run shares between its leases: the callout handle, created at the first callout.</summary>
    private sealed class ReclamationRun
    {
        public CalloutHandle? Handle { get; set; }
    }
}
