using System.Text.Json;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Turns the drafts into the immutable model: applies defaults and global → subnet inheritance, assigns missing
/// subnet ids, and runs the checks that need more than one key (ordering of lifetimes and timers, pools against
/// their subnet and each other, unique subnet ids and prefixes).
/// </summary>
internal static class ConfigResolver
{
    /// <summary>Kea's default <c>valid-lifetime</c>.</summary>
    public const uint DefaultValidLifetime = 7200;

    public const double DefaultT1Percent = 0.5;

    public const double DefaultT2Percent = 0.8;

    public static DhcpConfig? Resolve(GlobalDraft global, JsonElement source, ParseContext context)
    {
        var globalTiming = global.Timing;
        var globalValid = globalTiming.Valid.Resolve(context) ?? Lifetime.Fixed(DefaultValidLifetime);
        var globalPreferred = globalTiming.Preferred.Resolve(context);
        CheckTimers(globalTiming, globalTiming.RenewTimer, globalTiming.RebindTimer, context);
        CheckTeePercents(globalTiming, globalTiming.CalculateTeeTimes ?? true, globalTiming.T1Percent ?? DefaultT1Percent,
            globalTiming.T2Percent ?? DefaultT2Percent, context);

        var allSubnets = new List<SubnetDraft>(global.Subnets);
        foreach (var network in global.SharedNetworks)
        {
            allSubnets.AddRange(network.Subnets);
        }

        var ids = AssignSubnetIds(allSubnets, context);
        CheckUniquePrefixes(allSubnets, context);

        var globalDdns = global.Ddns.Resolve(DdnsParameters.Default);
        var globalLevel = new ParentLevel(globalTiming, globalValid, globalPreferred, global.Allocation, globalDdns);
        var networkLevels = new Dictionary<SharedNetworkDraft, ParentLevel>(ReferenceEqualityComparer.Instance);
        foreach (var network in global.SharedNetworks)
        {
            networkLevels[network] = ResolveNetworkLevel(network, globalLevel, context);
        }

        var subnets = new List<Subnet6>(allSubnets.Count);
        var members = new Dictionary<SharedNetworkDraft, List<Subnet6>>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < allSubnets.Count; i++)
        {
            var draft = allSubnets[i];
            var parent = draft.Network is { } owner ? networkLevels[owner] : globalLevel;
            var inheritedModes = global.ReservationModes.Resolve(Reservations.ReservationModes.Default);
            if (draft.Network is { } modesOwner)
            {
                inheritedModes = modesOwner.ReservationModes.Resolve(inheritedModes);
            }

            var subnet = ResolveSubnet(draft, ids[i], parent, context, inheritedModes);
            subnets.Add(subnet);
            if (draft.Network is { } network)
            {
                if (!members.TryGetValue(network, out var list))
                {
                    members[network] = list = [];
                }

                list.Add(subnet);
            }
        }

        var sharedNetworks = new List<SharedNetwork6>(global.SharedNetworks.Count);
        foreach (var draft in global.SharedNetworks)
        {
            var network = new SharedNetwork6
            {
                Name = draft.Name!,
                Subnets = members.TryGetValue(draft, out var list) ? list : [],
                Interface = draft.Interface,
                InterfaceId = draft.Link.InterfaceId,
                RelayAddresses = [.. draft.Link.RelayAddresses],
                Options = draft.Options,
                ClientClasses = draft.ClientClasses,
                AdditionalClasses = draft.AdditionalClasses,
                Ddns = networkLevels[draft].Ddns,
            };
            foreach (var subnet in network.Subnets)
            {
                subnet.SharedNetwork = network;
            }

            sharedNetworks.Add(network);
        }

        var rsoo = new HashSet<ushort>(global.RelaySuppliedOptions) { 65 };

        if (context.Errors.Count > 0)
        {
            return null;
        }

