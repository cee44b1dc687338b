using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Leases;
using static Pukeko.Server.Pipeline.Handlers.ReplyBuilder;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>
/// Solicit and Request: new bindings (RFC 8415 §18.3.1, §18.3.2). Each IA is answered on its own,
/// in packet order; IA_TA is not served (as Kea). A Solicit without Rapid Commit decides what the
/// client would get and stores nothing.
/// </summary>
internal sealed class AssignHandler(PipelineServices services) : IMessageHandler
{
    private readonly ILogger _leaseLog = services.LeaseLog;

    public async ValueTask<bool> HandleAsync(ProcessingContext ctx)
    {
        if (ctx.Query.Type == MessageType.Solicit)
        {
            // RFC 8415 §18.3.1: Rapid Commit only when both the client asks and the subnet allows it.
            var rapid = ctx.Subnet is { RapidCommit: true } && ctx.Query.Message.Options.Contains(OptionCode.RapidCommit);
            var advertise = CreateResponse(ctx, rapid ? MessageType.Reply : MessageType.Advertise);
            if (rapid)
            {
                advertise.Message.Options.Add(new EmptyOption(OptionCode.RapidCommit));
            }

            ctx.FakeAllocation = !rapid;
        }
        else
        {
            CreateResponse(ctx, MessageType.Reply);
        }

        await AnswerEachIaAsync(ctx, this, static (self, c, ia) => self.AssignIaNaAsync(c, ia), static (self, c, pd) => self.AssignIaPdAsync(c, pd)).ConfigureAwait(false);
        return true;
    }

    private async ValueTask<IaNaOption> AssignIaNaAsync(ProcessingContext ctx, IaNaOption request)
    {
        if (ctx.Subnet is not { } subnet)
        {
            return IaWithStatus(request.Iaid, StatusCode.NoAddrsAvail, "Server could not select subnet for this client");
        }

        var hint = FirstAddress(request, out var preferredHint, out var validHint);
        if (services.Log.IsEnabled(LogLevel.Debug))
        {
            PipelineLog.ProcessIaNaRequest(services.Log, ctx.Query.Label, request.Iaid, hint?.ToString() ?? "(no hint)");
        }

        var lease = await services.Allocation.AllocateAddressAsync(ctx, request.Iaid, hint, preferredHint, validHint).ConfigureAwait(false);
        if (lease is null)
        {
            return IaWithStatus(request.Iaid, StatusCode.NoAddrsAvail, "Sorry, no address could be allocated.");
        }

        // The lease may live in another subnet of the shared network: timers come from that one.
        var (t1, t2) = LeaseTimers.TeeTimes(ctx.Subnet ?? subnet, lease.PreferredLifetime);
        var ia = ctx.ReplyOptions.IaNa(request.Iaid, t1, t2);
        ia.Options.Add(ctx.ReplyOptions.IaAddress(lease.Address, lease.PreferredLifetime, lease.ValidLifetime));
        // At the usual WARN level neither the label nor the boxed arguments are built.
        if (_leaseLog.IsEnabled(LogLevel.Information))
        {
            if (ctx.FakeAllocation)
            {
                _leaseLog.LogInformation(new EventId(0, "DHCP6_LEASE_ADVERT"), "{Label}: lease for address {Address} and iaid={Iaid} will be advertised", ctx.Query.Label, lease.Address, request.Iaid);
            }
            else
            {
                _leaseLog.LogInformation(new EventId(0, "DHCP6_LEASE_ALLOC"), "{Label}: lease for address {Address} and iaid={Iaid} has been allocated for {Valid} seconds", ctx.Query.Label, lease.Address, request.Iaid, lease.ValidLifetime);
            }
        }

        return ia;
    }

    private async ValueTask<IaPdOption> AssignIaPdAsync(ProcessingContext ctx, IaPdOption request)
    {
        if (ctx.Subnet is null)
        {
            return PdWithStatus(request.Iaid, StatusCode.NoPrefixAvail, "Sorry, no subnet available.");
        }

        var hints = PrefixHints(ctx, request);
        var leases = await services.Allocation.AllocateAsync(ctx, LeaseType.PD, request.Iaid, hints.Count > 0 ? hints[0] : LeaseHint.None);
        if (leases.Count == 0)
        {
            return PdWithStatus(request.Iaid, StatusCode.NoPrefixAvail, "Sorry, no prefixes could be allocated.");
        }

        var ia = PdWithLeases(ctx, request.Iaid, leases);
        foreach (var lease in leases)
        {
            if (_leaseLog.IsEnabled(LogLevel.Information))
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
        }

        return ia;
    }
}
