using Microsoft.Extensions.Logging;
using Pukeko.Server.Classification;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// Host reservation lookup and the second classification pass (digest §3.2 step 15): the client's
/// reservation is found trying identifiers in <c>host-reservation-identifiers</c> order, the
/// subnet's reservations first (when <c>reservations-in-subnet</c>), then global ones (when
/// <c>reservations-global</c>); its classes, KNOWN or UNKNOWN, and the classes depending on them are
/// added to the packet. The configuration's reservations are searched first, then each host database
/// (as Kea's HostMgr does, per identifier); without a host database the lookup completes synchronously.
/// With <c>early-global-reservations-lookup</c> the global reservation is looked up before subnet selection
/// (<see cref="LookUpGlobalEarlyAsync"/>, step 12) and that host is reused here instead of a second global lookup.
/// </summary>
internal sealed class HostLookupStage(PipelineServices services)
{
    /// <summary>
    /// Step 12: the client's global reservation, before any subnet is selected; its classes and KNOWN (and the tests
    /// depending on them) are added to the packet so they can guide subnet, shared network and pool selection. The
    /// caller then checks the DROP class, as Kea does.
    /// </summary>
    public async ValueTask LookUpGlobalEarlyAsync(ProcessingContext ctx)
    {
        var host = await FindGlobalAsync(ctx).ConfigureAwait(false);
        ctx.EarlyGlobalLookupDone = true;
        ctx.EarlyGlobalHost = host;
        if (host is null)
        {
            return;
        }

        services.Log.LogDebug(new EventId(0, "DHCP6_HOST_FOUND"), "{Label}: global reservation found before subnet selection: {Host}", ctx.Query.Label, host);
        ctx.Runtime.Classifier.ClassifyWithEarlyGlobalHost(ctx.Query, host.ClientClasses, services.Log);
    }

    public ValueTask LookupAsync(ProcessingContext ctx)
    {
        if (ctx.Runtime.HostSources.Count > 0)
        {
            return LookupWithDatabasesAsync(ctx);
        }

        var host = FindConfigured(ctx);
        if (NeedsGlobalBeside(ctx, host))
        {
            return FoundBesideGlobalAsync(ctx, host);
        }

        Found(ctx, host, GlobalOf(ctx, host));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// After the message's leases are chosen: the classes of a subnet reservation in a shared network, which Kea leaves
    /// out of the classification before allocation (the subnet may still change), join the packet when the leases came
    /// from that reservation's subnet, in time for the additional classes and the options.
    /// </summary>
    public static void AddHostClassesAfterAllocation(ProcessingContext ctx)
    {
        if (ctx.HostClassesAfterAllocation && ctx.Host is { } host && host.SubnetId == ctx.Subnet?.Id)
        {
            ctx.HostClassesAfterAllocation = false;
            PacketClassifier.AddReservedClasses(ctx.Query, host.ClientClasses);
        }
    }

    private async ValueTask LookupWithDatabasesAsync(ProcessingContext ctx)
    {
        var host = await FindWithDatabasesAsync(ctx).ConfigureAwait(false);
        var global = NeedsGlobalBeside(ctx, host) ? await FindGlobalAsync(ctx).ConfigureAwait(false) : GlobalOf(ctx, host);
        Found(ctx, host, global);
    }

    private async ValueTask FoundBesideGlobalAsync(ProcessingContext ctx, HostReservation? host) =>
        Found(ctx, host, await FindGlobalAsync(ctx).ConfigureAwait(false));

    /// <summary>
    /// A subnet reservation with classes in a shared network, where global reservations apply too: whether the
    /// client's global reservation has classes decides when the subnet reservation's classes join (<see cref="Found"/>),
    /// so the global one is looked up as well (Kea's host lookup finds both).
    /// </summary>
    private static bool NeedsGlobalBeside(ProcessingContext ctx, HostReservation? host) =>
        !ctx.EarlyGlobalLookupDone && host is { SubnetId: not null, ClientClasses.Count: > 0 }
        && ctx.Subnet is { SharedNetwork: not null } subnet && subnet.ReservationModes.Global;

    /// <summary>The global reservation when it is the host found, else (early lookup) the one found before subnet selection.</summary>
    private static HostReservation? GlobalOf(ProcessingContext ctx, HostReservation? host) =>
        host is { SubnetId: null } ? host : EarlyGlobal(ctx, ctx.Subnet?.ReservationModes ?? ctx.Runtime.Config.ReservationModes);

    /// <summary>
    /// The host found and the classification after it (Kea's initContext). Reserved classes take part in the rest of
    /// the packet's processing as soon as they cannot depend on which subnet serves the client: a global reservation's
    /// classes (looked up late; early ones are in already) and any reservation's classes outside a shared network,
    /// with the arrival pass evaluated again. A subnet reservation's classes in a shared network wait until the
    /// leases are chosen (<see cref="AddHostClassesAfterAllocation"/>), as in Kea.
    /// </summary>
    private void Found(ProcessingContext ctx, HostReservation? host, HostReservation? global)
    {
        ctx.Host = host;
        if (host is not null)
        {
            ctx.ReservationOptions = ctx.Runtime.OptionsOf(host);
            services.Log.LogDebug(new EventId(0, "DHCP6_HOST_FOUND"), "{Label}: reservation found: {Host}", ctx.Query.Label, host);
        }

        var inSharedNetwork = ctx.Subnet?.SharedNetwork is not null;
        var lateGlobalClasses = !ctx.EarlyGlobalLookupDone && global is { ClientClasses.Count: > 0 };
        if (lateGlobalClasses || (!inSharedNetwork && host is { ClientClasses.Count: > 0 }))
        {
            ctx.Runtime.Classifier.ReclassifyWithReservedClasses(ctx.Query, host?.ClientClasses ?? [], services.Log);
        }
        else if (host is { SubnetId: not null, ClientClasses.Count: > 0 })
        {
            ctx.HostClassesAfterAllocation = true;
        }

        // A client with an early-found global reservation stays KNOWN even where the subnet does not use global
        // reservations (Kea keeps that host among the client's hosts).
        var known = host is not null || ctx.EarlyGlobalHost is not null;
        ctx.Runtime.Classifier.ClassifyAfterHostLookup(ctx.Query, known, services.Log);
    }

    /// <summary>The global reservation as the late lookup sees it: the one found early, when that lookup ran.</summary>
    private static HostReservation? EarlyGlobal(ProcessingContext ctx, ReservationModes modes) =>
        modes.Global ? ctx.EarlyGlobalHost : null;

    private HostReservation? FindConfigured(ProcessingContext ctx)
    {
        var runtime = ctx.Runtime;
        var modes = ctx.Subnet?.ReservationModes ?? runtime.Config.ReservationModes;
        if (runtime.Reservations.Count == 0)
        {
            return null;
        }

        var early = ctx.EarlyGlobalLookupDone;
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

            if (!early && modes.Global && runtime.Reservations.Find(null, type, identifier) is { } global)
            {
                return global;
            }
        }

        return early ? EarlyGlobal(ctx, modes) : null;
    }

