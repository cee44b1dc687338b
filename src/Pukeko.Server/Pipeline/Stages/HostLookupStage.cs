using Microsoft.Extensions.Logging;
using Pukeko.Server.Allocation;
using Pukeko.Server.Classification;
using Pukeko.Server.Configuration;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// Host reservation lookup and the second classification pass (digest §3.2 step 15): the client's
/// reservations are found trying identifiers in <c>host-reservation-identifiers</c> order, the global one (when
/// <c>reservations-global</c>) and the one in each subnet of the selected subnet's shared network (when
/// <c>reservations-in-subnet</c>); the subnet's reservation, else the global one, is the client's host; its
/// classes, KNOWN or UNKNOWN, and the classes depending on them are added to the packet. The configuration's reservations are searched first, then each host database
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
        var host = await FindInAsync(ctx, HostReservationIndex.GlobalKey).ConfigureAwait(false);
        ctx.EarlyGlobalLookupDone = true;
        ctx.EarlyGlobalHost = host;
        if (host is null)
        {
            return;
        }

        services.Log.LogDebug(new EventId(0, "DHCP6_HOST_FOUND"), "{Label}: global reservation found before subnet selection: {Host}", ctx.Query.Label, host);
        ctx.Runtime.Classifier.ClassifyWithEarlyGlobalHost(ctx.Query, host.ClientClasses, services.Log);
    }

    /// <summary>
    /// Step 15 (Kea's initContext and findReservation). No host is looked up when no subnet was selected: only a
    /// global reservation found early counts, and only for KNOWN. Otherwise the global reservation (where the subnet
    /// uses global reservations and the early lookup did not run), then the client's reservation in the selected subnet
    /// and, in a shared network, in each other member the client's classes allow (where that member uses in-subnet
    /// reservations); a reservation in any of them makes the client KNOWN.
    /// </summary>
    public ValueTask LookupAsync(ProcessingContext ctx)
    {
        if (ctx.Subnet is null)
        {
            Found(ctx, null, null);
            return ValueTask.CompletedTask;
        }

        if (ctx.Runtime.HostSources.Count > 0)
        {
            return LookupWithDatabasesAsync(ctx, ctx.Subnet);
        }

        var subnet = ctx.Subnet;
        var modes = subnet.ReservationModes;
        var global = GlobalBefore(ctx, modes, FindConfigured(ctx, null));
        HostReservation? selected = null;
        if (ctx.Runtime.Reservations.Count > 0 && LooksInSubnets(ctx, modes, global))
        {
            var network = subnet.SharedNetwork?.Subnets ?? subnet.Alone;
            var first = AllocationEngine.Offset(network, subnet);
            for (var i = 0; i < network.Count; i++)
            {
                var member = network[(first + i) % network.Count];
                if (InSubnetLookup(ctx, member) && FindConfigured(ctx, member.Id) is { } host)
                {
                    selected = Add(ctx, member, subnet, selected, host);
                }
            }
        }

        Found(ctx, selected, global);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// After the message's leases are chosen, in a shared network where the client has a subnet reservation: the
    /// current host is the reservation of the subnet that gave the first reserved lease, else of the subnet serving
    /// the client, else the global one (Kea's currentHost), and a subnet reservation's classes, left out of the
    /// classification before allocation since the subnet could still change, join the packet in time for the
    /// additional classes and the options.
    /// </summary>
    public static void AddHostClassesAfterAllocation(ProcessingContext ctx)
    {
        if (!ctx.HostClassesAfterAllocation || (ctx.HostSubnet ?? ctx.Subnet) is not { } serving)
        {
            return;
        }

        ctx.HostClassesAfterAllocation = false;
        var current = serving.ReservationModes.InSubnet ? ctx.SubnetHost(serving.Id) : null;
        current ??= ctx.Subnet!.ReservationModes.Global ? ctx.GlobalHost : null;
        if (!ReferenceEquals(current, ctx.Host))
        {
            ctx.ReservedHostnameChanged = current is { Hostname.Length: > 0 } && current.Hostname != ctx.Host?.Hostname;
            ctx.Host = current;
            ctx.ReservationOptions = current is null ? null : ctx.Runtime.OptionsOf(current);
        }

        if (current is { SubnetId: not null })
        {
            PacketClassifier.AddReservedClasses(ctx.Query, current.ClientClasses);
        }
    }

    private async ValueTask LookupWithDatabasesAsync(ProcessingContext ctx, Subnet6 subnet)
    {
        var modes = subnet.ReservationModes;
        var global = GlobalBefore(ctx, modes, !ctx.EarlyGlobalLookupDone && modes.Global
            ? await FindInAsync(ctx, HostReservationIndex.GlobalKey).ConfigureAwait(false)
            : null);
        HostReservation? selected = null;
        if (LooksInSubnets(ctx, modes, global))
        {
            var network = subnet.SharedNetwork?.Subnets ?? subnet.Alone;
            var first = AllocationEngine.Offset(network, subnet);
            for (var i = 0; i < network.Count; i++)
            {
                var member = network[(first + i) % network.Count];
                if (InSubnetLookup(ctx, member) && await FindInAsync(ctx, member.Id).ConfigureAwait(false) is { } host)
                {
                    selected = Add(ctx, member, subnet, selected, host);
                }
            }
        }

        Found(ctx, selected, global);
    }

    /// <summary>
    /// The global reservation as the late lookup has it: the one found early when that lookup ran (looked for only
    /// where the subnet uses global reservations, <paramref name="found"/> being null otherwise).
    /// </summary>
    private static HostReservation? GlobalBefore(ProcessingContext ctx, ReservationModes modes, HostReservation? found) =>
        ctx.EarlyGlobalLookupDone ? ctx.EarlyGlobalHost : modes.Global ? found : null;

    /// <summary>
    /// Kea skips the subnets when the selected one does not use in-subnet reservations and a global reservation is
    /// the client's (found early or now); otherwise each member decides by its own <c>reservations-in-subnet</c>.
    /// </summary>
    private static bool LooksInSubnets(ProcessingContext ctx, ReservationModes modes, HostReservation? global) =>
        modes.InSubnet || (!ctx.EarlyGlobalLookupDone && global is null);

    private static bool InSubnetLookup(ProcessingContext ctx, Subnet6 member) =>
        member.ReservationModes.InSubnet && member.ClientSupported(ctx.Query.Classes);

    /// <summary>A reservation found in <paramref name="member"/>: the selected subnet's is returned, another member's is kept aside.</summary>
    private static HostReservation? Add(ProcessingContext ctx, Subnet6 member, Subnet6 selected, HostReservation? selectedHost, HostReservation host)
    {
        if (member == selected)
        {
            return host;
        }

        // Every subnet reservation goes in the list, the selected subnet's first (it is looked up first).
        ctx.SharedNetworkHosts ??= selectedHost is null ? [] : [selectedHost];
        ctx.SharedNetworkHosts.Add(host);
        return selectedHost;
    }

    /// <summary>
    /// The host found and the classification after it (Kea's initContext). Reserved classes take part in the rest of
    /// the packet's processing as soon as they cannot depend on which subnet serves the client: when a global
    /// reservation with classes was found late (early ones are in already) or, outside a shared network, the current
    /// host has classes, the current host's classes join with the arrival pass evaluated again. In a shared network
    /// a subnet reservation's classes wait until the leases are chosen (<see cref="AddHostClassesAfterAllocation"/>).
    /// </summary>
    private void Found(ProcessingContext ctx, HostReservation? selected, HostReservation? global)
    {
        var modes = ctx.Subnet?.ReservationModes;
        ctx.GlobalHost = modes is { Global: true } ? global : null;
        var host = selected ?? ctx.GlobalHost;
        ctx.Host = host;
        if (host is not null)
        {
            ctx.ReservationOptions = ctx.Runtime.OptionsOf(host);
            services.Log.LogDebug(new EventId(0, "DHCP6_HOST_FOUND"), "{Label}: reservation found: {Host}", ctx.Query.Label, host);
        }

        var inSharedNetwork = ctx.Subnet?.SharedNetwork is not null;
        var lateGlobalClasses = !ctx.EarlyGlobalLookupDone && ctx.GlobalHost is { ClientClasses.Count: > 0 };
        if (lateGlobalClasses || (!inSharedNetwork && host is { ClientClasses.Count: > 0 }))
        {
            ctx.Runtime.Classifier.ReclassifyWithReservedClasses(ctx.Query, host?.ClientClasses ?? [], services.Log);
        }

        ctx.HostClassesAfterAllocation = inSharedNetwork && (selected is not null || ctx.SharedNetworkHosts is not null);

        // Any reservation found makes the client KNOWN, the early global one even where the subnet does not use
        // global reservations, and another member's of the shared network (Kea keeps them all among the client's hosts).
        var known = host is not null || ctx.SharedNetworkHosts is not null || ctx.EarlyGlobalHost is not null;
        ctx.Runtime.Classifier.ClassifyAfterHostLookup(ctx.Query, known, services.Log);
    }

    /// <summary>The client's reservation in one scope (null: global), trying its identifiers in preference order.</summary>
    private HostReservation? FindConfigured(ProcessingContext ctx, uint? scope)
    {
        var runtime = ctx.Runtime;
        if (runtime.Reservations.Count == 0 || (scope is null && (ctx.EarlyGlobalLookupDone || !(ctx.Subnet?.ReservationModes.Global ?? false))))
        {
            return null;
        }

        // By index: a foreach over the interface would allocate an enumerator per lookup.
        var types = runtime.Config.HostReservationIdentifiers;
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            if (services.HostIdentifiers.Get(type, ctx) is { } identifier && runtime.Reservations.Find(scope, type, identifier) is { } host)
            {
                return host;
            }
        }

        return null;
    }

    /// <summary>The same with host databases: for each identifier, the configuration's reservation, else each database's (Kea's HostMgr::get6).</summary>
    private async ValueTask<HostReservation?> FindInAsync(ProcessingContext ctx, uint scope)
    {
        var types = ctx.Runtime.Config.HostReservationIdentifiers;
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            if (services.HostIdentifiers.Get(type, ctx) is { } identifier
                && await FindInScopeAsync(ctx, scope, type, identifier).ConfigureAwait(false) is { } host)
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
