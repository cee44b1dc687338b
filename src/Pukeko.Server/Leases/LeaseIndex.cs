using System.Runtime.InteropServices;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// The in-memory lease tables: unique by address, plus secondary indexes by (DUID, IAID, type), by DUID,
/// by expiration, hostname and state, and the addresses in order (pages, pool ranges), so no query of the packet
/// path has to scan every lease (a few control-command queries do, see there). Not thread-safe; the owning store
/// serialises access.
/// </summary>
/// <remarks>
/// The index owns the <see cref="Lease6"/> objects it holds and never mutates them: an update replaces the
/// object. That keeps keys derived from a stored lease (its DUID array, its expiration) valid for as long
/// as the lease is stored, so removals can recompute them.
/// </remarks>
internal sealed class LeaseIndex
{
    private Dictionary<Ipv6Address, Lease6> _byAddress = [];
    private readonly LeaseMultiMap<LeaseClientKey> _byClient = new(LeaseClientKeyComparer.Instance);
    private readonly Dictionary<LeaseClientKey, object>.AlternateLookup<LeaseClientSpanKey> _byClientSpan;
    private readonly LeaseMultiMap<byte[]> _byDuid = new(LeaseDuidComparer.Instance);
    private readonly Dictionary<byte[], object>.AlternateLookup<ReadOnlySpan<byte>> _byDuidSpan;

    // The three sorted sets are replaced, not refilled, by Load (built from sorted arrays, not by a million
    // insertions).

    // Leases that reclamation still has to process (finite lifetime, not yet reclaimed).
    private SortedBlockSet<LeaseExpirationKey> _pendingReclaim = new();

    // Reclaimed leases kept for affinity until the flush deletes them.
    private SortedBlockSet<LeaseExpirationKey> _reclaimed = new();

    private SortedBlockSet<Ipv6Address> _ordered = new();
    // Leases in any state but the default one: nearly every lease is in the default state, and a set of all of
    // them would cost as much as the address table for the rare query that wants them (it walks that table).
    private readonly Dictionary<LeaseState, HashSet<Ipv6Address>> _byState = [];
    private readonly LeaseMultiMap<string> _byHostname = new(StringComparer.OrdinalIgnoreCase);

    // Kept as leases come and go, so statistics never count by reading every lease.
    private readonly Dictionary<(uint Subnet, LeaseType Type, LeaseState State), long> _counts = [];

    public LeaseIndex()
    {
        _byClientSpan = _byClient.GetAlternateLookup<LeaseClientSpanKey>();
        _byDuidSpan = _byDuid.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _byAddress.Count;

    public Lease6? Find(Ipv6Address address) => _byAddress.GetValueOrDefault(address);

    /// <summary>Adds a lease the index takes ownership of; false if its address is taken.</summary>
    public bool TryAdd(Lease6 lease)
    {
        if (!_byAddress.TryAdd(lease.Address, lease))
        {
            return false;
        }

        AddSecondary(lease);
        return true;
    }

    /// <summary>
    /// Fills the empty index with the leases loaded at start-up: the index takes ownership of the dictionary
    /// (it becomes the address table) and of its leases, sizes every other table once and builds the sorted
    /// sets from sorted arrays, instead of one insertion (with rehashing and rebalancing) per lease.
    /// </summary>
    public void Load(Dictionary<Ipv6Address, Lease6> byAddress)
    {
        if (_byAddress.Count != 0)
        {
            throw new InvalidOperationException("The lease index is not empty.");
        }

        if (byAddress.Comparer != EqualityComparer<Ipv6Address>.Default)
        {
            throw new ArgumentException("The address table must use the default comparer.", nameof(byAddress));
        }

        _byAddress = byAddress;
        var leases = byAddress.Values;

        // The tables share nothing, so they are built side by side (a million leases: 1.5 s on one core), each
        // from its own pass over the leases; the calling thread builds some itself, so a busy thread pool only
        // makes this sequential.
        Parallel.Invoke(
            () =>
            {
                _byClient.EnsureCapacity(leases.Count);
                foreach (var lease in leases)
                {
                    _byClient.Add(new LeaseClientKey(lease.Duid, lease.Iaid, lease.Type), lease);
                }
            },
            () =>
            {
                SizeForLoad(leases);
                foreach (var lease in leases)
                {
                    AddUnorderedExceptByClient(lease);
                }
            },
            () =>
            {
                var addresses = new Ipv6Address[leases.Count];
                var count = 0;
                foreach (var lease in leases)
                {
                    addresses[count++] = lease.Address;
                }

                _ordered = SortedBlockSet<Ipv6Address>.FromSorted(Sorted(addresses));
            },
            () =>
            {
                var pending = new List<LeaseExpirationKey>(leases.Count);
                var reclaimed = new List<LeaseExpirationKey>();
                foreach (var lease in leases)
                {
                    ExpirationListFor(lease, pending, reclaimed)?.Add(new LeaseExpirationKey(lease.Expire, lease.Address));
                }

                _pendingReclaim = SortedBlockSet<LeaseExpirationKey>.FromSorted(Sorted(CollectionsMarshal.AsSpan(pending)));
                _reclaimed = SortedBlockSet<LeaseExpirationKey>.FromSorted(Sorted(CollectionsMarshal.AsSpan(reclaimed)));
            });
    }

    // Sizes the DUID, state and hostname tables once for the leases about to be added.
    private void SizeForLoad(Dictionary<Ipv6Address, Lease6>.ValueCollection leases)
    {
        _byDuid.EnsureCapacity(leases.Count);
        var stateSizes = new Dictionary<LeaseState, int>();
        var withHostname = 0;
        foreach (var lease in leases)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(stateSizes, lease.State, out _)++;
            withHostname += lease.Hostname.Length > 0 ? 1 : 0;
        }

        foreach (var (state, size) in stateSizes)
        {
            if (state != LeaseState.Default)
            {
                _byState[state] = new HashSet<Ipv6Address>(size);
            }
        }

        _byHostname.EnsureCapacity(withHostname);
    }

