using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

// IA_PD in Solicit, Request, Renew, Rebind and Release (RFC 8415 §18.3, §21.21, §21.22; RFC 6603).
public sealed partial class Dhcp6Processor
{
    private IaPdOption AssignIaPd(ProcessingContext ctx, IaPdOption request)
    {
        if (ctx.Subnet is null)
        {
            return PdWithStatus(request.Iaid, StatusCode.NoPrefixAvail, "Sorry, no subnet available.");
        }

        var hints = PrefixHints(request);
        var leases = Allocation.Allocate(ctx, LeaseType.PD, request.Iaid, hints.Count > 0 ? hints[0] : LeaseHint.None);
        if (leases.Count == 0)
        {
            return PdWithStatus(request.Iaid, StatusCode.NoPrefixAvail, "Sorry, no prefixes could be allocated.");
        }

        var ia = PdWithLeases(ctx, request.Iaid, leases);
        foreach (var lease in leases)
        {
            if (ctx.FakeAllocation)
            {
                _leaseLog.LogInformation(new EventId(0, "DHCP6_PD_LEASE_ADVERT"), "{Label}: lease for prefix {Prefix}/{Length} and iaid={Iaid} will be advertised", ctx.Query.Label, lease.Address, lease.PrefixLength, request.Iaid);
            }
            else
            {
                _leaseLog.LogInformation(new EventId(0, "DHCP6_PD_LEASE_ALLOC"), "{Label}: lease for prefix {Prefix}/{Length} and iaid={Iaid} has been allocated for {Valid} seconds", ctx.Query.Label, lease.Address, lease.PrefixLength, request.Iaid, lease.ValidLifetime);
            }
        }

        return ia;
    }

    private IaPdOption ExtendIaPd(ProcessingContext ctx, IaPdOption request)
    {
        if (ctx.Subnet is null)
        {
            return PdWithStatus(request.Iaid, StatusCode.NoBinding, "Sorry, no known PD leases for this duid/iaid.");
        }

        var hints = PrefixHints(request);
        var retired = new List<Lease6>();
        // lease6_renew/rebind callouts get the reply's IA as ia_pd and may change its IAID.
        var hookIa = new IaPdOption(request.Iaid, 0, 0);
        ctx.ResponseIa = hookIa;
        var leases = Allocation.Extend(ctx, LeaseType.PD, request.Iaid, hints, retired);
        ctx.ResponseIa = null;
        var ia = PdWithLeases(ctx, hookIa.Iaid, leases);
        foreach (var lease in leases)
        {
            _leaseLog.LogInformation(new EventId(0, "DHCP6_PD_LEASE_RENEW"), "{Label}: lease for prefix {Prefix}/{Length} and iaid={Iaid} has been allocated for {Valid} seconds", ctx.Query.Label, lease.Address, lease.PrefixLength, request.Iaid, lease.ValidLifetime);
        }

        // RFC 8415 §18.3.4: prefixes the client may no longer use go back with zero lifetimes.
        foreach (var hint in hints)
        {
            if (!hint.Address.IsUnspecified && !leases.Exists(l => l.Address == hint.Address && (hint.Length == 0 || l.PrefixLength == hint.Length)))
            {
                ia.Options.Add(new IaPrefixOption(0, 0, hint.Length, hint.Address));
            }
        }

        foreach (var old in retired)
        {
            if (!hints.Exists(h => h.Address == old.Address))
            {
                ia.Options.Add(new IaPrefixOption(0, 0, old.PrefixLength, old.Address));
            }
        }

        if (leases.Count == 0)
        {
            ia.Options.Add(new StatusCodeOption(StatusCode.NoPrefixAvail, "Sorry, no prefixes could be assigned at this time."));
        }

        return ia;
    }

    private IaPdOption ReleaseIaPd(ProcessingContext ctx, IaPdOption request, ref StatusCode general)
    {
        // Like Kea, only the first prefix of each IA is considered.
        var prefix = request.Options.Get<IaPrefixOption>(OptionCode.IaPrefix);
        if (prefix is null)
        {
            general = StatusCode.NoBinding;
            return PdWithStatus(request.Iaid, StatusCode.NoBinding, "You did not include a prefix in your RELEASE");
        }

        var lease = Allocation.Store.Get(prefix.Prefix);
        if (lease is null || lease.Type != LeaseType.PD || lease.State != LeaseState.Default)
        {
            general = StatusCode.NoBinding;
            return PdWithStatus(request.Iaid, StatusCode.NoBinding, "Sorry, no known leases for this duid/iaid, can't release.");
        }

        if (lease.Duid.Length == 0)
        {
            general = StatusCode.UnspecFail;
            return PdWithStatus(request.Iaid, StatusCode.UnspecFail, "Database consistency check failed when trying to RELEASE");
        }

        if (!lease.Duid.AsSpan().SequenceEqual(ctx.ClientDuid) || lease.Iaid != request.Iaid)
        {
            general = StatusCode.NoBinding;
            return PdWithStatus(request.Iaid, StatusCode.NoBinding, "This prefix does not belong to you, you can't release it");
        }

        var read = lease;
        if (_hooks.HasCallouts(HookPoints.Lease6Release) && CallLeaseHook(HookPoints.Lease6Release, ctx, ref lease) is NextStep.Skip or NextStep.Drop)
        {
            // Kea's code (not its docs): the lease stays and the client is told the release failed.
            general = StatusCode.UnspecFail;
            return PdWithStatus(request.Iaid, StatusCode.UnspecFail, "Server failed to release a lease");
        }

        ReleaseLease(ctx, read, lease);
        _leaseLog.LogInformation(new EventId(0, "DHCP6_RELEASE_PD"), "{Label}: prefix {Prefix}/{Length} for iaid={Iaid} was released properly", ctx.Query.Label, lease.Address, lease.PrefixLength, lease.Iaid);
        return PdWithStatus(request.Iaid, StatusCode.Success, "Lease released. Thank you, please come again.");
    }

