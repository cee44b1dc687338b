using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Classification;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Reservations;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Chooses, creates, extends and reuses address and prefix leases (digest §3.7) across the
/// selected subnet and, when it belongs to one, the rest of its shared network. In a fake
/// allocation (Solicit without Rapid Commit) it decides what the client would get and stores nothing.
/// </summary>
internal sealed class AllocationEngine(ILeaseStore store, LeaseStatistics statistics, PacketStatistics packetStatistics, ILogger logger)
{
    private static readonly PrefixLengthMatch[] EqualOnly = [PrefixLengthMatch.Equal];
    private static readonly PrefixLengthMatch[] AllMatches = [PrefixLengthMatch.Equal, PrefixLengthMatch.Lower, PrefixLengthMatch.Higher];

    // Candidates tried in a subnet before the search is bounded by its lease count.
    private static readonly UInt128 BoundCheckAfter = 64;

    private readonly IterativeAllocator _iterative = new();
    private readonly RandomAllocator _random = new();

    // When each subnet last got a lease from an allocator, per lease type: a shared network starts
    // with its most recently used subnet (Kea's getPreferredSubnet), so it fills one subnet first.
    private readonly ConcurrentDictionary<(uint Subnet, LeaseType Type), long> _lastUsed = new();
    private long _usage;

    public ILeaseStore Store { get; } = store;

    /// <summary>Every lease change of the packet path goes through here (and so to the change feed).</summary>
    public LeaseWriter Writer { get; } = new(store, logger);

    /// <summary>Per-client claims, shared with reclamation and the lease commands.</summary>
    public ClientClaims Claims { get; } = new();

    /// <summary>Hook points lease6_select / lease6_renew / lease6_rebind; null or empty = none called.</summary>
    public HooksManager? Hooks { get; set; }

    /// <summary>Forgets allocator positions (the subnets they point into are replaced on reconfiguration).</summary>
    public void Reset()
    {
        _iterative.Reset();
        _random.Reset();
        _lastUsed.Clear();
    }

    /// <summary>
    /// The address lease for one IA_NA of a Solicit or Request (null when nothing can be allocated).
    /// Kept for callers that only deal with addresses.
    /// </summary>
    public async ValueTask<Lease6?> AllocateAddressAsync(ProcessingContext ctx, uint iaid, Ipv6Address? hint, uint preferredHint, uint validHint)
    {
        var leases = await AllocateAsync(ctx, LeaseType.NA, iaid, new LeaseHint(hint ?? Ipv6Address.Any, 128, preferredHint, validHint)).ConfigureAwait(false);
        return leases.Count > 0 ? leases[0] : null;
    }

    /// <summary>The query's lease transaction, opened at its first write.</summary>
    public LeaseTransaction WorkFor(ProcessingContext ctx) => ctx.LeaseWork ??= ctx.TakeSpareLeaseWork(Writer) ?? Writer.Begin();

    /// <summary>
    /// The leases for one IA of a Solicit or Request: the client's existing leases of this IA in the
    /// subnet or its shared network if they still fit (one for IA_NA, all for IA_PD), else the hint
    /// if free, else the next free block from the allocator. Empty when nothing can be allocated.
    /// <see cref="ProcessingContext.Subnet"/> becomes the subnet the lease is in.
    /// </summary>
    public async ValueTask<List<Lease6>> AllocateAsync(ProcessingContext ctx, LeaseType type, uint iaid, LeaseHint hint)
    {
        var selected = ctx.Subnet ?? throw new InvalidOperationException("no subnet selected");
        var members = Members(ctx, selected);
        var result = ctx.RentLeaseList();
        var existingLeases = await ExistingLeasesAsync(ctx, type, iaid, Network(selected)).ConfigureAwait(false);
        if (await AllocateReservedAsync(ctx, type, iaid, hint, members, existingLeases).ConfigureAwait(false) is { } reserved)
        {
            result.Add(reserved);
            return result;
        }

        foreach (var (existing, subnet) in existingLeases)
        {
            if (FindUsablePool(ctx, subnet, existing) is not { } pool || await IsReservedForOtherAsync(ctx, subnet, existing.Type, existing.Address, pool).ConfigureAwait(false))
            {
                // The pool changed under the lease, the client's classes no longer allow it, or it is now reserved
                // for another client (digest §3.7 case 2): drop it so the client moves to a valid block.
                if (!ctx.FakeAllocation)
                {
                    await RemoveLeaseAsync(ctx, existing).ConfigureAwait(false);
                }

                continue;
            }

            if (await RefreshAsync(ctx, existing, subnet, pool, hint).ConfigureAwait(false) is not { } refreshed)
            {
                continue;
            }

            result.Add(refreshed);
            ctx.Subnet = subnet;
            if (type == LeaseType.NA)
            {
                break; // one address per IA_NA, as Kea
            }
        }

        if (result.Count == 0 && await AllocateUnreservedAsync(ctx, type, iaid, hint, members).ConfigureAwait(false) is { } fresh)
        {
            result.Add(fresh);
        }

        return result;
    }

