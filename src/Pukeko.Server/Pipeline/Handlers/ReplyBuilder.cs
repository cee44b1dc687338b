using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline.Handlers;

/// <summary>The parts of replies every handler builds: the skeleton, IAs with a status, IA_PDs with leases.</summary>
internal static class ReplyBuilder
{
    /// <summary>The reply skeleton: same transaction, Client-ID echoed, Server-ID, relay layers mirrored.</summary>
    public static Dhcp6Packet CreateResponse(ProcessingContext ctx, MessageType type)
    {
        var query = ctx.Query;
        var response = PacketRecycler.RentReply(type, query.TransactionId);
        var message = response.Message;
        if (query.Message.Options.Get(OptionCode.ClientId) is { } clientId)
        {
            message.Options.Add(clientId);
        }

        message.Options.Add(ctx.Runtime.ServerIdOption);
        response.RemoteAddress = query.RemoteAddress;
        response.LocalAddress = query.LocalAddress;
        response.LocalPort = ctx.Runtime.ServerPort;
        response.InterfaceIndex = query.InterfaceIndex;
        response.InterfaceName = query.InterfaceName;
        response.RemotePort = ctx.Runtime.ClientPort;

        if (query.IsRelayed)
        {
            foreach (var relay in query.Relays)
            {
                var layer = new RelayLayer
                {
                    Type = MessageType.RelayReply,
                    HopCount = relay.HopCount,
                    LinkAddress = relay.LinkAddress,
                    PeerAddress = relay.PeerAddress,
                };

                // RFC 8415 §19.3 / RFC 8357: only Interface-ID and Relay-Source-Port are echoed.
                foreach (var option in relay.Options)
                {
                    if (option.Code is OptionCode.InterfaceId or OptionCode.RelaySourcePort)
                    {
                        layer.Options.Add(option);
                    }
                }

                response.Relays.Add(layer);
            }

            // Replies go back to the relay: its source port when it said so (RFC 8357), else 547.
            response.RemotePort = query.Relays[0].Options.Contains(OptionCode.RelaySourcePort) ? query.RemotePort : (ushort)547;
        }

        ctx.Response = response;
        return response;
    }

    /// <summary>Answers each IA_NA and IA_PD of the query, in packet order, into the reply (IA_TA is not served, as in Kea).</summary>
    /// <remarks>The answers are static lambdas over <paramref name="handler"/>, so no delegate is made per packet.</remarks>
    public static async ValueTask AnswerEachIaAsync<THandler>(
        ProcessingContext ctx,
        THandler handler,
        Func<THandler, ProcessingContext, IaNaOption, ValueTask<IaNaOption>> answerNa,
        Func<THandler, ProcessingContext, IaPdOption, ValueTask<IaPdOption>> answerPd)
    {
        var response = ctx.Response!.Message;
        foreach (var option in ctx.Query.Message.Options)
        {
            switch (option)
            {
                case IaNaOption ia:
                    response.Options.Add(await answerNa(handler, ctx, ia).ConfigureAwait(false));
                    break;
                case IaPdOption pd:
                    response.Options.Add(await answerPd(handler, ctx, pd).ConfigureAwait(false));
                    break;
            }
        }
    }

    public static IaNaOption IaWithStatus(uint iaid, StatusCode status, string text)
    {
        var ia = new IaNaOption(iaid, 0, 0);
        ia.Options.Add(new StatusCodeOption(status, text));
        return ia;
    }

    public static IaPdOption PdWithStatus(uint iaid, StatusCode status, string text)
    {
        var ia = new IaPdOption(iaid, 0, 0);
        ia.Options.Add(new StatusCodeOption(status, text));
        return ia;
    }

    public static Ipv6Address? FirstAddress(IaNaOption ia, out uint preferred, out uint valid)
    {
        foreach (var option in ia.Options)
        {
            if (option is IaAddressOption address)
            {
                preferred = address.PreferredLifetime;
                valid = address.ValidLifetime;
                return address.Address;
            }
        }

        preferred = 0;
        valid = 0;
        return null;
    }

    /// <summary>An IA_PD carrying the leases, T1/T2 from the shortest non-zero preferred lifetime, PD-Exclude where asked for.</summary>
    public static IaPdOption PdWithLeases(ProcessingContext ctx, uint iaid, List<Lease6> leases)
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
        var ia = ctx.ReplyOptions.IaPd(iaid, t1, t2);
        var wantsExclude = ctx.Query.Message.Options.Get<OptionRequestOption>(OptionCode.OptionRequest) is { } oro && oro.Codes.Contains(OptionCode.PdExclude);
        foreach (var lease in leases)
        {
            var prefix = ctx.ReplyOptions.IaPrefix(lease.PreferredLifetime, lease.ValidLifetime, lease.PrefixLength, lease.Address);

            // RFC 6603 §4.2: PD-Exclude only inside IAPREFIX, and Kea only when the client asked for it.
            if (wantsExclude && PdExcludeFor(ctx, lease) is { } exclude)
            {
                prefix.Options.Add(new RawOption(OptionCode.PdExclude, exclude));
            }

            ia.Options.Add(prefix);
        }

        return ia;
    }

    /// <summary>
    /// As Kea: the client's reservation of this very prefix decides first (the reservation in the prefix's subnet, which
    /// in a shared network may be another member's, else the current one), then the pool the prefix is from.
    /// </summary>
    private static byte[]? PdExcludeFor(ProcessingContext ctx, Lease6 lease)
    {
        if ((ctx.SubnetHost(lease.SubnetId) ?? ctx.Host) is { } host)
        {
            foreach (var reserved in host.Prefixes)
            {
                if (reserved.Address == lease.Address && reserved.Length == lease.PrefixLength)
                {
                    return host.ExcludedPrefixes.TryGetValue(reserved, out var excluded) ? PrefixPool.PdExcludeData(excluded, reserved.Length) : null;
                }
            }
        }

        return ctx.Runtime.FindSubnet(lease.SubnetId)?.FindPdPool(lease.Address)?.PdExcludeData();
    }

    public static List<LeaseHint> PrefixHints(ProcessingContext ctx, IaPdOption request)
    {
        var hints = ctx.RentHintList();
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