    // The keys are unique (addresses; expiration keys end in the address), so a sort is all FromSorted needs.
    private static Span<T> Sorted<T>(Span<T> keys)
        where T : IComparable<T>
    {
        keys.Sort();
        return keys;
    }

    /// <summary>Swaps the stored lease at <paramref name="replacement"/>'s address for it; false if there is none.</summary>
    public bool Replace(Lease6 replacement)
    {
        if (!_byAddress.TryGetValue(replacement.Address, out var current))
        {
            return false;
        }

        RemoveSecondary(current);
        _byAddress[replacement.Address] = replacement;
        AddSecondary(replacement);
        return true;
    }

    public bool Remove(Ipv6Address address, out Lease6? removed)
    {
        if (!_byAddress.Remove(address, out removed))
        {
            return false;
        }

        RemoveSecondary(removed);
        return true;
    }

    // The Collect* methods hand out the stored objects themselves. That is safe outside the store's lock
    // because stored leases are never mutated, so the store clones them after releasing the lock.

    public void CollectByClient(ReadOnlySpan<byte> duid, uint iaid, LeaseType type, List<Lease6> result)
    {
        if (_byClientSpan.TryGetValue(new LeaseClientSpanKey(duid, iaid, type), out var leases))
        {
            LeaseMultiMap<LeaseClientKey>.CollectValue(leases, result);
        }
    }

    public void CollectByDuid(ReadOnlySpan<byte> duid, List<Lease6> result)
    {
        if (_byDuidSpan.TryGetValue(duid, out var leases))
        {
            LeaseMultiMap<byte[]>.CollectValue(leases, result);
        }
    }

    public void CollectAll(List<Lease6> result) => result.AddRange(_byAddress.Values);

    // No index by subnet: it cost nearly as much memory as the address table (most servers have few subnets, so each set is
    // a large share of all leases) for commands that are rare (lease6-get-all by subnet, lease6-wipe); they walk the
    // address table, and not at all for a subnet the counts say has no leases.
    public void CollectBySubnet(uint subnetId, List<Lease6> result)
    {
        if (!_counts.Keys.Any(key => key.Subnet == subnetId))
        {
            return;
        }

        foreach (var lease in _byAddress.Values)
        {
            if (lease.SubnetId == subnetId)
            {
                result.Add(lease);
            }
        }
    }

    public void CollectByState(LeaseState state, List<Lease6> result)
    {
        if (state != LeaseState.Default)
        {
            CollectSet(_byState.GetValueOrDefault(state), result);
            return;
        }

        foreach (var lease in _byAddress.Values)
        {
            if (lease.State == LeaseState.Default)
            {
                result.Add(lease);
            }
        }
    }

    public void CollectByHostname(string hostname, List<Lease6> result) => _byHostname.Collect(hostname, result);

