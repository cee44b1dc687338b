using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;
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

    /// <summary>Hook points lease6_select / lease6_renew / lease6_rebind; null or empty = none called.</summary>
    public HooksManager? Hooks { get; set; }

    /// <summary>Forgets allocator positions (the subnets they point into are replaced on reconfiguration).</summary>
    public void Reset() => _allocator.Reset();

    /// <summary>
    /// The address lease for one IA_NA of a Solicit or Request: the client's existing lease in
    /// the subnet if it still fits, else the hint if free, else the next free pool address.
    /// Null when nothing can be allocated.
    /// </summary>
    public Lease6? AllocateAddress(ProcessingContext ctx, uint iaid, Ipv6Address? hint, uint preferredHint, uint validHint)
    {
        var subnet = ctx.Subnet ?? throw new InvalidOperationException("no subnet selected");
        var (preferred, valid) = LeaseTimers.Lifetimes(subnet, preferredHint, validHint);

        foreach (var existing in Store.GetByClient(ctx.ClientDuid, iaid, LeaseType.NA))
        {
            if (existing.SubnetId != subnet.Id || existing.State == LeaseState.Registered || existing.State == LeaseState.Declined)
            {
                continue;
            }

            var pool = subnet.FindPool(existing.Address);
            if (pool is null)
            {
                // The pool changed under the lease: drop it so the client moves to a valid address.
                if (!ctx.FakeAllocation)
                {
                    RemoveLease(ctx, existing, subnet);
                }

                continue;
            }

            return Refresh(ctx, existing, subnet, pool, preferred, valid);
        }

        var skipped = false;
        if (hint is { } wanted && !wanted.IsUnspecified && subnet.FindPool(wanted) is { } hintPool)
        {
            var lease = TryTake(ctx, subnet, hintPool, wanted, iaid, preferred, valid, ref skipped);
            if (lease is not null || skipped)
            {
                return lease;
            }
        }

        var attempts = MaxAttempts(subnet);
        for (UInt128 i = 0; i < attempts; i++)
        {
            if (_allocator.PickAddress(subnet) is not { } candidate)
            {
                break;
            }

            var lease = TryTake(ctx, subnet, candidate.Pool, candidate.Address, iaid, preferred, valid, ref skipped);
            if (lease is not null || skipped)
            {
                // A lease6_select SKIP ends the search in this subnet (Kea stops trying candidates).
                return lease;
            }
        }

        packetStatistics.AllocationFail.Increment();
        packetStatistics.AllocationFailSubnet.Increment();
        if (subnet.Pools.Count == 0)
        {
            packetStatistics.AllocationFailNoPools.Increment();
        }

        statistics.Registry.Add(StatisticsRegistry.SubnetName(subnet.Id, "v6-allocation-fail"), 1);
        statistics.Registry.Add(StatisticsRegistry.SubnetName(subnet.Id, "v6-allocation-fail-subnet"), 1);
        logger.LogWarning(new EventId(0, "ALLOC_ENGINE_V6_ALLOC_FAIL_SUBNET"), "{Label}: failed to allocate an IPv6 address in the subnet {Subnet}, subnet-id {Id}, shared network (none)", ctx.Query.Label, subnet.Prefix, subnet.Id);
        return null;
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
        var (preferred, valid) = LeaseTimers.Lifetimes(subnet, preferredHint, validHint);
        foreach (var existing in Store.GetByClient(ctx.ClientDuid, iaid, LeaseType.NA))
        {
            if (existing.SubnetId != subnet.Id || existing.State == LeaseState.Registered || existing.State == LeaseState.Declined)
            {
                continue;
            }

            var pool = subnet.FindPool(existing.Address);
            if (pool is null)
            {
                RemoveLease(ctx, existing, subnet);
                retired.Add(existing);
                continue;
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

    private Lease6 Refresh(ProcessingContext ctx, Lease6 existing, Subnet6 subnet, AddressPool pool, uint preferred, uint valid)
    {
        var lease = existing.Clone();
        lease.PreferredLifetime = preferred;
        lease.ValidLifetime = valid;
        lease.Cltt = ctx.Now;
        lease.PoolId = pool.PoolId;
        var wasActive = existing.State == LeaseState.Default && !existing.IsExpired(ctx.Now);
        var wasCounted = existing.State == LeaseState.Default;
        lease.State = LeaseState.Default;
        if (!ctx.FakeAllocation && ctx.Query.Type is (MessageType.Renew or MessageType.Rebind) && CallExtendHook(ctx, ref lease) == NextStep.Skip)
        {
            // SKIP: the lease keeps its old values and is not written, but is still in the reply.
            ctx.UsedPools.Add(pool);
            return existing.Clone();
        }

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

        ctx.UsedPools.Add(pool);
        return lease;
    }

    /// <summary>Creates a lease on a free address or reuses an expired one; null if taken.</summary>
    private Lease6? TryTake(ProcessingContext ctx, Subnet6 subnet, AddressPool pool, Ipv6Address address, uint iaid, uint preferred, uint valid, ref bool skipped)
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
            PoolId = pool.PoolId,
            HardwareAddress = hwaddr,
            HardwareType = hwtype,
            HardwareAddressSource = hwsource,
            State = LeaseState.Default,
        };

        if (Hooks is { } hooks && hooks.HasCallouts(HookPoints.Lease6Select) && CallSelectHook(hooks, ctx, subnet, ref lease) == NextStep.Skip)
        {
            skipped = true;
            return null;
        }

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

        ctx.UsedPools.Add(pool);
        return lease;
    }

    /// <summary><c>lease6_select</c>: the callouts may edit or replace the lease before it is stored.</summary>
    private static NextStep CallSelectHook(HooksManager hooks, ProcessingContext ctx, Subnet6 subnet, ref Lease6 lease)
    {
        var handle = ctx.Handle ??= hooks.CreateHandle();
        handle.SetArgument("query6", ctx.Query);
        handle.SetArgument("subnet6", subnet);
        handle.SetArgument("fake_allocation", ctx.FakeAllocation);
        handle.SetArgument("lease6", lease);
        ctx.Query.CopyRetrievedOptions = true;
        var status = hooks.Call(HookPoints.Lease6Select, handle);
        if (handle.TryGetArgument<Lease6>("lease6", out var returned) && returned is not null)
        {
            lease = returned;
        }

        HooksManager.EndCall(handle, ctx.Query);
        return status == NextStep.Skip ? NextStep.Skip : NextStep.Continue;
    }

    /// <summary><c>lease6_renew</c> / <c>lease6_rebind</c> with the reply's IA (<c>ia_na</c> or <c>ia_pd</c>).</summary>
    private NextStep CallExtendHook(ProcessingContext ctx, ref Lease6 lease)
    {
        var hookIndex = ctx.Query.Type == MessageType.Renew ? HookPoints.Lease6Renew : HookPoints.Lease6Rebind;
        if (Hooks is not { } hooks || !hooks.HasCallouts(hookIndex))
        {
            return NextStep.Continue;
        }

        var handle = ctx.Handle ??= hooks.CreateHandle();
        handle.SetArgument("query6", ctx.Query);
        handle.SetArgument("lease6", lease);
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
        var status = hooks.Call(hookIndex, handle);
        if (handle.TryGetArgument<Lease6>("lease6", out var returned) && returned is not null)
        {
            lease = returned;
        }

        HooksManager.EndCall(handle, ctx.Query);
        return status == NextStep.Skip ? NextStep.Skip : NextStep.Continue;
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
    /// Kea caps attempts at the pool capacity. Iterating past more addresses than there are
    /// leases cannot find anything new, so that bounds the loop for huge pools too.
    /// </summary>
    private UInt128 MaxAttempts(Subnet6 subnet)
    {
        UInt128 capacity = 0;
        foreach (var pool in subnet.Pools)
        {
            capacity += pool.Capacity;
        }

        var bound = (UInt128)(Store.Count + 1);
        return capacity < bound ? capacity : bound;
    }
}