    /// <summary>
    /// The same search order with host databases: for each identifier and scope, the configuration's reservation,
    /// else each database's in turn (Kea's HostMgr::get6 per identifier).
    /// </summary>
    private async ValueTask<HostReservation?> FindWithDatabasesAsync(ProcessingContext ctx)
    {
        var runtime = ctx.Runtime;
        var modes = ctx.Subnet?.ReservationModes ?? runtime.Config.ReservationModes;
        var early = ctx.EarlyGlobalLookupDone;
        foreach (var type in runtime.Config.HostReservationIdentifiers)
        {
            if (services.HostIdentifiers.Get(type, ctx) is not { } identifier)
            {
                continue;
            }

            if (ctx.Subnet is { } subnet && modes.InSubnet
                && await FindInScopeAsync(ctx, subnet.Id, type, identifier).ConfigureAwait(false) is { } inSubnet)
            {
                return inSubnet;
            }

            if (!early && modes.Global
                && await FindInScopeAsync(ctx, HostReservationIndex.GlobalKey, type, identifier).ConfigureAwait(false) is { } global)
            {
                return global;
            }
        }

        return early ? EarlyGlobal(ctx, modes) : null;
    }

    /// <summary>The global reservation for the client's first identifier (in preference order) that has one (Kea's findGlobalReservation).</summary>
    private async ValueTask<HostReservation?> FindGlobalAsync(ProcessingContext ctx)
    {
        foreach (var type in ctx.Runtime.Config.HostReservationIdentifiers)
        {
            if (services.HostIdentifiers.Get(type, ctx) is { } identifier
                && await FindInScopeAsync(ctx, HostReservationIndex.GlobalKey, type, identifier).ConfigureAwait(false) is { } host)
            {
                return host;
            }
        }

        return null;
    }

    /// <summary>One identifier in one scope (0: global): the configuration's reservation, else each database's in turn.</summary>
    private static async ValueTask<HostReservation?> FindInScopeAsync(ProcessingContext ctx, uint scope, HostIdentifierType type, byte[] identifier)
    {
        var runtime = ctx.Runtime;
        if (runtime.Reservations.Find(scope == HostReservationIndex.GlobalKey ? null : scope, type, identifier) is { } configured)
        {
            return configured;
        }

        foreach (var source in runtime.HostSources)
        {
            if (await source.FindAsync(scope, type, identifier, runtime.Config.OptionDefinitions).ConfigureAwait(false) is { } host)
            {
                return host;
            }
        }

        return null;
    }
}