    /// <summary>
    /// Renew/Rebind of one IA: extends the client's leases of the IA in the subnet or its shared
    /// network; when it has none, allocates a new one as Kea does. A client with a reservation it does not hold yet
    /// in this IA gets it now (Kea's renewLeases6), and leases it has no reservation for then go. Leases that left
    /// their pools, or were replaced by the reserved one, are removed and reported in <paramref name="retired"/> so the
    /// reply can give them zero lifetimes.
    /// </summary>
    public async ValueTask<List<Lease6>> ExtendAsync(ProcessingContext ctx, LeaseType type, uint iaid, IReadOnlyList<LeaseHint> hints, List<Lease6> retired)
    {
        var selected = ctx.Subnet ?? throw new InvalidOperationException("no subnet selected");
        var members = Members(ctx, selected);
        var first = hints.Count > 0 ? hints[0] : LeaseHint.None;
        var result = ctx.RentLeaseList();
        var existingLeases = await ExistingLeasesAsync(ctx, type, iaid, Network(selected)).ConfigureAwait(false);
        if (ctx.Host is not null || ctx.SharedNetworkHosts is not null)
        {
            if (await TakeMissingReservationAsync(ctx, type, iaid, first, members, existingLeases, retired).ConfigureAwait(false) is { } reserved)
            {
                result.Add(reserved);
                return result;
            }

            await RemoveUnreservedAsync(ctx, existingLeases, retired).ConfigureAwait(false);
        }

        foreach (var (existing, subnet) in existingLeases)
        {
            var reservedHere = IsReservedForClient(ctx, subnet, existing);
            var pool = FindUsablePool(ctx, subnet, existing);
            if (!reservedHere && (pool is null || await IsReservedForOtherAsync(ctx, subnet, existing.Type, existing.Address, pool).ConfigureAwait(false)))
            {
                await RemoveLeaseAsync(ctx, existing).ConfigureAwait(false);
                retired.Add(existing);
                continue;
            }

            if (reservedHere)
            {
                ctx.ReservedAddressesUsed.Add(existing.Address);
            }

            var hint = first;
            for (var i = 0; i < hints.Count; i++)
            {
                if (hints[i].Address == existing.Address)
                {
                    hint = hints[i];
                    break;
                }
            }

            if (await RefreshAsync(ctx, existing, subnet, pool, hint).ConfigureAwait(false) is { } refreshed)
            {
                result.Add(refreshed);
                ctx.Subnet = subnet;
            }
        }

        if (result.Count == 0 && await AllocateUnreservedAsync(ctx, type, iaid, first, members).ConfigureAwait(false) is { } fresh)
        {
            result.Add(fresh);
        }

        return result;
    }

    /// <summary>
    /// Kea's allocateReservedLeases6 on a Renew or Rebind: when none of the IA's leases is one the client has a
    /// reservation for, a free reserved block is taken, and the IA's other leases go (into <paramref name="retired"/>).
    /// </summary>
    private async ValueTask<Lease6?> TakeMissingReservationAsync(
        ProcessingContext ctx, LeaseType type, uint iaid, LeaseHint hint, IReadOnlyList<Subnet6> members, List<(Lease6 Lease, Subnet6 Subnet)> existing, List<Lease6> retired)
    {
        foreach (var (lease, subnet) in existing)
        {
            if (HasReservationFor(ctx, subnet, lease))
            {
                return null;
            }
        }

        if (await AllocateReservedAsync(ctx, type, iaid, hint, members, existing).ConfigureAwait(false) is not { } reserved)
        {
            return null;
        }

        // The same leases TakeReservedAsync removed once it had the reserved one.
        foreach (var (other, _) in existing)
        {
            if (other.Address != reserved.Address && other.State == LeaseState.Default)
            {
                retired.Add(other);
            }
        }

        return reserved;
    }

    /// <summary>
    /// Kea's removeNonreservedLeases6: while the IA has more than one lease, those the client has no reservation for
    /// (in their subnet, or globally) are removed, in order.
    /// </summary>
    private async ValueTask RemoveUnreservedAsync(ProcessingContext ctx, List<(Lease6 Lease, Subnet6 Subnet)> existing, List<Lease6> retired)
    {
        for (var i = 0; i < existing.Count && existing.Count > 1;)
        {
            var (lease, subnet) = existing[i];
            if (HasReservationFor(ctx, subnet, lease))
            {
                i++;
                continue;
            }

            await RemoveLeaseAsync(ctx, lease).ConfigureAwait(false);
            retired.Add(lease);
            existing.RemoveAt(i);
        }
    }

    /// <summary>The client has a reservation for this lease's block, in its subnet or globally (no class check, as in Kea).</summary>
    private static bool HasReservationFor(ProcessingContext ctx, Subnet6 subnet, Lease6 lease) =>
        Reserves(ctx.SubnetHost(subnet.Id), lease) || Reserves(ctx.GlobalHost, lease);

    /// <summary>Deletes a lease the client may no longer keep.</summary>
    public async ValueTask RemoveLeaseAsync(ProcessingContext ctx, Lease6 lease)
    {
        await WorkFor(ctx).DeleteAsync(lease, LeaseChangeReason.Removed).ConfigureAwait(false);
    }

