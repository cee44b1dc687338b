using Microsoft.Extensions.Logging;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// Host reservation lookup and the second classification pass (digest §3.2 step 15): the client's
/// reservation is found trying identifiers in <c>host-reservation-identifiers</c> order, the
/// subnet's reservations first (when <c>reservations-in-subnet</c>), then global ones (when
/// <c>reservations-global</c>); its classes, KNOWN or UNKNOWN, and the classes depending on them are
/// added to the packet.
/// </summary>
internal sealed class HostLookupStage(PipelineServices services)
{
    public void Lookup(ProcessingContext ctx)
    {
        ctx.Host = FindReservation(ctx);
        if (ctx.Host is { } host)
        {
            ctx.ReservationOptions = ctx.Runtime.OptionsOf(host);
            services.Log.LogDebug(new EventId(0, "DHCP6_HOST_FOUND"), "{Label}: reservation found: {Host}", ctx.Query.Label, host);
        }

        ctx.Runtime.Classifier.ClassifyAfterHostLookup(ctx.Query, ctx.Host is not null, ctx.Host?.ClientClasses ?? [], services.Log);
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
            if (services.HostIdentifiers.Get(type, ctx) is not { } identifier)
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
