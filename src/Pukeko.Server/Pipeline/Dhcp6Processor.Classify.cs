using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Classification;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Pipeline;

// Classification and host reservation lookup (digest §3.2 steps 7, 10, 15).
public sealed partial class Dhcp6Processor
{
    /// <summary>Where host identifiers come from; its <see cref="HostIdentifierSource.FlexId"/> is the host6_identifier seam.</summary>
    public HostIdentifierSource HostIdentifiers { get; } = new();

    /// <summary>Stage (step 7): vendor classes and tests not needing the host lookup; runs before pkt6_receive.</summary>
    private void ClassifyOnArrival(Dhcp6Packet query, ServerRuntime runtime) =>
        runtime.Classifier.ClassifyOnArrival(query, _log);

    /// <summary>Steps 10 and 15: a packet in class DROP is discarded and counted as <c>pkt6-admin-filtered</c>.</summary>
    private bool IsDropClass(Dhcp6Packet query)
    {
        if (!query.Classes.Contains(PacketClassifier.Drop))
        {
            return false;
        }

        Statistics.AdminFiltered.Increment();
        Statistics.ReceiveDrop.Increment();
        _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_DROP_CLASS"), "{Label}: dropped packet with class DROP", query.Label);
        return true;
    }

    /// <summary>
    /// Stage (step 15): finds the client's reservation trying identifiers in <c>host-reservation-identifiers</c>
    /// order, the subnet's reservations first (when <c>reservations-in-subnet</c>), then global ones (when
    /// <c>reservations-global</c>); adds the reservation's classes, KNOWN or UNKNOWN, and evaluates the classes
    /// depending on them.
    /// </summary>
    private void LookupHost(ProcessingContext ctx)
    {
        ctx.Host = FindReservation(ctx);
        if (ctx.Host is { } host)
        {
            ctx.ReservationOptions = ctx.Runtime.OptionsOf(host);
            _log.LogDebug(new EventId(0, "DHCP6_HOST_FOUND"), "{Label}: reservation found: {Host}", ctx.Query.Label, host);
        }

        ctx.Runtime.Classifier.ClassifyAfterHostLookup(ctx.Query, ctx.Host is not null, ctx.Host?.ClientClasses ?? [], _log);
        ProcessClientFqdn(ctx);
    }

    private HostReservation? FindReservation(ProcessingContext ctx)
    {
        var runtime = ctx.Runtime;
        if (runtime.Reservations.Count == 0)
        {
            return null;
        }

        var modes = ctx.Subnet?.ReservationModes ?? runtime.Config.ReservationModes;
        foreach (var type in runtime.Config.HostReservationIdentifiers)
        {
            if (HostIdentifiers.Get(type, ctx) is not { } identifier)
            {
                continue;
            }

            if (ctx.Subnet is { } subnet && modes.InSubnet && runtime.Reservations.Find(subnet.Id, type, identifier) is { } inSubnet)
            {
                return inSubnet;
            }

            if (modes.Global && runtime.Reservations.Find(null, type, identifier) is { } global)
            {
                return global;
            }
        }

        return null;
    }
}
