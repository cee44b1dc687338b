using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Classification;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Reservations;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Chooses, creates, extends and reuses address leases (digest §3.7). In a fake allocation
/// (Solicit without Rapid Commit) it decides what the client would get and stores nothing.
/// </summary>
public sealed class AllocationEngine(ILeaseStore store, LeaseStatistics statistics, PacketStatistics packetStatistics, ILogger logger)
{
    private readonly IterativeAllocator _allocator = new();

    public ILeaseStore Store { get; } = store;

    /// <summary>Forgets allocator positions (the subnets they point into are replaced on reconfiguration).</summary>
    public void Reset() => _allocator.Reset();

    /// <summary>
    /// The address lease for one IA_NA of a Solicit or Request (digest §3.7): a reserved address of the client if
    /// free (dropping its other leases in this IA), else the client's existing lease in the subnet if it still fits
    /// (leases now reserved for someone else are dropped), else the hint if free, else the next free pool address.
    /// Pools the packet's classes may not use are skipped, and so are addresses reserved for other clients.
    /// Null when nothing can be allocated.
    /// </summary>
    public Lease6? AllocateAddress(ProcessingContext ctx, uint iaid, Ipv6Address? hint, uint preferredHint, uint validHint)
    {
        var subnet = ctx.Subnet ?? throw new InvalidOperationException("no subnet selected");
        var (preferred, valid) = LeaseTimers.Lifetimes(subnet, ctx.Query.Classes, ctx.Runtime.Classifier, preferredHint, validHint);
        var existingLeases = Store.GetByClient(ctx.ClientDuid, iaid, LeaseType.NA);

        if (ReservedAddresses(ctx, subnet) is { Count: > 0 } reserved)
        {
            foreach (var address in reserved)
            {
                if (ctx.ReservedAddressesUsed.Contains(address))
                {
                    continue; // another IA of this message got it
                }

                Lease6? lease = null;
                var own = existingLeases.FirstOrDefault(l => l.Address == address && l.SubnetId == subnet.Id && l.State is not (LeaseState.Registered or LeaseState.Declined));
                if (own is not null)
                {
                    lease = Refresh(ctx, own, subnet, subnet.FindPool(address), preferred, valid);
                }
                else
                {
                    lease = TryTake(ctx, subnet, subnet.FindPool(address), address, iaid, preferred, valid);
                }

                if (lease is null)
                {
                    continue;
                }

                ctx.ReservedAddressesUsed.Add(address);

                // Case 3: with a reserved address in hand, the IA's other leases go.
                if (!ctx.FakeAllocation)
                {
                    foreach (var other in existingLeases)
                    {
                        if (other.Address != address && other.SubnetId == subnet.Id && other.State == LeaseState.Default)
                        {
                            RemoveLease(ctx, other, subnet);
                        }
                    }
                }

                return lease;
            }
        }

        foreach (var existing in existingLeases)
        {
            if (existing.SubnetId != subnet.Id || existing.State == LeaseState.Registered || existing.State == LeaseState.Declined)
            {
                continue;
            }

            var pool = subnet.FindPool(existing.Address);
            if (pool is null || !pool.ClientSupported(ctx.Query.Classes) || IsReservedForOther(ctx, subnet, existing.Address, pool))
            {
                // The pool changed under the lease, the client's classes no longer allow it, or the address is now
                // reserved for another client (case 2): drop it so the client moves to a valid address.
                if (!ctx.FakeAllocation)
                {
                    RemoveLease(ctx, existing, subnet);
                }

                continue;
            }

            return Refresh(ctx, existing, subnet, pool, preferred, valid);
        }

        if (hint is { } wanted && !wanted.IsUnspecified && subnet.FindPool(wanted) is { } hintPool
            && hintPool.ClientSupported(ctx.Query.Classes) && !IsReservedForOther(ctx, subnet, wanted, hintPool))
        {
            var lease = TryTake(ctx, subnet, hintPool, wanted, iaid, preferred, valid);
            if (lease is not null)
            {
                return lease;
            }
        }

        var classes = ctx.Query.Classes;
        var attempts = MaxAttempts(ctx, subnet);
        for (UInt128 i = 0; i < attempts; i++)
        {
            if (_allocator.PickAddress(subnet, pool => pool.ClientSupported(classes)) is not { } candidate)
            {
                break;
            }

            if (IsReservedForOther(ctx, subnet, candidate.Address, candidate.Pool))
            {
                continue;
            }

            var lease = TryTake(ctx, subnet, candidate.Pool, candidate.Address, iaid, preferred, valid);
            if (lease is not null)
            {
                return lease;
            }
        }

        packetStatistics.AllocationFail.Increment();
        packetStatistics.AllocationFailSubnet.Increment();
        if (subnet.Pools.Count == 0)
        {
            packetStatistics.AllocationFailNoPools.Increment();
        }
        else if (ctx.Query.Classes.Count > 1)
        {
            // Kea counts -classes when the packet had classes beyond ALL.
            packetStatistics.AllocationFailClasses.Increment();
        }

        statistics.Registry.Add(StatisticsRegistry.SubnetName(subnet.Id, "v6-allocation-fail"), 1);
        statistics.Registry.Add(StatisticsRegistry.SubnetName(subnet.Id, "v6-allocation-fail-subnet"), 1);
        logger.LogWarning(new EventId(0, "ALLOC_ENGINE_V6_ALLOC_FAIL_SUBNET"), "{Label}: failed to allocate an IPv6 address in the subnet {Subnet}, subnet-id {Id}, shared network (none)", ctx.Query.Label, subnet.Prefix, subnet.Id);
        return null;
    }