        return new DhcpConfig
        {
            Interfaces = [.. global.Interfaces],
            ReDetectInterfaces = global.ReDetectInterfaces,
            ServiceSocketsRequireAll = global.ServiceSocketsRequireAll,
            ServiceSocketsMaxRetries = global.ServiceSocketsMaxRetries,
            ServiceSocketsRetryWaitTime = global.ServiceSocketsRetryWaitTime,
            Subnets = subnets,
            SharedNetworks = sharedNetworks,
            RelaySuppliedOptions = rsoo,
            GlobalOptions = global.GlobalOptions,
            ClientClasses = global.ClientClasses,
            GlobalReservations = [.. global.Reservations],
            HostReservationIdentifiers = global.HostReservationIdentifiers,
            MacSources = global.MacSources,
            LeaseChecks = global.LeaseChecks,
            ExtendedInfoChecks = global.ExtendedInfoChecks,
            ReservationModes = global.ReservationModes.Resolve(Reservations.ReservationModes.Default),
            IpReservationsUnique = global.IpReservationsUnique,
            WrittenForKea3 = global.WrittenForKea3,
            EarlyGlobalReservationsLookup = global.EarlyGlobalReservationsLookup,
            LenientOptionParsing = global.LenientOptionParsing,
            OptionDefinitions = context.Definitions,
            LeaseDatabase = global.LeaseDatabase.Value!,
            HostsDatabases = [.. global.HostsDatabases],
            ServerId = global.ServerId.Value!,
            DeclineProbationPeriod = global.DeclineProbationPeriod,
            ExpiredLeasesProcessing = global.Expiration.Value!,
            MultiThreading = global.MultiThreading.Value!,
            Loggers = [.. global.Loggers],
            HooksLibraries = [.. global.HooksLibraries],
            ServerTag = global.ServerTag,
            ControlSockets = [.. global.ControlSockets],
            StatisticDefaultSampleCount = global.StatisticDefaultSampleCount,
            StatisticDefaultSampleAge = global.StatisticDefaultSampleAge,
            ParkedPacketLimit = global.ParkedPacketLimit,
            DhcpDdns = global.DhcpDdns,
            Ddns = globalDdns,
            Source = source.Clone(),
        };
    }

    /// <summary>What a subnet inherits from the level above it (global, or its shared network over global).</summary>
    private sealed record ParentLevel(TimingDraft Timing, Lifetime Valid, Lifetime? Preferred, AllocationDraft Allocation, DdnsParameters Ddns);

    private static ParentLevel ResolveNetworkLevel(SharedNetworkDraft network, ParentLevel global, ParseContext context)
    {
        var own = network.Timing;
        var valid = own.Valid.Resolve(context) ?? global.Valid;
        var preferred = own.Preferred.Resolve(context) ?? global.Preferred;
        var merged = own.InheritFrom(global.Timing);
        if (own.RenewTimer.HasValue || own.RebindTimer.HasValue)
        {
            CheckTimers(merged, merged.RenewTimer, merged.RebindTimer, context);
        }

        if (own.T1Percent.HasValue || own.T2Percent.HasValue || own.CalculateTeeTimes.HasValue)
        {
            CheckTeePercents(merged, merged.CalculateTeeTimes ?? true, merged.T1Percent ?? DefaultT1Percent, merged.T2Percent ?? DefaultT2Percent, context);
        }

        if (network.Interface is not null && network.Link.InterfaceId is not null)
        {
            context.Error(network.Link.InterfaceIdPath!, "interface and interface-id are mutually exclusive");
        }

        return new ParentLevel(merged, valid, preferred, network.Allocation.InheritFrom(global.Allocation), network.Ddns.Resolve(global.Ddns));
    }

    private static Subnet6 ResolveSubnet(SubnetDraft draft, uint id, ParentLevel parent, ParseContext context, Reservations.ReservationModes globalModes)
    {
        var global = parent.Timing;
        var globalValid = parent.Valid;
        var globalPreferred = parent.Preferred;
        var timing = draft.Timing;
        var valid = timing.Valid.Resolve(context) ?? globalValid;

        // Kea (since 2.4) leaves preferred-lifetime unspecified by default and derives it as 5/8 of the valid
        // lifetime; applied to each of min/default/max so a client hint maps the same way for both lifetimes.
        var preferred = timing.Preferred.Resolve(context) ?? globalPreferred ?? FiveEighths(valid);

        var renew = timing.RenewTimer ?? global.RenewTimer;
        var rebind = timing.RebindTimer ?? global.RebindTimer;
        if (timing.RenewTimer.HasValue || timing.RebindTimer.HasValue)
        {
            CheckTimers(timing, renew, rebind, context);
        }

        var calculate = timing.CalculateTeeTimes ?? global.CalculateTeeTimes ?? true;
        var t1 = timing.T1Percent ?? global.T1Percent ?? DefaultT1Percent;
        var t2 = timing.T2Percent ?? global.T2Percent ?? DefaultT2Percent;
        if (timing.T1Percent.HasValue || timing.T2Percent.HasValue || timing.CalculateTeeTimes.HasValue)
        {
            CheckTeePercents(timing, calculate, t1, t2, context);
        }

        var prefix = draft.Prefix!.Value;
        var ddns = draft.Ddns.Resolve(parent.Ddns);
        var pools = ResolvePools(draft, prefix, ddns, context);
        var reservations = new List<Reservations.HostReservation>();
        if (draft.Reservations is { } list)
        {
            ReservationParser.ParseList(list, ParseContext.Child(draft.Path, "reservations"), new Subnet6Scope(id, prefix), reservations, context);
        }
        var pdPools = ResolvePdPools(draft, context);
        var network = draft.Network;
        var iface = draft.Interface ?? network?.Interface;
        var interfaceId = draft.Link.InterfaceId ?? network?.Link.InterfaceId;
        if (draft.Interface is not null && network?.Interface is { } shared && shared != draft.Interface)
        {
            context.Error(draft.InterfacePath!, $"subnet interface '{draft.Interface}' differs from its shared network's interface '{shared}'");
        }

        if (iface is not null && interfaceId is not null && (draft.Interface is not null || draft.Link.InterfaceId is not null))
        {
            // Kea: a subnet is either directly attached (interface) or behind a relay (interface-id), not both.
            context.Error(draft.Link.InterfaceIdPath ?? draft.InterfacePath!, "interface and interface-id are mutually exclusive");
        }

        var allocation = draft.Allocation.InheritFrom(parent.Allocation);

        return new Subnet6
        {
            Id = id,
            Prefix = prefix,
            Pools = pools,
            Interface = iface,
            InterfaceId = interfaceId,
            RelayAddresses = [.. draft.Link.RelayAddresses],
            PdPools = pdPools,
            Allocator = allocation.Allocator ?? AllocatorKind.Iterative,
            PdAllocator = allocation.PdAllocator ?? AllocatorKind.Iterative,
            CacheThreshold = allocation.CacheThreshold ?? AllocationDraft.DefaultCacheThreshold,
            CacheMaxAge = allocation.CacheMaxAge,
            StoreExtendedInfo = allocation.StoreExtendedInfo ?? false,
            Options = draft.Options,
            ValidLifetime = valid,
            PreferredLifetime = preferred,
            RenewTimer = renew,
            RebindTimer = rebind,
            CalculateTeeTimes = calculate,
            T1Percent = t1,
            T2Percent = t2,
            ClientClasses = draft.ClientClasses,
            AdditionalClasses = draft.AdditionalClasses,
            Reservations = reservations,
            ReservationModes = draft.ReservationModes.Resolve(globalModes),
            RapidCommit = draft.RapidCommit ?? network?.RapidCommit ?? false,
            Ddns = ddns,
        };
    }

    private static Lifetime FiveEighths(Lifetime valid) =>
        new((uint)((ulong)valid.Min * 5 / 8), (uint)((ulong)valid.Default * 5 / 8), (uint)((ulong)valid.Max * 5 / 8));

    /// <summary>renew-timer (T1) must not exceed rebind-timer (T2); reported where the level sets them.</summary>
    private static void CheckTimers(TimingDraft level, uint? renew, uint? rebind, ParseContext context)
    {
        if (renew is { } t1 && rebind is { } t2 && t1 > t2)
        {
            context.Error(level.RenewTimerPath ?? level.RebindTimerPath!,
                $"renew-timer ({t1}) must not be greater than rebind-timer ({t2})");
        }
    }

    /// <summary>With calculated T1/T2, t1-percent must be below t2-percent (Kea checks this only when calculating).</summary>
    private static void CheckTeePercents(TimingDraft level, bool calculate, double t1, double t2, ParseContext context)
    {
        if (calculate && t1 >= t2 && (level.T1PercentPath ?? level.T2PercentPath ?? level.CalculateTeeTimesPath) is { } path)
        {
            context.Error(path, $"t1-percent ({t1}) must be less than t2-percent ({t2})");
        }
    }

    private static List<AddressPool> ResolvePools(SubnetDraft subnet, Ipv6Prefix prefix, DdnsParameters subnetDdns, ParseContext context)
    {
        var inside = new List<PoolDraft>();
        foreach (var pool in subnet.Pools)
        {
            if (prefix.Contains(pool.First) && prefix.Contains(pool.Last))
            {
                inside.Add(pool);
            }
            else
            {
                context.Error(pool.PoolPath, $"pool {Describe(pool)} is outside subnet {prefix}");
            }
        }

        // Sorted sweep: a pool overlaps an earlier one when it starts before the furthest end seen so far.
        var order = new Dictionary<PoolDraft, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < subnet.Pools.Count; i++)
        {
            order[subnet.Pools[i]] = i;
        }

        PoolDraft? furthest = null;
        foreach (var pool in inside.OrderBy(p => p.First).ThenBy(p => order[p]))
        {
            if (furthest is not null && pool.First <= furthest.Last)
            {
                var (later, earlier) = order[pool] > order[furthest] ? (pool, furthest) : (furthest, pool);
                context.Error(later.PoolPath, $"pool {Describe(later)} overlaps with pool {Describe(earlier)} ({earlier.Path})");
            }

            if (furthest is null || pool.Last > furthest.Last)
            {
                furthest = pool;
            }
        }

        return [.. inside.Select(p => new AddressPool { First = p.First, Last = p.Last, PoolId = p.PoolId, Options = p.Options, ClientClasses = p.ClientClasses, AdditionalClasses = p.AdditionalClasses, Ddns = p.Ddns.IsEmpty ? null : p.Ddns.Resolve(subnetDdns) })];
    }

    /// <summary>pd-pools of one subnet must not overlap (Kea rejects a pool that overlaps an existing one).</summary>
    private static List<PrefixPool> ResolvePdPools(SubnetDraft subnet, ParseContext context)
    {
        var accepted = new List<(PrefixPool Pool, PdPoolDraft Draft)>();
        foreach (var draft in subnet.PdPools)
        {
            if (draft.Pool is not { } pool)
            {
                continue;
            }

            var clash = accepted.FindIndex(a => a.Pool.Prefix.Contains(pool.Prefix) || pool.Prefix.Contains(a.Pool.Prefix));
            if (clash >= 0)
            {
                context.Error(draft.PrefixPath, $"pd-pool {pool.Prefix} overlaps with pd-pool {accepted[clash].Pool.Prefix} ({accepted[clash].Draft.Path})");
                continue;
            }

            accepted.Add((pool, draft));
        }

        return [.. accepted.Select(a => a.Pool)];
    }

    private static string Describe(PoolDraft pool) =>
        pool.Text.Contains('/', StringComparison.Ordinal) ? pool.Text : $"{pool.First}-{pool.Last}";

    /// <summary>
    /// Explicit ids must be unique. Subnets without one get the lowest ids not taken by any explicit id, counting up
    /// from 1 in configuration order (like Kea, such ids are not stable across configuration changes).
    /// </summary>
    private static uint[] AssignSubnetIds(List<SubnetDraft> subnets, ParseContext context)
    {
        var ids = new uint[subnets.Count];
        var owners = new Dictionary<uint, SubnetDraft>();
        for (var i = 0; i < subnets.Count; i++)
        {
            if (subnets[i].Id is not { } id)
            {
                continue;
            }

            if (owners.TryGetValue(id, out var owner))
            {
                context.Error(subnets[i].IdPath, $"subnet id {id} is already used by {owner.Path} ({owner.Prefix})");
            }
            else
            {
                owners[id] = subnets[i];
            }

            ids[i] = id;
        }

        uint next = 1;
        for (var i = 0; i < subnets.Count; i++)
        {
            if (subnets[i].Id.HasValue)
            {
                continue;
            }

            while (owners.ContainsKey(next))
            {
                next++;
            }

            ids[i] = next;
            owners[next] = subnets[i];
        }

        return ids;
    }

    private static void CheckUniquePrefixes(List<SubnetDraft> subnets, ParseContext context)
    {
        var owners = new Dictionary<Ipv6Prefix, SubnetDraft>();
        foreach (var subnet in subnets)
        {
            var prefix = subnet.Prefix!.Value;
            if (owners.TryGetValue(prefix, out var owner))
            {
                context.Error(subnet.SubnetPath, $"subnet {prefix} is already defined by {owner.Path}");
            }
            else
            {
                owners[prefix] = subnet;
            }
        }
    }
}
