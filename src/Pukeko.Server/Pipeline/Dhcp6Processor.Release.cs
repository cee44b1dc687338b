using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Pipeline;

// Release (RFC 8415 §18.3.7) and Decline (§18.3.8).
public sealed partial class Dhcp6Processor
{
    private bool ProcessRelease(ProcessingContext ctx)
    {
        // The reply to a Release carries no configured options (Kea leaves co_list empty).
        var response = CreateResponse(ctx, MessageType.Reply).Message;
        var general = StatusCode.Success;
        foreach (var option in ctx.Query.Message.Options)
        {
            switch (option)
            {
                case IaNaOption ia:
                    response.Options.Add(ReleaseIaNa(ctx, ia, ref general));
                    break;
                case IaPdOption pd:
                    response.Options.Add(ReleaseIaPd(ctx, pd, ref general));
                    break;
            }
        }

        response.Options.Add(new StatusCodeOption(general, "Summary status for all processed IA_NAs"));
        return true;
    }

    private IaNaOption ReleaseIaNa(ProcessingContext ctx, IaNaOption request, ref StatusCode general)
    {
        // Like Kea, only the first address of each IA is considered.
        var address = FirstAddress(request, out _, out _);
        if (address is not { } released)
        {
            general = StatusCode.NoBinding;
            return IaWithStatus(request.Iaid, StatusCode.NoBinding, "You did not include an address in your RELEASE");
        }

        var lease = Allocation.Store.Get(released);
        if (lease is null || lease.Type != LeaseType.NA || lease.State != LeaseState.Default)
        {
            general = StatusCode.NoBinding;
            return IaWithStatus(request.Iaid, StatusCode.NoBinding, "Sorry, no known leases for this duid/iaid, can't release.");
        }

        if (lease.Duid.Length == 0)
        {
            general = StatusCode.UnspecFail;
            return IaWithStatus(request.Iaid, StatusCode.UnspecFail, "Database consistency check failed when trying to RELEASE");
        }

        if (!lease.Duid.AsSpan().SequenceEqual(ctx.ClientDuid) || lease.Iaid != request.Iaid)
        {
            general = StatusCode.NoBinding;
            return IaWithStatus(request.Iaid, StatusCode.NoBinding, "This address does not belong to you, you can't release it");
        }

        var read = lease;
        if (_hooks.HasCallouts(HookPoints.Lease6Release))
        {
            var status = CallLeaseHook(HookPoints.Lease6Release, ctx, ref lease);
            if (status is NextStep.Skip or NextStep.Drop)
            {
                // Kea's code (not its docs): the lease stays and the client is told the release failed.
                _leaseLog.LogDebug(new EventId(0, "DHCP6_HOOK_LEASE6_RELEASE_NA_SKIP"), "{Label}: lease6_release callout set status to {Status}, lease {Address} not released", ctx.Query.Label, status, lease.Address);
                general = StatusCode.UnspecFail;
                return IaWithStatus(request.Iaid, StatusCode.UnspecFail, "Server failed to release a lease");
            }
        }

        ReleaseLease(ctx, read, lease);
        _leaseLog.LogInformation(new EventId(0, "DHCP6_RELEASE_NA"), "{Label}: binding for address {Address} and iaid={Iaid} was released properly", ctx.Query.Label, lease.Address, lease.Iaid);
        return IaWithStatus(request.Iaid, StatusCode.Success, "Lease released. Thank you, please come again.");
    }

    private bool ProcessDecline(ProcessingContext ctx)
    {
        var response = CreateResponse(ctx, MessageType.Reply).Message;
        foreach (var option in ctx.Query.Message.Options)
        {
            if (option is IaNaOption ia)
            {
                response.Options.Add(DeclineIaNa(ctx, ia));
            }
        }

        AppendRequestedOptions(ctx);
        return true;
    }

    private IaNaOption DeclineIaNa(ProcessingContext ctx, IaNaOption request)
    {
        var any = false;
        foreach (var option in request.Options)
        {
            if (option is not IaAddressOption address)
            {
                continue;
            }

            any = true;
            var lease = Allocation.Store.Get(address.Address);
            if (lease is null || lease.Type != LeaseType.NA || lease.IsExpired(ctx.Now) || lease.State != LeaseState.Default)
            {
                return IaWithStatus(request.Iaid, StatusCode.NoBinding, $"Server does not know about such an address: {address.Address}");
            }

            if (lease.Duid.Length == 0)
            {
                return IaWithStatus(request.Iaid, StatusCode.UnspecFail, "Database consistency check failed when trying to DECLINE");
            }

            if (!lease.Duid.AsSpan().SequenceEqual(ctx.ClientDuid) || lease.Iaid != request.Iaid)
            {
                return IaWithStatus(request.Iaid, StatusCode.NoBinding, $"This address does not belong to you, you can't decline it: {address.Address}");
            }

            var read = lease;
            if (_hooks.HasCallouts(HookPoints.Lease6Decline))
            {
                var status = CallLeaseHook(HookPoints.Lease6Decline, ctx, ref lease);
                if (status == NextStep.Drop)
                {
                    _leaseLog.LogDebug(new EventId(0, "DHCP6_HOOK_DECLINE_DROP"), "{Label}: during Decline processing (lease6_decline) the callout set the status to DROP, dropping packet", ctx.Query.Label);
                    ctx.DroppedByHook = true;
                    return IaWithStatus(request.Iaid, StatusCode.UnspecFail, "dropped by a callout");
                }

                if (status == NextStep.Skip)
                {
                    // The reply says declined; the database is not touched.
                    _leaseLog.LogDebug(new EventId(0, "DHCP6_HOOK_DECLINE_SKIP"), "{Label}: during Decline processing (lease6_decline) the callout set the status to SKIP, lease {Address} not declined", ctx.Query.Label, lease.Address);
                    continue;
                }
            }

            var declined = lease.Clone();
            declined.Decline(ctx.Runtime.Config.DeclineProbationPeriod, ctx.Now);
            if (Allocation.Writer.Update(read, declined, LeaseChangeReason.Declined) is not LeaseWriteResult.Written and var result)
            {
                _leaseLog.LogWarning(new EventId(0, "DHCP6_DECLINE_LEASE_CHANGED"), "{Label}: address {Address} changed while it was being declined ({Result}); not declined", ctx.Query.Label, lease.Address, result);
                continue;
            }

            ctx.NewLeases.Add(declined);
            _leaseLog.LogInformation(new EventId(0, "DHCP6_DECLINE_LEASE"), "{Label}: client declined address {Address}; it will be unavailable for {Period} seconds", ctx.Query.Label, lease.Address, ctx.Runtime.Config.DeclineProbationPeriod);
        }

        return any
            ? IaWithStatus(request.Iaid, StatusCode.Success, "Lease declined. Hopefully the next one will be better.")
            : IaWithStatus(request.Iaid, StatusCode.NoBinding, "No addresses sent in IA_NA");
    }

    /// <summary>lease6_release / lease6_decline: <c>query6</c> and <c>lease6</c> (in/out).</summary>
    private NextStep CallLeaseHook(int hookIndex, ProcessingContext ctx, ref Lease6 lease)
    {
        var handle = ctx.Handle ??= _hooks.CreateHandle();
        handle.SetArgument("query6", ctx.Query);
        handle.SetArgument("lease6", lease);
        ctx.Query.CopyRetrievedOptions = true;
        var status = _hooks.Call(hookIndex, handle);
        if (handle.TryGetArgument<Lease6>("lease6", out var returned) && returned is not null)
        {
            lease = returned;
        }

        HooksManager.EndCall(handle, ctx.Query);
        return status;
    }
}