    /// <summary>The pool may serve this client: its <c>client-classes</c> (if any) include one of the packet's classes.</summary>
    private static bool PoolAllowed(ProcessingContext ctx, ILeasePool pool) =>
        pool is not IClassGated gated || gated.ClientSupported(ctx.Query.Classes);

    /// <summary>
    /// Digest §3.7 cases 1 and 3: the client's reserved addresses (IA_NA) or prefixes (IA_PD) come first, in or out
    /// of the pools. A reserved block the client already holds is renewed; a free one is taken; one already given to
    /// another IA of this message is skipped. Once the IA has its reserved block, its other leases go.
    /// </summary>
    private async ValueTask<Lease6?> AllocateReservedAsync(ProcessingContext ctx, LeaseType type, uint iaid, LeaseHint hint, IReadOnlyList<Subnet6> members, List<(Lease6 Lease, Subnet6 Subnet)> existing)
    {
        if (ctx.Host is null && ctx.SharedNetworkHosts is null)
        {
            return null;
        }

        // Kea's allocateReservedLeases6: the reservation in each member the client may use, from the subnet serving
        // it on, then the global one in any member. A reserved block from another member moves the client there.
        var first = Offset(members, HeldReservationSubnet(ctx, existing) ?? ctx.Subnet!);
        for (var m = 0; m < members.Count; m++)
        {
            var subnet = members[(first + m) % members.Count];
            if (ctx.SubnetHost(subnet.Id) is { } host
                && await TakeReservedAsync(ctx, host, subnet, type, iaid, hint, existing).ConfigureAwait(false) is { } lease)
            {
                return lease;
            }
        }

        if (ctx.GlobalHost is { } global)
        {
            foreach (var subnet in members)
            {
                if (await TakeReservedAsync(ctx, global, subnet, type, iaid, hint, existing).ConfigureAwait(false) is { } lease)
                {
                    return lease;
                }
            }
        }

        return null;
    }

    /// <summary>A subnet where the client already holds a block its reservation there reserves: Kea keeps that one.</summary>
    private static Subnet6? HeldReservationSubnet(ProcessingContext ctx, List<(Lease6 Lease, Subnet6 Subnet)> existing)
    {
        if (ctx.SharedNetworkHosts is null)
        {
            return null;
        }

        foreach (var (lease, subnet) in existing)
        {
            if (lease.ValidLifetime != 0 && Reserves(ctx.SubnetHost(subnet.Id), lease))
            {
                return subnet;
            }
        }

        return null;
    }

    /// <summary>
    /// The first of the host's reserved blocks of this type that <paramref name="subnet"/> can give the client: its own
    /// if it holds it, else a free one. A subnet's reservation counts only with <c>reservations-in-subnet</c>, and not
    /// in a pool with <c>reservations-out-of-pool</c>, as in Kea. Once taken, the IA's other leases go.
    /// </summary>
    private async ValueTask<Lease6?> TakeReservedAsync(ProcessingContext ctx, HostReservation host, Subnet6 subnet, LeaseType type, uint iaid, LeaseHint hint, List<(Lease6 Lease, Subnet6 Subnet)> existing)
    {
        var modes = subnet.ReservationModes;
        if (host.SubnetId is not null && !modes.InSubnet)
        {
            return null;
        }

        foreach (var (address, length) in ReservedBlocks(host, type))
        {
            // Reserved addresses must be on the subnet's link; delegated prefixes usually lie outside it.
            if ((type == LeaseType.NA && !subnet.Prefix.Contains(address)) || ctx.ReservedAddressesUsed.Contains(address))
            {
                continue;
            }

            var pool = subnet.FindPool(type, address);
            if (host.SubnetId is not null && modes.OutOfPool && pool is not null)
            {
                continue;
            }

            Lease6? lease = null;
            foreach (var (own, ownSubnet) in existing)
            {
                if (own.Address == address && ownSubnet == subnet)
                {
                    lease = await RefreshAsync(ctx, own, subnet, pool, hint).ConfigureAwait(false);
                    break;
                }
            }

            lease ??= await TryTakeAsync(ctx, subnet, pool, address, type, iaid, hint, length).ConfigureAwait(false);
            if (lease is null)
            {
                continue;
            }

            ctx.ReservedAddressesUsed.Add(address);
            ctx.Subnet = subnet;
            ctx.HostSubnet ??= subnet;
            if (!ctx.FakeAllocation)
            {
                foreach (var (other, _) in existing)
                {
                    if (other.Address != address && other.State == LeaseState.Default)
                    {
                        await RemoveLeaseAsync(ctx, other).ConfigureAwait(false);
                    }
                }
            }

            return lease;
        }

        return null;
    }

    private static IEnumerable<(Ipv6Address Address, byte Length)> ReservedBlocks(HostReservation host, LeaseType type) =>
        type == LeaseType.PD
            ? host.Prefixes.Select(p => (p.First, p.Length))
            : host.IpAddresses.Select(a => (a, (byte)128));

    /// <summary>A global reservation keeps the lease anywhere; a subnet's only where the client's classes allow that subnet (Kea's extendLease6).</summary>
    private static bool IsReservedForClient(ProcessingContext ctx, Subnet6 subnet, Lease6 lease) =>
        (subnet.ClientSupported(ctx.Query.Classes) && Reserves(ctx.SubnetHost(subnet.Id), lease)) || Reserves(ctx.GlobalHost, lease);

