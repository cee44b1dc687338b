using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

// Renew and Rebind (RFC 8415 §18.3.4, §18.3.5).
public sealed partial class Dhcp6Processor
{
    private bool ProcessExtend(ProcessingContext ctx)
    {
        var rebind = ctx.Query.Type == MessageType.Rebind;
        if (rebind && ctx.Subnet is null && ctx.Query.Message.Options.Contains(OptionCode.IaPd))
        {
            // Kea discards a Rebind for prefixes it cannot place on any link.
            return false;
        }

        CreateResponse(ctx, MessageType.Reply);
        var response = ctx.Response!.Message;
        foreach (var option in ctx.Query.Message.Options)
        {
            switch (option)
            {
                case IaNaOption ia:
                    response.Options.Add(ExtendIaNa(ctx, ia));
                    break;
                case IaPdOption pd:
                    response.Options.Add(ExtendIaPd(ctx, pd));
                    break;
            }
        }

        AppendRequestedOptions(ctx);
        return true;
    }

    private IaNaOption ExtendIaNa(ProcessingContext ctx, IaNaOption request)
    {
        if (ctx.Subnet is not { } subnet)
        {
            return IaWithStatus(request.Iaid, StatusCode.NoBinding, "Sorry, no known leases for this duid/iaid, can't renew.");
        }

        var hints = new List<(Ipv6Address Address, uint Preferred, uint Valid)>();
        foreach (var option in request.Options)
        {
            if (option is IaAddressOption address)
            {
                hints.Add((address.Address, address.PreferredLifetime, address.ValidLifetime));
            }
        }

        // Built first: lease6_renew/rebind callouts receive it as ia_na and may change it.
        var ia = new IaNaOption(request.Iaid, 0, 0);
        ctx.ResponseIa = ia;
        var retired = new List<Lease6>();
        var leases = Allocation.ExtendAddresses(ctx, request.Iaid, hints, retired);
        ctx.ResponseIa = null;
        uint shortest = 0;
        foreach (var lease in leases)
        {
            if (lease.PreferredLifetime != 0 && (shortest == 0 || lease.PreferredLifetime < shortest))
            {
                shortest = lease.PreferredLifetime;
            }
        }

        // The leases may live in another subnet of the shared network: timers come from theirs.
        (ia.T1, ia.T2) = leases.Count > 0 ? LeaseTimers.TeeTimes(ctx.Subnet ?? subnet, shortest) : (0u, 0u);
        foreach (var lease in leases)
        {
            ia.Options.Add(new IaAddressOption(lease.Address, lease.PreferredLifetime, lease.ValidLifetime));
            _leaseLog.LogInformation(new EventId(0, "DHCP6_LEASE_RENEW"), "{Label}: lease for address {Address} and iaid={Iaid} has been allocated for {Valid} seconds", ctx.Query.Label, lease.Address, request.Iaid, lease.ValidLifetime);
        }

        // RFC 8415 §18.3.4: addresses the client may no longer use go back with zero lifetimes.
        foreach (var hint in hints)
        {
            if (!leases.Exists(l => l.Address == hint.Address))
            {
                ia.Options.Add(new IaAddressOption(hint.Address, 0, 0));
            }
        }

        foreach (var old in retired)
        {
            if (!hints.Exists(h => h.Address == old.Address))
            {
                ia.Options.Add(new IaAddressOption(old.Address, 0, 0));
            }
        }

        if (leases.Count == 0)
        {
            ia.Options.Add(new StatusCodeOption(StatusCode.NoAddrsAvail, "Sorry, no addresses could be assigned at this time."));
        }

        return ia;
    }

    private static IaPdOption PdWithStatus(uint iaid, StatusCode status, string text)
    {
        var ia = new IaPdOption(iaid, 0, 0);
        ia.Options.Add(new StatusCodeOption(status, text));
        return ia;
    }
}