    // Not indexed either, for the same reason as the subnet: nearly every lease has a hardware address, and only
    // lease6-get-by-hw-address asks for one.
    public void CollectByHardwareAddress(ReadOnlySpan<byte> hardwareAddress, List<Lease6> result)
    {
        foreach (var lease in _byAddress.Values)
        {
            if (lease.HardwareAddress is { Length: > 0 } hardware && hardware.AsSpan().SequenceEqual(hardwareAddress))
            {
                result.Add(lease);
            }
        }
    }

    /// <summary>Up to <paramref name="limit"/> leases above <paramref name="after"/> (null: from the lowest), in address order.</summary>
    public void CollectPage(Ipv6Address? after, int limit, List<Lease6> result)
    {
        if (limit <= 0)
        {
            return;
        }

        foreach (var address in after is { } floor ? _ordered.From(floor) : _ordered.GetEnumerator())
        {
            if (after is { } a && address == a)
            {
                continue;
            }

            result.Add(_byAddress[address]);
            if (result.Count >= limit)
            {
                return;
            }
        }
    }

    /// <summary>Leases with addresses in [<paramref name="first"/>, <paramref name="last"/>], in address order (a pool's range).</summary>
    public void CollectRange(Ipv6Address first, Ipv6Address last, List<Lease6> result)
    {
        if (first > last)
        {
            return;
        }

        foreach (var address in _ordered.From(first))
        {
            if (address > last)
            {
                break;
            }

            result.Add(_byAddress[address]);
        }
    }

    /// <summary>Lease counts per subnet, type and state (of one subnet when <paramref name="subnetId"/> is set).</summary>
    public void CountBy(uint? subnetId, List<LeaseCount> result)
    {
        foreach (var ((subnet, type, state), count) in _counts)
        {
            if (subnetId is null || subnetId == subnet)
            {
                result.Add(new LeaseCount(subnet, type, state, count));
            }
        }
    }