    /// <summary>The client's reserved addresses usable in this subnet (its subnet reservation's, or a global one's inside the prefix).</summary>
    private static List<Ipv6Address>? ReservedAddresses(ProcessingContext ctx, Subnet6 subnet)
    {
        if (ctx.Host is not { IpAddresses.Count: > 0 } host || (host.SubnetId is { } id && id != subnet.Id))
        {
            return null;
        }

        return [.. host.IpAddresses.Where(subnet.Prefix.Contains)];
    }

    /// <summary>
    /// True when another client has this address reserved. Kea checks only with <c>reservations-in-subnet</c>, and
    /// skips in-pool addresses when <c>reservations-out-of-pool</c> promises reservations lie outside the pools.
    /// </summary>
    private static bool IsReservedForOther(ProcessingContext ctx, Subnet6 subnet, Ipv6Address address, AddressPool? pool)
    {
        var reservations = ctx.Runtime.Reservations;
        if (reservations.Count == 0)
        {
            return false;
        }

        var modes = subnet.ReservationModes;
        HostReservation? owner = null;
        if (modes.InSubnet && !(modes.OutOfPool && pool is not null))
        {
            owner = reservations.FindByAddress(subnet.Id, address);
        }

        if (owner is null && modes.Global)
        {
            owner = reservations.FindByAddress(null, address);
        }

        return owner is not null && !ReferenceEquals(owner, ctx.Host);
    }

    /// <summary>
    /// Renew/Rebind of one IA_NA: extends the client's leases in the subnet; when it has none,
    /// allocates a new one as Kea does. Leases that left the pools are removed and reported in
    /// <paramref name="retired"/> so the reply can give them zero lifetimes.
    /// </summary>
    public List<Lease6> ExtendAddresses(ProcessingContext ctx, uint iaid, IReadOnlyList<(Ipv6Address Address, uint Preferred, uint Valid)> hints, List<Lease6> retired)
    {
        var subnet = ctx.Subnet ?? throw new InvalidOperationException("no subnet selected");
        var result = new List<Lease6>(1);
        var preferredHint = hints.Count > 0 ? hints[0].Preferred : 0;
        var validHint = hints.Count > 0 ? hints[0].Valid : 0;
        var (preferred, valid) = LeaseTimers.Lifetimes(subnet, ctx.Query.Classes, ctx.Runtime.Classifier, preferredHint, validHint);
        var reserved = ReservedAddresses(ctx, subnet);
        foreach (var existing in Store.GetByClient(ctx.ClientDuid, iaid, LeaseType.NA))
        {
            if (existing.SubnetId != subnet.Id || existing.State == LeaseState.Registered || existing.State == LeaseState.Declined)
            {
                continue;
            }

            var pool = subnet.FindPool(existing.Address);
            var reservedHere = reserved?.Contains(existing.Address) == true;
            if (!reservedHere && (pool is null || !pool.ClientSupported(ctx.Query.Classes) || IsReservedForOther(ctx, subnet, existing.Address, pool)))
            {
                // Out of the pools, no longer allowed for the client's classes, or now reserved for another client.
                RemoveLease(ctx, existing, subnet);
                retired.Add(existing);
                continue;
            }

            if (reservedHere)
            {
                ctx.ReservedAddressesUsed.Add(existing.Address);
            }

            result.Add(Refresh(ctx, existing, subnet, pool, preferred, valid));
        }

        if (result.Count == 0)
        {
            var hint = hints.Count > 0 ? hints[0].Address : (Ipv6Address?)null;
            if (AllocateAddress(ctx, iaid, hint, preferredHint, validHint) is { } fresh)
            {
                result.Add(fresh);
            }
        }

        return result;
    }