    // A loop, not ReservedBlocks(...).Any(lambda): the lambda's closure over the lease was made on every call, also
    // for the clients without a reservation, once per renewed lease.
    private static bool Reserves(HostReservation? host, Lease6 lease)
    {
        if (host is null)
        {
            return false;
        }

        foreach (var (address, _) in ReservedBlocks(host, lease.Type))
        {
            if (address == lease.Address)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when this address or prefix is reserved, and not for this client. Kea checks only with
    /// <c>reservations-in-subnet</c>, and skips in-pool blocks when <c>reservations-out-of-pool</c> promises
    /// reservations lie outside the pools; global reservations count where <c>reservations-global</c> is on.
    /// With <c>ip-reservations-unique</c> false several hosts may reserve it: it is kept from every client that is
    /// not one of them (Kea's getAll6; whoever of them asks first gets it, as its lease then exists).
    /// The configuration's reservations answer synchronously; host databases, when configured, are asked after them.
    /// </summary>
    private static ValueTask<bool> IsReservedForOtherAsync(ProcessingContext ctx, Subnet6 subnet, LeaseType type, Ipv6Address address, ILeasePool? pool)
    {
        var reservations = ctx.Runtime.Reservations;
        var sources = ctx.Runtime.HostSources;
        if (reservations.Count == 0 && sources.Count == 0)
        {
            return ValueTask.FromResult(false);
        }

        var modes = subnet.ReservationModes;
        var inSubnet = modes.InSubnet && !(modes.OutOfPool && pool is not null);
        var prefix = new Ipv6Prefix(address, type == LeaseType.PD ? pool?.BlockLength ?? 128 : (byte)128);
        IReadOnlyList<HostReservation> Lookup(uint? subnetId) => type == LeaseType.PD
            ? reservations.FindByPrefix(subnetId, prefix)
            : reservations.FindByAddress(subnetId, address);

        IReadOnlyList<HostReservation> owners = [];
        if (inSubnet)
        {
            owners = Lookup(subnet.Id);
        }

        if (owners.Count == 0 && modes.Global)
        {
            owners = Lookup(null);
        }

        if (owners.Count > 0 || sources.Count == 0)
        {
            return ValueTask.FromResult(IsOthers(owners, ctx));
        }

        return IsReservedInDatabasesAsync(ctx, sources, inSubnet ? subnet.Id : null, modes.Global, type, prefix);
    }

    /// <summary>True when <paramref name="owners"/> reserve the block and none of them is the client's.</summary>
    private static bool IsOthers(IReadOnlyList<HostReservation> owners, ProcessingContext ctx)
    {
        foreach (var owner in owners)
        {
            if (ctx.IsOwnHost(owner))
            {
                return false;
            }
        }

        return owners.Count > 0;
    }

    private static async ValueTask<bool> IsReservedInDatabasesAsync(ProcessingContext ctx, IReadOnlyList<IHostDataSource> sources, uint? subnetId, bool global, LeaseType type, Ipv6Prefix block)
    {
        uint?[] scopes = [subnetId, global ? HostReservationIndex.GlobalKey : null];
        foreach (var source in sources)
        {
            foreach (var id in scopes)
            {
                if (id is not { } scope)
                {
                    continue;
                }

                var owners = type == LeaseType.PD
                    ? await source.FindByPrefixAsync(scope, block).ConfigureAwait(false)
                    : await source.FindByAddressAsync(scope, block.First).ConfigureAwait(false);
                if (owners.Count > 0)
                {
                    return IsOthers(owners, ctx);
                }
            }
        }

        return false;
    }

    /// <summary>The lease's pool, when the client's classes allow both it and its subnet (Kea's inAllowedPool).</summary>
    private static ILeasePool? FindUsablePool(ProcessingContext ctx, Subnet6 subnet, Lease6 lease) =>
        subnet.ClientSupported(ctx.Query.Classes) && subnet.FindPool(lease.Type, lease.Address) is { } pool && PoolAllowed(ctx, pool) ? pool : null;

    /// <summary>
    /// Where the client's leases are looked for: the selected subnet or every subnet of its shared network, whether or
    /// not the client's classes allow it (Kea's allocation and renewal take them all, then drop those not allowed).
    /// </summary>
    private static IReadOnlyList<Subnet6> Network(Subnet6 selected) => selected.SharedNetwork?.Subnets ?? selected.Alone;

    /// <summary>
    /// The selected subnet, or every subnet of its shared network, that the client may use (configuration order). The
    /// selected subnet is checked again too, as Kea's allocation does: classes a reservation brought after subnet
    /// selection may no longer satisfy its <c>client-classes</c>.
    /// </summary>
    private static IReadOnlyList<Subnet6> Members(ProcessingContext ctx, Subnet6 selected)
    {
        if (selected.SharedNetwork is not { } network)
        {
            return selected.ClientSupported(ctx.Query.Classes) ? selected.Alone : [];
        }

        var members = new List<Subnet6>(network.Subnets.Count);
        foreach (var subnet in network.Subnets)
        {
            if (subnet.ClientSupported(ctx.Query.Classes))
            {
                members.Add(subnet);
            }
        }

        return members;
    }

    private async ValueTask<List<(Lease6 Lease, Subnet6 Subnet)>> ExistingLeasesAsync(ProcessingContext ctx, LeaseType type, uint iaid, IReadOnlyList<Subnet6> members)
    {
        var leases = ctx.RentLeaseList();

        // Found first, so leases that record the same hardware address share the query's array.
        _ = ctx.ClientHardwareAddress();
        await Store.AddByClientAsync(ctx.ClientDuid, iaid, type, leases, ctx.RentedLeases).ConfigureAwait(false);
        var found = ctx.RentPlacedLeaseList();

        // Indexed loops: a foreach over these interfaces boxes an enumerator, per IA of every packet.
        for (var l = 0; l < leases.Count; l++)
        {
            var lease = leases[l];
            if (lease.State is LeaseState.Registered or LeaseState.Declined)
            {
                continue;
            }

            for (var m = 0; m < members.Count; m++)
            {
                var subnet = members[m];
                if (subnet.Id == lease.SubnetId)
                {
                    found.Add((lease, subnet));
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Kea's allocateUnreservedLeases6: for each prefix-length match (only Equal for addresses or
    /// a length-free hint), first the hint if it lies in a matching pool, then the allocator over
    /// the network's subnets starting with the most recently used one.
    /// </summary>
    private async ValueTask<Lease6?> AllocateUnreservedAsync(ProcessingContext ctx, LeaseType type, uint iaid, LeaseHint hint, IReadOnlyList<Subnet6> members)
    {
        var start = ctx.Subnet!;
        var matches = type == LeaseType.PD && hint.Length is not (0 or 128) ? AllMatches : EqualOnly;
        var anyCapacity = false;
        foreach (var match in matches)
        {
            if (!hint.Address.IsUnspecified && await TryHintAsync(ctx, type, iaid, hint, match, members, Offset(members, start)).ConfigureAwait(false) is { } hinted)
            {
                return hinted;
            }

            if (ctx.LeaseSelectSkipped)
            {
                // A lease6_select callout refused the hinted lease.
                ctx.LeaseSelectSkipped = false;
                return null;
            }

            var allowed = new PoolFilter(ctx.Query.Classes, match, hint.Length);
            var first = Offset(members, Preferred(members, start, type));
            for (var m = 0; m < members.Count; m++)
            {
                var subnet = members[(first + m) % members.Count];
                UInt128 capacity = 0;
                var pools = subnet.PoolsOf(type);
                for (var p = 0; p < pools.Count; p++)
                {
                    // Indexed: a foreach over the interface would box an enumerator per subnet tried.
                    var pool = pools[p];
                    if (allowed.Allows(pool))
                    {
                        capacity = capacity > UInt128.MaxValue - pool.Capacity ? UInt128.MaxValue : capacity + pool.Capacity;
                    }
                }

                anyCapacity |= capacity > 0;
                var attempts = capacity;
                var allocator = (type == LeaseType.PD ? subnet.PdAllocator : subnet.Allocator) is AllocatorKind.Random or AllocatorKind.SharedFreeLeaseQueue
                    ? (ILeaseAllocator)_random
                    : _iterative;
                for (UInt128 i = 0; i < attempts; i++)
                {
                    if (i == BoundCheckAfter && attempts > BoundCheckAfter)
                    {
                        // Trying more blocks than the subnet has leases and reservations cannot find anything new,
                        // which bounds huge pools too; the count is asked for only once the search is long.
                        var bound = await SubnetLeaseCountAsync(subnet, type).ConfigureAwait(false) + (UInt128)ctx.Runtime.Reservations.Count + 1;
                        attempts = attempts < bound ? attempts : bound;
                        if (i >= attempts)
                        {
                            break;
                        }
                    }

                    if (allocator.Pick(subnet, type, allowed) is not { } candidate)
                    {
                        break;
                    }

                    if (await IsReservedForOtherAsync(ctx, subnet, type, candidate.Address, candidate.Pool).ConfigureAwait(false))
                    {
                        continue;
                    }

                    if (await TryTakeAsync(ctx, subnet, candidate.Pool, candidate.Address, type, iaid, hint).ConfigureAwait(false) is { } lease)
                    {
                        _lastUsed[(subnet.Id, type)] = Interlocked.Increment(ref _usage);
                        ctx.Subnet = subnet;
                        return lease;
                    }

                    if (ctx.LeaseSelectSkipped)
                    {
                        // A lease6_select SKIP ends the search in this subnet (Kea stops trying its candidates).
                        ctx.LeaseSelectSkipped = false;
                        break;
                    }
                }
            }
        }

        CountFailure(ctx, type, start, !anyCapacity);
        return null;
    }

    /// <summary>How many leases of <paramref name="type"/> the store holds in <paramref name="subnet"/>, in any state.</summary>
    private async ValueTask<UInt128> SubnetLeaseCountAsync(Subnet6 subnet, LeaseType type)
    {
        long held = 0;
        foreach (var count in await Store.CountAsync(subnet.Id).ConfigureAwait(false))
        {
            if (count.Type == type)
            {
                held += count.Count;
            }
        }

        return (UInt128)held;
    }

    /// <summary>The hint in the first of the members (in rotation from <paramref name="first"/>) whose pool may serve it.</summary>
    private async ValueTask<Lease6?> TryHintAsync(ProcessingContext ctx, LeaseType type, uint iaid, LeaseHint hint, PrefixLengthMatch match, IReadOnlyList<Subnet6> members, int first)
    {
        for (var m = 0; m < members.Count; m++)
        {
            var subnet = members[(first + m) % members.Count];
            if (subnet.FindPool(type, hint.Address) is not { } pool || !PoolAllowed(ctx, pool) || !match.Accepts(pool, hint.Length))
            {
                continue;
            }

            // A prefix hint is aligned to the pool's delegated length, so it is a prefix the pool really has.
            var candidate = type == LeaseType.PD ? new Ipv6Prefix(hint.Address, pool.BlockLength).First : hint.Address;
            if (await IsReservedForOtherAsync(ctx, subnet, type, candidate, pool).ConfigureAwait(false))
            {
                return null;
            }

            if (await TryTakeAsync(ctx, subnet, pool, candidate, type, iaid, hint).ConfigureAwait(false) is { } lease)
            {
                ctx.Subnet = subnet;
                return lease;
            }

            // The hinted block is in use: the allocator picks instead.
            return null;
        }

        return null;
    }

    /// <summary>The network member that most recently got a lease of this type from an allocator, else the selected subnet.</summary>
    private Subnet6 Preferred(IReadOnlyList<Subnet6> members, Subnet6 selected, LeaseType type)
    {
        var best = selected;
        var bestUse = _lastUsed.TryGetValue((selected.Id, type), out var use) ? use : 0;
        for (var m = 0; m < members.Count; m++)
        {
            var subnet = members[m];
            if (_lastUsed.TryGetValue((subnet.Id, type), out var used) && used > bestUse)
            {
                best = subnet;
                bestUse = used;
            }
        }

        return best;
    }

    /// <summary>
    /// Where <paramref name="start"/> is among the members (0 when absent): they are visited in network order from there,
    /// wrapping around. An index instead of an iterator, which would be an allocation per IA.
    /// </summary>
    internal static int Offset(IReadOnlyList<Subnet6> members, Subnet6 start)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] == start)
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>
    /// The write of a new lease lost to another worker or server (the database's primary key decided): counted, and
    /// null so the caller tries its next candidate, as Kea does.
    /// </summary>
    private Lease6? LostRace(ProcessingContext ctx, Ipv6Address address)
    {
        packetStatistics.AllocationConflicts.Increment();
        logger.LogDebug(new EventId(0, "ALLOC_ENGINE_V6_ALLOC_CONFLICT"), "{Label}: {Address} was taken by another worker or server meanwhile; trying the next candidate", ctx.Query.Label, address);
        return null;
    }

    private void CountFailure(ProcessingContext ctx, LeaseType type, Subnet6 subnet, bool noPools)
    {
        packetStatistics.AllocationFail.Increment();
        statistics.AddToSubnet("v6-allocation-fail", subnet.Id, 1);
        var kind = subnet.SharedNetwork is null ? "v6-allocation-fail-subnet" : "v6-allocation-fail-shared-network";
        (subnet.SharedNetwork is null ? packetStatistics.AllocationFailSubnet : packetStatistics.AllocationFailSharedNetwork).Increment();
        statistics.AddToSubnet(kind, subnet.Id, 1);
        if (noPools)
        {
            packetStatistics.AllocationFailNoPools.Increment();
            statistics.AddToSubnet("v6-allocation-fail-no-pools", subnet.Id, 1);
        }

        var what = type == LeaseType.PD ? "prefix" : "address";
        if (subnet.SharedNetwork is { } network)
        {
            logger.LogWarning(new EventId(0, "ALLOC_ENGINE_V6_ALLOC_FAIL_SHARED_NETWORK"), "{Label}: failed to allocate an IPv6 {What} in the shared network {Name}: {Count} subnets were tried", ctx.Query.Label, what, network.Name, network.Subnets.Count);
        }
        else
        {
            logger.LogWarning(new EventId(0, "ALLOC_ENGINE_V6_ALLOC_FAIL_SUBNET"), "{Label}: failed to allocate an IPv6 {What} in the subnet {Subnet}, subnet-id {Id}, shared network (none)", ctx.Query.Label, what, subnet.Prefix, subnet.Id);
        }
    }

    /// <summary>
    /// The client's own lease with new lifetimes, written unless this is a fake allocation. Null when
    /// the stored lease changed since it was read (reclaimed, or changed by another server): the
    /// client is then not told about it.
    /// </summary>
    private async ValueTask<Lease6?> RefreshAsync(ProcessingContext ctx, Lease6 existing, Subnet6 subnet, ILeasePool? pool, LeaseHint hint)
    {
        var (preferred, valid) = LeaseTimers.Lifetimes(subnet, ctx.Query.Classes, ctx.Runtime.Classifier, hint.Preferred, hint.Valid);
        var lease = ctx.RentedLeases.RentCopyOf(existing);
        lease.PreferredLifetime = preferred;
        lease.ValidLifetime = valid;
        lease.Cltt = ctx.Now;
        lease.PoolId = pool?.PoolId ?? 0;

        // Kea records the hardware address the extending message gives (none clears it).
        (lease.HardwareAddress, lease.HardwareType, lease.HardwareAddressSource) = ctx.ClientHardwareAddress();
        if (ctx.Hostname is { } hostname)
        {
            lease.Hostname = hostname;
            lease.FqdnForward = ctx.FqdnForward;
            lease.FqdnReverse = ctx.FqdnReverse;
        }

        var wasActive = existing.State == LeaseState.Default && !existing.IsExpired(ctx.Now);
        lease.State = LeaseState.Default;
        if (pool is not null)
        {
            ctx.UsedPools.Add(pool);
        }

        if (ctx.FakeAllocation)
        {
            return lease;
        }

        var hooked = false;
        if (ctx.Query.Type is (MessageType.Renew or MessageType.Rebind) && Hooks is { } hooks
            && hooks.HasCallouts(ctx.Query.Type == MessageType.Renew ? HookPoints.Lease6Renew : HookPoints.Lease6Rebind))
        {
            NextStep step;
            (step, lease) = CallExtendHook(ctx, lease);
            if (step == NextStep.Skip)
            {
                // SKIP: the lease keeps its old values and is not written, but is still in the reply.
                return existing.Clone();
            }

            // What the callouts decided is written, not replaced by the cached lease.
            hooked = true;
        }

        // Kea records the relays when it extends a lease (Renew, Rebind), after the callouts; a Request for a lease
        // the client holds keeps what was recorded. New relay information is written, never served from the cache.
        var relaysChanged = ctx.Query.Type is (MessageType.Renew or MessageType.Rebind) && subnet.StoreExtendedInfo
            && LeaseRelayInfo.Update(lease, ctx.Query);
        if (!hooked && !relaysChanged && LeaseCache.TryReuse(existing, lease, subnet, ctx.Now, ctx.RentedLeases) is { } reused)
        {
            // Lease caching: nothing changes in the store; the client hears what is left of its lifetimes.
            ctx.ReusedLeases.Add(reused);
            var name = existing.Type == LeaseType.PD ? "v6-ia-pd-lease-reuses" : "v6-ia-na-lease-reuses";
            statistics.Registry.Add(name, 1);
            statistics.AddToSubnet(name, subnet.Id, 1);
            return reused;
        }

        var written = await WorkFor(ctx).UpdateAsync(existing, lease, wasActive ? LeaseChangeReason.Extended : LeaseChangeReason.Reactivated).ConfigureAwait(false);
        if (written != LeaseWriteResult.Written)
        {
            logger.LogWarning(new EventId(0, "ALLOC_ENGINE_V6_LEASE_CHANGED"), "{Label}: lease {Address} changed while it was being extended ({Result}); not extended", ctx.Query.Label, lease.Address, written);
            return null;
        }

        return lease;
    }

    /// <summary>Creates a lease on a free block or reuses an expired one; null if taken.</summary>
    private async ValueTask<Lease6?> TryTakeAsync(ProcessingContext ctx, Subnet6 subnet, ILeasePool? pool, Ipv6Address address, LeaseType type, uint iaid, LeaseHint hint, byte? prefixLength = null)
    {
        // On a database most candidates are free, and the insert itself says when one is not: reading first would be
        // one round trip more per new lease. A read comes first where nothing is written (a Solicit) and where
        // lease6_select callouts are told whether an expired lease is being reused.
        var insertFirst = Store.ReadsCostRoundTrips && !ctx.FakeAllocation && !(Hooks is { } selectHooks && selectHooks.HasCallouts(HookPoints.Lease6Select));
        Lease6? current = null;
        if (!insertFirst)
        {
            current = await Store.GetAsync(address).ConfigureAwait(false);
            if (current is not null && !IsReusable(current, ctx.Now))
            {
                return null;
            }
        }

        var (preferred, valid) = LeaseTimers.Lifetimes(subnet, ctx.Query.Classes, ctx.Runtime.Classifier, hint.Preferred, hint.Valid);
        var lease = ctx.RentedLeases.Rent();
        lease.Address = address;
        lease.Type = type;
        lease.PrefixLength = prefixLength ?? (type == LeaseType.PD ? pool!.BlockLength : (byte)128);
        lease.Duid = ctx.ClientDuid;
        lease.Iaid = iaid;
        lease.PreferredLifetime = preferred;
        lease.ValidLifetime = valid;
        lease.Cltt = ctx.Now;
        lease.SubnetId = subnet.Id;
        lease.PoolId = pool?.PoolId ?? 0;
        lease.Hostname = ctx.Hostname ?? string.Empty;
        lease.FqdnForward = ctx.FqdnForward;
        lease.FqdnReverse = ctx.FqdnReverse;
        (lease.HardwareAddress, lease.HardwareType, lease.HardwareAddressSource) = ctx.ClientHardwareAddress();
        lease.State = LeaseState.Default;

        if (Hooks is { } hooks && hooks.HasCallouts(HookPoints.Lease6Select))
        {
            NextStep step;
            (step, lease) = CallSelectHook(hooks, ctx, subnet, reusing: current is not null, lease);
            if (step == NextStep.Skip)
            {
                ctx.LeaseSelectSkipped = true;
                return null;
            }
        }

        if (!ctx.FakeAllocation)
        {
            if (subnet.StoreExtendedInfo)
            {
                LeaseRelayInfo.Update(lease, ctx.Query);
            }

            if (current is null)
            {
                if (await WorkFor(ctx).InsertAsync(lease, LeaseChangeReason.Allocated).ConfigureAwait(false) != LeaseWriteResult.Written)
                {
                    if (!insertFirst)
                    {
                        return LostRace(ctx, address); // another worker (or server) took it first
                    }

                    // Held: by a lease that may be taken over (expired, or released), as when it is read first.
                    current = await Store.GetAsync(address).ConfigureAwait(false);
                    if (current is null)
                    {
                        return LostRace(ctx, address);
                    }

                    if (!IsReusable(current, ctx.Now))
                    {
                        return null;
                    }

                    if (await WorkFor(ctx).UpdateAsync(current, lease, LeaseChangeReason.Allocated).ConfigureAwait(false) != LeaseWriteResult.Written)
                    {
                        return LostRace(ctx, address);
                    }
                }
            }
            else
            {
                // The expired lease is taken over only if it is still the one read above: two workers
                // (or servers) reusing one expired block can't both succeed. Kea reclaims it on the way
                // (the statistics observer counts that).
                if (await WorkFor(ctx).UpdateAsync(current, lease, LeaseChangeReason.Allocated).ConfigureAwait(false) != LeaseWriteResult.Written)
                {
                    return LostRace(ctx, address);
                }
            }
        }

        // Out-of-pool (reserved) leases count for the subnet but for no pool, and bring no pool options.
        if (pool is not null)
        {
            ctx.UsedPools.Add(pool);
        }

        return lease;
    }

    /// <summary><c>lease6_select</c>: the callouts may edit or replace the lease before it is stored.</summary>
    /// <remarks>
    /// A callout may move a new lease to another block of the subnet's pools (a block another client holds then
    /// fails to insert, as in Kea); anything else that makes it not this client's lease in this subnet (or, when an
    /// expired lease is reused, moves it) throws <see cref="HookArgumentException"/> and the packet is dropped.
    /// </remarks>
    private static (NextStep Step, Lease6 Lease) CallSelectHook(HooksManager hooks, ProcessingContext ctx, Subnet6 subnet, bool reusing, Lease6 lease)
    {
        var handle = ctx.Handle ??= hooks.CreateHandle();
        handle.SetArgument("query6", ctx.Query);
        handle.SetArgument("subnet6", ConfigViews.Of(ctx.Runtime.Config).Of(subnet));
        handle.SetArgument("fake_allocation", ctx.FakeAllocation);
        if (reusing)
        {
            LeaseArgument.SetFixed(handle, lease);
        }
        else
        {
            LeaseArgument.SetNew(handle, lease, subnet);
        }

        ctx.Query.CopyRetrievedOptions = true;
        try
        {
            var status = hooks.Call(HookPoints.Lease6Select, handle);
            lease = LeaseArgument.Read(handle, lease, subnet);

            return (status == NextStep.Skip ? NextStep.Skip : NextStep.Continue, lease);
        }
        finally
        {
            HooksManager.EndCall(handle, ctx.Query);
        }
    }

    /// <summary><c>lease6_renew</c> / <c>lease6_rebind</c> with the reply's IA (<c>ia_na</c> or <c>ia_pd</c>).</summary>
    private (NextStep Step, Lease6 Lease) CallExtendHook(ProcessingContext ctx, Lease6 lease)
    {
        var hookIndex = ctx.Query.Type == MessageType.Renew ? HookPoints.Lease6Renew : HookPoints.Lease6Rebind;
        if (Hooks is not { } hooks || !hooks.HasCallouts(hookIndex))
        {
            return (NextStep.Continue, lease);
        }

        var handle = ctx.Handle ??= hooks.CreateHandle();
        handle.SetArgument("query6", ctx.Query);
        LeaseArgument.SetFixed(handle, lease);
        switch (ctx.ResponseIa)
        {
            case Pukeko.Protocol.Options.IaPdOption pd:
                handle.SetArgument("ia_pd", pd);
                break;
            case Pukeko.Protocol.Options.IaNaOption na:
                handle.SetArgument("ia_na", na);
                break;
        }

        ctx.Query.CopyRetrievedOptions = true;
        try
        {
            var status = hooks.Call(hookIndex, handle);
            lease = LeaseArgument.Read(handle, lease);

            return (status == NextStep.Skip ? NextStep.Skip : NextStep.Continue, lease);
        }
        finally
        {
            HooksManager.EndCall(handle, ctx.Query);
        }
    }

    private static bool IsReusable(Lease6 lease, long now) =>
        lease.State switch
        {
            LeaseState.Registered => false,
            LeaseState.Declined => lease.IsExpired(now),
            LeaseState.ExpiredReclaimed or LeaseState.Released => true,
            _ => lease.IsExpired(now),
        };
}
