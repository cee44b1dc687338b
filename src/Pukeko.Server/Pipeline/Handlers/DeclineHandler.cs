using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using static Pukeko.Server.Pipeline.Handlers.ReplyBuilder;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>Decline (RFC 8415 §18.3.8): each declined address goes into probation for <c>decline-probation-period</c>.</summary>
internal sealed class DeclineHandler(PipelineServices services, HookInvoker hooks) : IMessageHandler
{
    private readonly ILogger _leaseLog = services.LeaseLog;

    public async ValueTask<bool> HandleAsync(ProcessingContext ctx)
    {
        var response = CreateResponse(ctx, MessageType.Reply).Message;
        foreach (var option in ctx.Query.Message.Options)
        {
            if (option is IaNaOption ia)
            {
                response.Options.Add(await DeclineIaNaAsync(ctx, ia).ConfigureAwait(false));
            }
        }

        return true;
    }

    private async ValueTask<IaNaOption> DeclineIaNaAsync(ProcessingContext ctx, IaNaOption request)
    {
        var any = false;
        foreach (var option in request.Options)
        {
            if (option is not IaAddressOption address)
            {
                continue;
            }

            any = true;
            var lease = await services.Allocation.Store.GetAsync(address.Address).ConfigureAwait(false);
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
            if (hooks.HasCallouts(HookPoints.Lease6Decline))
            {
                NextStep status;
                (status, lease) = hooks.CallLeaseHook(HookPoints.Lease6Decline, ctx, lease);
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
            if (await services.Allocation.WorkFor(ctx).UpdateAsync(read, declined, LeaseChangeReason.Declined).ConfigureAwait(false) is not LeaseWriteResult.Written and var result)
            {
                _leaseLog.LogWarning(new EventId(0, "DHCP6_DECLINE_LEASE_CHANGED"), "{Label}: address {Address} changed while it was being declined ({Result}); not declined", ctx.Query.Label, lease.Address, result);
                continue;
            }

            _leaseLog.LogInformation(new EventId(0, "DHCP6_DECLINE_LEASE"), "{Label}: client declined address {Address}; it will be unavailable for {Period} seconds", ctx.Query.Label, lease.Address, ctx.Runtime.Config.DeclineProbationPeriod);
        }

        return any
            ? IaWithStatus(request.Iaid, StatusCode.Success, "Lease declined. Hopefully the next one will be better.")
            : IaWithStatus(request.Iaid, StatusCode.NoBinding, "No addresses sent in IA_NA");
    }
}
