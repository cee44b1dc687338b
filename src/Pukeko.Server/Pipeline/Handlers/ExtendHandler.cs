using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Leases;
using static Pukeko.Server.Pipeline.Handlers.ReplyBuilder;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>Renew and Rebind (RFC 8415 §18.3.4, §18.3.5): existing bindings extended, lost ones returned with zero lifetimes.</summary>
internal sealed class ExtendHandler(PipelineServices services) : IMessageHandler
{
    private readonly ILogger _leaseLog = services.LeaseLog;

    public async ValueTask<bool> HandleAsync(ProcessingContext ctx)
    {
        var rebind = ctx.Query.Type == MessageType.Rebind;
        if (rebind && ctx.Subnet is null && ctx.Query.Message.Options.Contains(OptionCode.IaPd))
        {
            // Kea discards a Rebind for prefixes it cannot place on any link.
            return false;
        }

        CreateResponse(ctx, MessageType.Reply);
        await AnswerEachIaAsync(ctx, this, static (self, c, ia) => self.ExtendIaNaAsync(c, ia), static (self, c, pd) => self.ExtendIaPdAsync(c, pd)).ConfigureAwait(false);
        return true;
    }

    private async ValueTask<IaNaOption> ExtendIaNaAsync(ProcessingContext ctx, IaNaOption request)
    {
        if (ctx.Subnet is not { } subnet)
        {
            return IaWithStatus(request.Iaid, StatusCode.NoBinding, "Sorry, no known leases for this duid/iaid, can't renew.");
        }

        var hints = ctx.RentHintList();
        foreach (var option in request.Options)
        {
            if (option is IaAddressOption address)
            {
                hints.Add(new LeaseHint(address.Address, 128, address.PreferredLifetime, address.ValidLifetime));
            }
        }

        // Built first: lease6_renew/rebind callouts receive it as ia_na and may change it.
        var ia = ctx.ReplyOptions.IaNa(request.Iaid, 0, 0);
        ctx.ResponseIa = ia;
        var retired = ctx.RentLeaseList();
        var leases = await services.Allocation.ExtendAsync(ctx, LeaseType.NA, request.Iaid, hints, retired).ConfigureAwait(false);
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
            ia.Options.Add(ctx.ReplyOptions.IaAddress(lease.Address, lease.PreferredLifetime, lease.ValidLifetime));
            if (_leaseLog.IsEnabled(LogLevel.Information))
            {
                _leaseLog.LogInformation(new EventId(0, "DHCP6_LEASE_RENEW"), "{Label}: lease for address {Address} and iaid={Iaid} has been allocated for {Valid} seconds", ctx.Query.Label, lease.Address, request.Iaid, lease.ValidLifetime);
            }
        }

        // RFC 8415 §18.3.4: addresses the client may no longer use go back with zero lifetimes.
        foreach (var hint in hints)
        {
            if (!Holds(leases, hint.Address))
            {
                ia.Options.Add(ctx.ReplyOptions.IaAddress(hint.Address, 0, 0));
            }
        }

        foreach (var old in retired)
        {
            if (!Holds(hints, old.Address))
            {
                ia.Options.Add(ctx.ReplyOptions.IaAddress(old.Address, 0, 0));
            }
        }

        if (leases.Count == 0)
        {
            ia.Options.Add(new StatusCodeOption(StatusCode.NoAddrsAvail, "Sorry, no addresses could be assigned at this time."));
        }

        return ia;
    }

    private async ValueTask<IaPdOption> ExtendIaPdAsync(ProcessingContext ctx, IaPdOption request)
    {
        if (ctx.Subnet is null)
        {
            return PdWithStatus(request.Iaid, StatusCode.NoBinding, "Sorry, no known PD leases for this duid/iaid.");
        }

        var hints = PrefixHints(ctx, request);
        var retired = ctx.RentLeaseList();
        // lease6_renew/rebind callouts get the reply's IA as ia_pd and may change its IAID.
        var hookIa = ctx.ReplyOptions.IaPd(request.Iaid, 0, 0);
        ctx.ResponseIa = hookIa;
        var leases = await services.Allocation.ExtendAsync(ctx, LeaseType.PD, request.Iaid, hints, retired).ConfigureAwait(false);
        ctx.ResponseIa = null;
        var ia = PdWithLeases(ctx, hookIa.Iaid, leases);
        foreach (var lease in leases)
        {
            if (_leaseLog.IsEnabled(LogLevel.Information))
            {
                _leaseLog.LogInformation(new EventId(0, "DHCP6_PD_LEASE_RENEW"), "{Label}: lease for prefix {Prefix}/{Length} and iaid={Iaid} has been allocated for {Valid} seconds", ctx.Query.Label, lease.Address, lease.PrefixLength, request.Iaid, lease.ValidLifetime);
            }
        }

        // RFC 8415 §18.3.4: prefixes the client may no longer use go back with zero lifetimes.
        // Loops, not Exists(lambda): see Holds.
        foreach (var hint in hints)
        {
            if (!hint.Address.IsUnspecified && !Holds(leases, hint.Address, hint.Length))
            {
                ia.Options.Add(ctx.ReplyOptions.IaPrefix(0, 0, hint.Length, hint.Address));
            }
        }

        foreach (var old in retired)
        {
            if (!Holds(hints, old.Address))
            {
                ia.Options.Add(ctx.ReplyOptions.IaPrefix(0, 0, old.PrefixLength, old.Address));
            }
        }

        if (leases.Count == 0)
        {
            ia.Options.Add(new StatusCodeOption(StatusCode.NoPrefixAvail, "Sorry, no prefixes could be assigned at this time."));
        }

        return ia;
    }

    // Loops, not Exists(lambda): a capturing lambda is two allocations per IA of every Renew.
    // With a length (a prefix hint's), the lease must also have that length; 0 takes any.
    private static bool Holds(IReadOnlyList<Lease6> leases, Ipv6Address address, byte length = 0)
    {
        for (var i = 0; i < leases.Count; i++)
        {
            if (leases[i].Address == address && (length == 0 || leases[i].PrefixLength == length))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Holds(List<LeaseHint> hints, Ipv6Address address)
    {
        foreach (var hint in hints)
        {
            if (hint.Address == address)
            {
                return true;
            }
        }

        return false;
    }
}