    /// <summary>The same counts for the addresses in [<paramref name="first"/>, <paramref name="last"/>]: walks that range only.</summary>
    public void CountRange(Ipv6Address first, Ipv6Address last, List<LeaseCount> result)
    {
        if (first > last)
        {
            return;
        }

        var counts = new Dictionary<(uint, LeaseType, LeaseState), long>();
        if (_ordered.CountBetween(first, last) > _byAddress.Count / 4)
        {
            // Most leases are in range (a pool as large as its subnet; the statistics recount at start-up): reading
            // the address table in its own order beats a lookup per address in the range (a million: 30 against 270 ms).
            foreach (var lease in _byAddress.Values)
            {
                if (lease.Address >= first && lease.Address <= last)
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, (lease.SubnetId, lease.Type, lease.State), out _)++;
                }
            }
        }
        else
        {
            foreach (var address in _ordered.From(first))
            {
                if (address > last)
                {
                    break;
                }

                var lease = _byAddress[address];
                CollectionsMarshal.GetValueRefOrAddDefault(counts, (lease.SubnetId, lease.Type, lease.State), out _)++;
            }
        }

        foreach (var ((subnet, type, state), count) in counts)
        {
            result.Add(new LeaseCount(subnet, type, state, count));
        }
    }

    private void CollectSet(HashSet<Ipv6Address>? set, List<Lease6> result)
    {
        if (set is null)
        {
            return;
        }

        foreach (var address in set)
        {
            result.Add(_byAddress[address]);
        }
    }

    /// <summary>Leases awaiting reclamation with expire &lt;= <paramref name="now"/>, oldest first; <paramref name="max"/> 0 = all.</summary>
    public void CollectExpired(long now, int max, List<Lease6> result)
    {
        foreach (var key in _pendingReclaim)
        {
            if (key.Expire > now || (max > 0 && result.Count >= max))
            {
                break;
            }

            result.Add(_byAddress[key.Address]);
        }
    }

    /// <summary>Addresses of reclaimed leases with expire &lt; <paramref name="olderThan"/>, oldest first.</summary>
    public List<Ipv6Address> ReclaimedBefore(long olderThan)
    {
        var result = new List<Ipv6Address>();
        foreach (var key in _reclaimed)
        {
            if (key.Expire >= olderThan)
            {
                break;
            }

            result.Add(key.Address);
        }

        return result;
    }

    /// <summary>Checks that every secondary index agrees with the address table (test support).</summary>
    internal bool IsConsistent()
    {
        var clientEntries = _byClient.LeaseCount;
        var duidEntries = _byDuid.LeaseCount;
        var expiring = _byAddress.Values.Count(l => l.State == LeaseState.ExpiredReclaimed || l.ValidLifetime != Lease6.InfiniteLifetime);
        if (clientEntries != _byAddress.Count || duidEntries != _byAddress.Count
            || _pendingReclaim.Count + _reclaimed.Count != expiring
            || _ordered.Count != _byAddress.Count
            || _byState.Values.Sum(s => s.Count) != _byAddress.Values.Count(l => l.State != LeaseState.Default)
            || _byState.ContainsKey(LeaseState.Default)
            || _counts.Values.Sum() != _byAddress.Count
            || _byHostname.LeaseCount != _byAddress.Values.Count(l => l.Hostname.Length > 0))
        {
            return false;
        }

        foreach (var lease in _byAddress.Values)
        {
            if (!_byClient.Contains(new LeaseClientKey(lease.Duid, lease.Iaid, lease.Type), lease) || !_byDuid.Contains(lease.Duid, lease))
            {
                return false;
            }

            var set = ExpirationSetFor(lease);
            if (set is not null && !set.Contains(new LeaseExpirationKey(lease.Expire, lease.Address)))
            {
                return false;
            }

            if (!_ordered.Contains(lease.Address) || (lease.State != LeaseState.Default && !_byState[lease.State].Contains(lease.Address))
                || (lease.Hostname.Length > 0 && !_byHostname.Contains(lease.Hostname, lease)))
            {
                return false;
            }
        }

        return true;
    }

    private void AddSecondary(Lease6 lease)
    {
        AddUnordered(lease);
        ExpirationSetFor(lease)?.Add(new LeaseExpirationKey(lease.Expire, lease.Address));
        _ordered.Add(lease.Address);
    }

    // Every index but the address table and the sorted sets (which Load fills in bulk).
    private void AddUnordered(Lease6 lease)
    {
        _byClient.Add(new LeaseClientKey(lease.Duid, lease.Iaid, lease.Type), lease);
        AddUnorderedExceptByClient(lease);
    }

    private void AddUnorderedExceptByClient(Lease6 lease)
    {
        _byDuid.Add(lease.Duid, lease);
        CollectionsMarshal.GetValueRefOrAddDefault(_counts, (lease.SubnetId, lease.Type, lease.State), out _)++;
        if (lease.State != LeaseState.Default)
        {
            AddTo(_byState, lease.State, lease.Address);
        }
        if (lease.Hostname.Length > 0)
        {
            _byHostname.Add(lease.Hostname, lease);
        }
    }

    private static void AddTo<TKey>(Dictionary<TKey, HashSet<Ipv6Address>> index, TKey key, Ipv6Address address)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var set))
        {
            set = [];
            index.Add(key, set);
        }

        set.Add(address);
    }

    private static void RemoveFrom<TKey>(Dictionary<TKey, HashSet<Ipv6Address>> index, TKey key, Ipv6Address address)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var set) && set.Remove(address) && set.Count == 0)
        {
            index.Remove(key);
        }
    }

    private void RemoveSecondary(Lease6 lease)
    {
        _byClient.Remove(new LeaseClientKey(lease.Duid, lease.Iaid, lease.Type), lease);
        _byDuid.Remove(lease.Duid, lease);
        ExpirationSetFor(lease)?.Remove(new LeaseExpirationKey(lease.Expire, lease.Address));
        var key = (lease.SubnetId, lease.Type, lease.State);
        if (--CollectionsMarshal.GetValueRefOrNullRef(_counts, key) == 0)
        {
            _counts.Remove(key);
        }

        _ordered.Remove(lease.Address);
        if (lease.State != LeaseState.Default)
        {
            RemoveFrom(_byState, lease.State, lease.Address);
        }
        if (lease.Hostname.Length > 0)
        {
            _byHostname.Remove(lease.Hostname, lease);
        }
    }

    private SortedBlockSet<LeaseExpirationKey>? ExpirationSetFor(Lease6 lease)
    {
        if (lease.State == LeaseState.ExpiredReclaimed)
        {
            return _reclaimed;
        }

        // Infinite leases never expire, so they never need to be found by expiration.
        return lease.ValidLifetime == Lease6.InfiniteLifetime ? null : _pendingReclaim;
    }

    // The same choice as ExpirationSetFor, between Load's two lists.
    private static List<LeaseExpirationKey>? ExpirationListFor(Lease6 lease, List<LeaseExpirationKey> pending, List<LeaseExpirationKey> reclaimed) =>
        lease.State == LeaseState.ExpiredReclaimed ? reclaimed
        : lease.ValidLifetime == Lease6.InfiniteLifetime ? null
        : pending;
}
