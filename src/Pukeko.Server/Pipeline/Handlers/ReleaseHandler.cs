using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using static Pukeko.Server.Pipeline.Handlers.ReplyBuilder;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>
/// Release (RFC 8415 §18.3.7). Like Kea, only the first address or prefix of each IA is considered,
/// and the reply carries no configured options. IA_NA and IA_PD follow the same steps; only their
/// wording and log lines differ.
/// </summary>
internal sealed class ReleaseHandler(PipelineServices services, HookInvoker hooks) : IMessageHandler
{
    private readonly ILogger _leaseLog = services.LeaseLog;

    public async ValueTask<bool> HandleAsync(ProcessingContext ctx)
    {
        var response = CreateResponse(ctx, MessageType.Reply).Message;
        var general = StatusCode.Success;
        foreach (var option in ctx.Query.Message.Options)
        {
            DhcpOption? answer = null;
            switch (option)
            {
                case IaNaOption ia:
                    var (naStatus, naText) = await ReleaseAsync(ctx, LeaseType.NA, ia.Iaid, FirstAddress(ia, out _, out _)).ConfigureAwait(false);
                    answer = IaWithStatus(ia.Iaid, naStatus, naText);
                    general = naStatus == StatusCode.Success ? general : naStatus;
                    break;
                case IaPdOption pd:
                    var (pdStatus, pdText) = await ReleaseAsync(ctx, LeaseType.PD, pd.Iaid, pd.Options.Get<IaPrefixOption>(OptionCode.IaPrefix)?.Prefix).ConfigureAwait(false);
                    answer = PdWithStatus(pd.Iaid, pdStatus, pdText);
                    general = pdStatus == StatusCode.Success ? general : pdStatus;
                    break;
            }

            if (answer is not null)
            {
                response.Options.Add(answer);
            }
        }

        response.Options.Add(new StatusCodeOption(general, "Summary status for all processed IA_NAs"));
        return true;
    }

    /// <summary>Releases the IA's first address or prefix; the status and text for the IA in the reply.</summary>
    private async ValueTask<(StatusCode Status, string Text)> ReleaseAsync(ProcessingContext ctx, LeaseType type, uint iaid, Ipv6Address? released)
    {
        var what = type == LeaseType.PD ? "prefix" : "address";
        if (released is not { } address)
        {
            return (StatusCode.NoBinding, $"You did not include {(type == LeaseType.PD ? "a prefix" : "an address")} in your RELEASE");
        }

        var lease = await services.Allocation.Store.GetAsync(address).ConfigureAwait(false);
        if (lease is null || lease.Type != type || lease.State != LeaseState.Default)
        {
            return (StatusCode.NoBinding, "Sorry, no known leases for this duid/iaid, can't release.");
        }

        if (lease.Duid.Length == 0)
        {
            return (StatusCode.UnspecFail, "Database consistency check failed when trying to RELEASE");
        }

        if (!lease.Duid.AsSpan().SequenceEqual(ctx.ClientDuid) || lease.Iaid != iaid)
        {
            return (StatusCode.NoBinding, $"This {what} does not belong to you, you can't release it");
        }

        var read = lease;
        if (hooks.HasCallouts(HookPoints.Lease6Release))
        {
            NextStep status;
            (status, lease) = hooks.CallLeaseHook(HookPoints.Lease6Release, ctx, lease);
            if (status is NextStep.Skip or NextStep.Drop)
            {
                // Kea's code (not its docs): the lease stays and the client is told the release failed.
                _leaseLog.LogDebug(new EventId(0, type == LeaseType.PD ? "DHCP6_HOOK_LEASE6_RELEASE_PD_SKIP" : "DHCP6_HOOK_LEASE6_RELEASE_NA_SKIP"), "{Label}: lease6_release callout set status to {Status}, lease {Address} not released", ctx.Query.Label, status, lease.Address);
                return (StatusCode.UnspecFail, "Server failed to release a lease");
            }
        }

        await WriteReleaseAsync(ctx, read, lease).ConfigureAwait(false);
        if (type == LeaseType.PD)
        {
            _leaseLog.LogInformation(new EventId(0, "DHCP6_RELEASE_PD"), "{Label}: prefix {Prefix}/{Length} for iaid={Iaid} was released properly", ctx.Query.Label, lease.Address, lease.PrefixLength, lease.Iaid);
        }
        else
        {
            _leaseLog.LogInformation(new EventId(0, "DHCP6_RELEASE_NA"), "{Label}: binding for address {Address} and iaid={Iaid} was released properly", ctx.Query.Label, lease.Address, lease.Iaid);
        }

        return (StatusCode.Success, "Lease released. Thank you, please come again.");
    }

    /// <summary>
    /// Kea's release: with lease affinity (<c>flush-reclaimed-timer-wait-time</c> and
    /// <c>hold-reclaimed-time</c> both non-zero) the lease stays as released with zero lifetimes,
    /// so the client gets the same block back if it returns soon; else (or when the store has no released state,
    /// as Kea 2.2's SQL schema) it is deleted.
    /// </summary>
    /// <param name="read">The lease as read from the store (the write is conditional on it).</param>
    /// <param name="lease">The lease as the lease6_release callouts left it.</param>
    private async ValueTask WriteReleaseAsync(ProcessingContext ctx, Lease6 read, Lease6 lease)
    {
        var expiration = ctx.Runtime.Config.ExpiredLeasesProcessing;
        var keep = expiration.FlushReclaimedTimerWaitTime != 0 && expiration.HoldReclaimedTime != 0 && lease.ValidLifetime != Lease6.InfiniteLifetime
            && services.Allocation.Store.KeepsReleasedLeases;
        var work = services.Allocation.WorkFor(ctx);
        LeaseWriteResult written;
        if (keep)
        {
            var kept = lease.Clone();
            kept.ValidLifetime = 0;
            kept.PreferredLifetime = 0;
            kept.Cltt = ctx.Now;
            kept.State = LeaseState.Released;
            written = await work.UpdateAsync(read, kept, LeaseChangeReason.Released).ConfigureAwait(false);
        }
        else
        {
            written = await work.DeleteAsync(read, LeaseChangeReason.Released).ConfigureAwait(false);
        }

        if (written != LeaseWriteResult.Written)
        {
            _leaseLog.LogWarning(new EventId(0, "DHCP6_RELEASE_LEASE_CHANGED"), "{Label}: lease {Address} changed while it was being released ({Result})", ctx.Query.Label, lease.Address, written);
        }
    }
}
