using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;

namespace Pukeko.Server.Pipeline;

// Solicit and Request: new bindings (RFC 8415 §18.3.1, §18.3.2).
public sealed partial class Dhcp6Processor
{
    private bool ProcessSolicit(ProcessingContext ctx)
    {
        // RFC 8415 §18.3.1: Rapid Commit only when both the client asks and the subnet allows it.
        var rapid = ctx.Subnet is { RapidCommit: true } && ctx.Query.Message.Options.Contains(OptionCode.RapidCommit);
        var response = CreateResponse(ctx, rapid ? MessageType.Reply : MessageType.Advertise);
        if (rapid)
        {
            response.Message.Options.Add(new EmptyOption(OptionCode.RapidCommit));
        }

        ctx.FakeAllocation = !rapid;
        AssignLeases(ctx);
        AppendRequestedOptions(ctx);
        return true;
    }

    private bool ProcessRequest(ProcessingContext ctx)
    {
        CreateResponse(ctx, MessageType.Reply);
        AssignLeases(ctx);
        AppendRequestedOptions(ctx);
        return true;
    }

    /// <summary>Each IA is answered on its own, in packet order; IA_TA is not served (as Kea).</summary>
    private void AssignLeases(ProcessingContext ctx)
    {
        var response = ctx.Response!.Message;
        foreach (var option in ctx.Query.Message.Options)
        {
            switch (option)
            {
                case IaNaOption ia:
                    response.Options.Add(AssignIaNa(ctx, ia));
                    break;
                case IaPdOption pd:
                    response.Options.Add(AssignIaPd(ctx, pd));
                    break;
            }
        }
    }

    private IaNaOption AssignIaNa(ProcessingContext ctx, IaNaOption request)
    {
        if (ctx.Subnet is not { } subnet)
        {
            return IaWithStatus(request.Iaid, StatusCode.NoAddrsAvail, "Server could not select subnet for this client");
        }

        var hint = FirstAddress(request, out var preferredHint, out var validHint);
        if (_log.IsEnabled(LogLevel.Debug))
        {
            PipelineLog.ProcessIaNaRequest(_log, ctx.Query.Label, request.Iaid, hint?.ToString() ?? "(no hint)");
        }

        var lease = Allocation.AllocateAddress(ctx, request.Iaid, hint, preferredHint, validHint);
        if (lease is null)
        {
            return IaWithStatus(request.Iaid, StatusCode.NoAddrsAvail, "Sorry, no address could be allocated.");
        }

        // The lease may live in another subnet of the shared network: timers come from that one.
        var (t1, t2) = LeaseTimers.TeeTimes(ctx.Subnet ?? subnet, lease.PreferredLifetime);
        var ia = new IaNaOption(request.Iaid, t1, t2);
        ia.Options.Add(new IaAddressOption(lease.Address, lease.PreferredLifetime, lease.ValidLifetime));
        if (ctx.FakeAllocation)
        {
            _leaseLog.LogInformation(new EventId(0, "DHCP6_LEASE_ADVERT"), "{Label}: lease for address {Address} and iaid={Iaid} will be advertised", ctx.Query.Label, lease.Address, request.Iaid);
        }
        else
        {
            _leaseLog.LogInformation(new EventId(0, "DHCP6_LEASE_ALLOC"), "{Label}: lease for address {Address} and iaid={Iaid} has been allocated for {Valid} seconds", ctx.Query.Label, lease.Address, request.Iaid, lease.ValidLifetime);
        }

        return ia;
    }

    private static IaNaOption IaWithStatus(uint iaid, StatusCode status, string text)
    {
        var ia = new IaNaOption(iaid, 0, 0);
        ia.Options.Add(new StatusCodeOption(status, text));
        return ia;
    }
}
