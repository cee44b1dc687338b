using Microsoft.Extensions.Logging;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// Host reservation lookup and the second classification pass (digest §3.2 step 15): the client's
/// reservation is found trying identifiers in <c>host-reservation-identifiers</c> order, the
/// subnet's reservations first (when <c>reservations-in-subnet</c>), then global ones (when
/// <c>reservations-global</c>); its classes, KNOWN or UNKNOWN, and the classes depending on them are
/// added to the packet. The configuration's reservations are searched first, then each host database
/// (as Kea's HostMgr does, per identifier); without a host database the lookup completes synchronously.
/// </summary>
internal sealed class HostLookupStage(PipelineServices services)
{
    public ValueTask LookupAsync(ProcessingContext ctx)
    {
        if (ctx.Runtime.HostSources.Count > 0)
        {
            return LookupWithDatabasesAsync(ctx);
        }

        Found(ctx, FindConfigured(ctx));
        return ValueTask.CompletedTask;
    }

    private async ValueTask LookupWithDatabasesAsync(ProcessingContext ctx) =>
        Found(ctx, await FindWithDatabasesAsync(ctx).ConfigureAwait(false));

    private void Found(ProcessingContext ctx, HostReservation? host)
    {
        ctx.Host = host;
        if (host is not null)
        {
            ctx.ReservationOptions = ctx.Runtime.OptionsOf(host);
            services.Log.LogDebug(new EventId(0, "DHCP6_HOST_FOUND"), "{Label}: reservation found: {Host}", ctx.Query.Label, host);
        }

        ctx.Runtime.Classifier.ClassifyAfterHostLookup(ctx.Query, host is not null, host?.ClientClasses ?? [], services.Log);
    }

    private HostReservation? FindConfigured(ProcessingContext ctx)
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

    /// <summary>
    /// The same search order with host databases: for each identifier and scope, the configuration's reservation,
    /// else each database's in turn (Kea's HostMgr::get6 per identifier).
    /// </summary>
    private async ValueTask<HostReservation?> FindWithDatabasesAsync(ProcessingContext ctx)
    {
        var runtime = ctx.Runtime;
        var modes = ctx.Subnet?.ReservationModes ?? runtime.Config.ReservationModes;
        foreach (var type in runtime.Config.HostReservationIdentifiers)
        {
            if (services.HostIdentifiers.Get(type, ctx) is not { } identifier)
            {
                continue;
            }

            if (ctx.Subnet is { } subnet && modes.InSubnet)
            {
                if (runtime.Reservations.Find(subnet.Id, type, identifier) is { } configured)
                {
                    return configured;
                }

                foreach (var source in runtime.HostSources)
                {
                    if (await source.FindAsync(subnet.Id, type, identifier, runtime.Config.OptionDefinitions).ConfigureAwait(false) is { } inSubnet)
                    {
                        return inSubnet;
                    }
                }
            }

            if (modes.Global)
            {
                if (runtime.Reservations.Find(null, type, identifier) is { } configuredGlobal)
                {
                    return configuredGlobal;
                }

                foreach (var source in runtime.HostSources)
                {
                    if (await source.FindAsync(HostReservationIndex.GlobalKey, type, identifier, runtime.Config.OptionDefinitions).ConfigureAwait(false) is { } global)
                    {
                        return global;
                    }
                }
            }
        }

        return null;
    }
}