    /// <summary>
    /// Kea's release: with lease affinity (<c>flush-reclaimed-timer-wait-time</c> and
    /// <c>hold-reclaimed-time</c> both non-zero) the lease stays as released with zero lifetimes,
    /// so the client gets the same block back if it returns soon; else it is deleted.
    /// </summary>
    /// <param name="read">The lease as read from the store (the write is conditional on it).</param>
    /// <param name="lease">The lease as the lease6_release callouts left it.</param>
    private void ReleaseLease(ProcessingContext ctx, Lease6 read, Lease6 lease)
    {
        var expiration = ctx.Runtime.Config.ExpiredLeasesProcessing;
        var keep = expiration.FlushReclaimedTimerWaitTime != 0 && expiration.HoldReclaimedTime != 0 && lease.ValidLifetime != Lease6.InfiniteLifetime;
        LeaseWriteResult written;
        if (keep)
        {
            var kept = lease.Clone();
            kept.ValidLifetime = 0;
            kept.PreferredLifetime = 0;
            kept.Cltt = ctx.Now;
            kept.State = LeaseState.Released;
            written = Allocation.Writer.Update(read, kept, LeaseChangeReason.Released);
        }
        else
        {
            written = Allocation.Writer.Delete(read, LeaseChangeReason.Released);
        }

        if (written != LeaseWriteResult.Written)
        {
            _leaseLog.LogWarning(new EventId(0, "DHCP6_RELEASE_LEASE_CHANGED"), "{Label}: lease {Address} changed while it was being released ({Result})", ctx.Query.Label, lease.Address, written);
            return;
        }

        ctx.DeletedLeases.Add(lease);
    }

    /// <summary>An IA_PD carrying the leases, T1/T2 from the shortest non-zero preferred lifetime, PD-Exclude where asked for.</summary>
    private static IaPdOption PdWithLeases(ProcessingContext ctx, uint iaid, List<Lease6> leases)
    {
        uint shortest = 0;
        foreach (var lease in leases)
        {
            if (lease.PreferredLifetime != 0 && (shortest == 0 || lease.PreferredLifetime < shortest))
            {
                shortest = lease.PreferredLifetime;
            }
        }

        var (t1, t2) = leases.Count > 0 ? LeaseTimers.TeeTimes(ctx.Subnet!, shortest) : (0u, 0u);
        var ia = new IaPdOption(iaid, t1, t2);
        var wantsExclude = ctx.Query.Message.Options.Get<OptionRequestOption>(OptionCode.OptionRequest) is { } oro && oro.Codes.Contains(OptionCode.PdExclude);
        foreach (var lease in leases)
        {
            var prefix = new IaPrefixOption(lease.PreferredLifetime, lease.ValidLifetime, lease.PrefixLength, lease.Address);

            // RFC 6603 §4.2: PD-Exclude only inside IAPREFIX, and Kea only when the client asked for it.
            if (wantsExclude && ctx.Runtime.FindSubnet(lease.SubnetId)?.FindPdPool(lease.Address)?.PdExcludeData() is { } exclude)
            {
                prefix.Options.Add(new RawOption(OptionCode.PdExclude, exclude));
            }

            ia.Options.Add(prefix);
        }

        return ia;
    }

    private static List<LeaseHint> PrefixHints(IaPdOption request)
    {
        var hints = new List<LeaseHint>();
        foreach (var option in request.Options)
        {
            if (option is IaPrefixOption prefix)
            {
                // A length over 128 can't be a prefix; treat it as "any length".
                var length = prefix.PrefixLength <= 128 ? prefix.PrefixLength : (byte)0;
                hints.Add(new LeaseHint(prefix.Prefix, length, prefix.PreferredLifetime, prefix.ValidLifetime));
            }
        }

        return hints;
    }
}