    /// <summary>Deletes a lease with its statistics; kept in <see cref="ProcessingContext.DeletedLeases"/>.</summary>
    public void RemoveLease(ProcessingContext ctx, Lease6 lease, Subnet6? subnet)
    {
        if (Store.Delete(lease))
        {
            if (lease.State == LeaseState.Default)
            {
                statistics.Add(LeaseStatistics.AssignedNas, subnet, subnet?.FindPool(lease.Address), -1);
            }

            ctx.DeletedLeases.Add(lease);
        }
    }

    private Lease6 Refresh(ProcessingContext ctx, Lease6 existing, Subnet6 subnet, AddressPool? pool, uint preferred, uint valid)
    {
        var lease = existing.Clone();
        lease.PreferredLifetime = preferred;
        lease.ValidLifetime = valid;
        lease.Cltt = ctx.Now;
        lease.PoolId = pool?.PoolId ?? 0;
        if (ctx.Hostname is { } hostname)
        {
            lease.Hostname = hostname;
        }

        var wasActive = existing.State == LeaseState.Default && !existing.IsExpired(ctx.Now);
        var wasCounted = existing.State == LeaseState.Default;
        lease.State = LeaseState.Default;
        if (!ctx.FakeAllocation)
        {
            Store.Update(lease);
            if (!wasCounted)
            {
                statistics.Add(LeaseStatistics.AssignedNas, subnet, pool, 1);
            }

            if (!wasActive)
            {
                statistics.Add(LeaseStatistics.CumulativeAssignedNas, subnet, pool, 1);
            }

            ctx.NewLeases.Add(lease);
        }

        if (pool is not null)
        {
            ctx.UsedPools.Add(pool);
        }

        return lease;
    }

    /// <summary>Creates a lease on a free address or reuses an expired one; null if taken.</summary>
    private Lease6? TryTake(ProcessingContext ctx, Subnet6 subnet, AddressPool? pool, Ipv6Address address, uint iaid, uint preferred, uint valid)
    {
        var current = Store.Get(address);
        if (current is not null && !IsReusable(current, ctx.Now))
        {
            return null;
        }

        var (hwaddr, hwtype, hwsource) = HardwareAddressFinder.Find(ctx.Query, ctx.ClientDuid);
        var lease = new Lease6
        {
            Address = address,
            Type = LeaseType.NA,
            PrefixLength = 128,
            Duid = ctx.ClientDuid,
            Iaid = iaid,
            PreferredLifetime = preferred,
            ValidLifetime = valid,
            Cltt = ctx.Now,
            SubnetId = subnet.Id,
            PoolId = pool?.PoolId ?? 0,
            Hostname = ctx.Hostname ?? string.Empty,
            HardwareAddress = hwaddr,
            HardwareType = hwtype,
            HardwareAddressSource = hwsource,
            State = LeaseState.Default,
        };

        if (!ctx.FakeAllocation)
        {
            if (current is null)
            {
                if (!Store.Add(lease))
                {
                    return null; // another worker took it first
                }
            }
            else
            {
                // Kea reclaims the expired lease before giving the address to someone else.
                if (current.State == LeaseState.Default)
                {
                    statistics.Add(LeaseStatistics.AssignedNas, subnet, pool, -1);
                    statistics.Add(LeaseStatistics.ReclaimedLeases, subnet, pool, 1);
                }

                if (!Store.Update(lease))
                {
                    return null;
                }

                ctx.DeletedLeases.Add(current);
            }

            statistics.Add(LeaseStatistics.AssignedNas, subnet, pool, 1);
            statistics.Add(LeaseStatistics.CumulativeAssignedNas, subnet, pool, 1);
            ctx.NewLeases.Add(lease);
        }

        if (pool is not null)
        {
            ctx.UsedPools.Add(pool);
        }

        return lease;
    }

    private static bool IsReusable(Lease6 lease, long now) =>
        lease.State switch
        {
            LeaseState.Registered => false,
            LeaseState.Declined => lease.IsExpired(now),
            LeaseState.ExpiredReclaimed or LeaseState.Released => true,
            _ => lease.IsExpired(now),
        };

    /// <summary>
    /// Kea caps attempts at the capacity of the pools the client may use. Iterating past more addresses than there
    /// are leases and reservations cannot find anything new, so that bounds the loop for huge pools too.
    /// </summary>
    private UInt128 MaxAttempts(ProcessingContext ctx, Subnet6 subnet)
    {
        UInt128 capacity = 0;
        foreach (var pool in subnet.Pools)
        {
            if (pool.ClientSupported(ctx.Query.Classes))
            {
                capacity += pool.Capacity;
            }
        }

        var bound = (UInt128)(Store.Count + ctx.Runtime.Reservations.Count + 1);
        return capacity < bound ? capacity : bound;
    }
}
