using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using static Pukeko.Server.Pipeline.Handlers.ReplyBuilder;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>
/// Release (RFC 8415 §18.3.7). Like Kea, only the first address or prefix of each IA is considered,
/// and the reply carries no configured options.
/// </summary>
internal sealed class ReleaseHandler(PipelineServices services, HookInvoker hooks) : IMessageHandler
{
    private readonly ILogger _leaseLog = services.LeaseLog;

    public ValueTask<bool> HandleAsync(ProcessingContext ctx)
    {
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
        return new ValueTask<bool>(true);
    }

    private IaNaOption ReleaseIaNa(ProcessingContext ctx, IaNaOption request, ref StatusCode general)
    {
        if (FirstAddress(request, out _, out _) is not { } released)
        {
            general = StatusCode.NoBinding;
            return IaWithStatus(request.Iaid, StatusCode.NoBinding, "You did not include an address in your RELEASE");
        }

        var lease = services.Allocation.Store.Get(released);
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
        if (hooks.HasCallouts(HookPoints.Lease6Release))
        {
            var status = hooks.CallLeaseHook(HookPoints.Lease6Release, ctx, ref lease);
            if (status is NextStep.Skip or NextStep.Drop)
            {
                // Kea's code (not its docs): the lease stays and the client is told the release failed.
                _leaseLog.LogDebug(new EventId(0, "DHCP6_HOOK_LEASE6_RELEASE_NA_SKIP"), "{Label}: lease6_release callout set status to {Status}, lease {Address} not released", ctx.Query.Label, status, lease.Address);
                general = StatusCode.UnspecFail;
                return IaWithStatus(request.Iaid, StatusCode.UnspecFail, "Server failed to release a lease");
            }
        }

        Release(ctx, read, lease);
        _leaseLog.LogInformation(new EventId(0, "DHCP6_RELEASE_NA"), "{Label}: binding for address {Address} and iaid={Iaid} was released properly", ctx.Query.Label, lease.Address, lease.Iaid);
        return IaWithStatus(request.Iaid, StatusCode.Success, "Lease released. Thank you, please come again.");
    }

    private IaPdOption ReleaseIaPd(ProcessingContext ctx, IaPdOption request, ref StatusCode general)
    {
        var prefix = request.Options.Get<IaPrefixOption>(OptionCode.IaPrefix);
        if (prefix is null)
        {
            general = StatusCode.NoBinding;
            return PdWithStatus(request.Iaid, StatusCode.NoBinding, "You did not include a prefix in your RELEASE");
        }

        var lease = services.Allocation.Store.Get(prefix.Prefix);
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
        if (hooks.HasCallouts(HookPoints.Lease6Release) && hooks.CallLeaseHook(HookPoints.Lease6Release, ctx, ref lease) is NextStep.Skip or NextStep.Drop)
        {
            // Kea's code (not its docs): the lease stays and the client is told the release failed.
            general = StatusCode.UnspecFail;
            return PdWithStatus(request.Iaid, StatusCode.UnspecFail, "Server failed to release a lease");
        }

        Release(ctx, read, lease);
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
    private void Release(ProcessingContext ctx, Lease6 read, Lease6 lease)
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
            written = services.Allocation.Writer.Update(read, kept, LeaseChangeReason.Released);
        }
        else
        {
            written = services.Allocation.Writer.Delete(read, LeaseChangeReason.Released);
        }

        if (written != LeaseWriteResult.Written)
        {
            _leaseLog.LogWarning(new EventId(0, "DHCP6_RELEASE_LEASE_CHANGED"), "{Label}: lease {Address} changed while it was being released ({Result})", ctx.Query.Label, lease.Address, written);
            return;
        }

        ctx.DeletedLeases.Add(lease);
    }
}
