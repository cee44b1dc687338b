using System.Diagnostics;
using System.Runtime.InteropServices;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Index;

/// <summary>
/// The in-memory lease tables: the leases as records (<see cref="LeaseRecord"/>), unique by address, plus secondary
/// indexes by DUID (which also finds a client's (DUID, IAID, type) leases: a DUID has few), by expiration, hostname
/// and state, and the addresses in order (pages, pool ranges), so no query of the packet path has to scan every lease
/// (a few control-command queries do, see there). Readers get <see cref="Lease6"/> objects made from the records,
/// theirs to keep. Not thread-safe; the owning store serialises access.
/// </summary>
/// <remarks>
/// The tables hold record slots, not objects: a million leases take about 135 bytes each, where objects in
/// dictionaries took 330 (<c>docs/performance.md</c>). A hash table finds a slot's key in its record, so a record is
/// changed only after it has left the tables whose key changes.
/// </remarks>
internal sealed class LeaseIndex
{
    private readonly LeaseRecordSlab _records = new();
    private readonly LeaseIdentityArena _identities = new();

    // Hostname and user context of the leases that have one (flag HasText): most have neither.
    private readonly Dictionary<int, LeaseText> _texts = [];
    private readonly SlotHashTable<AddressHasher> _byAddress;
    private readonly SlotHashTable<DuidHasher> _byDuid;

    // Leases whose DUID many share: declined leases (Kea's three zero bytes) and any without one. In the DUID table
    // they would all hash alike, and linear probing would make them one run that every neighbouring key walks.
    private readonly HashSet<int> _sharedDuid = [];

    // The three sorted sets are replaced, not refilled, by FinishLoad (built from sorted arrays, not by a million
    // insertions). The expiration sets hold ExpirationKey values: expiration time, then slot.

    // Leases that reclamation still has to process (finite lifetime, not yet reclaimed).
    private SortedBlockSet<ulong> _pendingReclaim = new();

    // Reclaimed leases kept for affinity until the flush deletes them.
    private SortedBlockSet<ulong> _reclaimed = new();

    private SortedBlockSet<Ipv6Address> _ordered = new();

    // Leases in any state but the default one: nearly every lease is in the default state, and a set of all of
    // them would cost as much as the address table for the rare query that wants them (it walks the records).
    private readonly Dictionary<LeaseState, HashSet<int>> _byState = [];
    private readonly SlotMultiMap<string> _byHostname = new(StringComparer.OrdinalIgnoreCase);

    // Kept as leases come and go, so statistics never count by reading every lease.
    private readonly Dictionary<(uint Subnet, LeaseType Type, LeaseState State), long> _counts = [];

    public LeaseIndex()
    {
        _byAddress = new SlotHashTable<AddressHasher>(new AddressHasher(_records));
        _byDuid = new SlotHashTable<DuidHasher>(new DuidHasher(_records, _identities));
    }

    public int Count => _byAddress.Count;

    /// <summary>A copy of the lease at <paramref name="address"/>, or null.</summary>
    public Lease6? Find(Ipv6Address address) => FindSlot(address) is var slot and >= 0 ? Materialize(slot) : null;

    public bool Contains(Ipv6Address address) => FindSlot(address) >= 0;

    /// <summary>
    /// Whether the lease stored at <paramref name="expected"/>'s address is the version the caller read (same holder,
    /// state and lifetime, see <see cref="Lease6.IsSameVersion"/>); null when there is none.
    /// </summary>
    public bool? IsStoredVersion(Lease6 expected)
    {
        var slot = FindSlot(expected.Address);
        if (slot < 0)
        {
            return null;
        }

        ref var record = ref _records[slot];
        return record.Type == expected.Type
            && record.State == expected.State
            && record.Cltt == expected.Cltt
            && record.ValidLifetime == expected.ValidLifetime
            && record.Iaid == expected.Iaid
            && _identities.Duid(record.Identity).SequenceEqual(expected.Duid);
    }

    /// <summary>Stores a copy of <paramref name="lease"/>; false if its address is taken.</summary>
    public bool TryAdd(Lease6 lease)
    {
        if (FindSlot(lease.Address) >= 0)
        {
            return false;
        }

        var slot = _records.Allocate();
        Fill(slot, lease, fresh: true);
        AddKeyed(slot);
        AddUnkeyed(slot);
        _ordered.Add(lease.Address);
        return true;
    }

    /// <summary>
    /// Starts filling the empty index with the lease files' rows at start-up: the replay keeps only the records and the
    /// address table (a later row overwrites its address's record in place, a deletion frees it), so a row's parsed
    /// <see cref="Lease6"/> is garbage at once. <see cref="FinishLoad"/> then builds the other tables.
    /// </summary>
    public ILeaseReplayTarget BeginLoad()
    {
        if (Count != 0 || _records.HighWater != 0)
        {
            throw new InvalidOperationException("The lease index is not empty.");
        }

        return new Replay(this);
    }

    /// <summary>
    /// Builds every table but the address table for the replayed records: each sized once and built side by side,
    /// the sorted sets from sorted arrays, instead of one insertion (with rehashing and rebalancing) per lease.
    /// </summary>
    public void FinishLoad()
    {
        var slots = _records.HighWater;
        var count = Count;

        // The tables share nothing and only read the records, so they are built side by side, each from its own
        // pass; the calling thread builds some itself, so a busy thread pool only makes this sequential.
        Parallel.Invoke(
            () =>
            {
                _byDuid.EnsureCapacity(count);
                for (var slot = 0; slot < slots; slot++)
                {
                    if (_records[slot].InUse)
                    {
                        AddByDuid(slot);
                    }
                }
            },
            () =>
            {
                SizeForLoad(slots);
                for (var slot = 0; slot < slots; slot++)
                {
                    if (_records[slot].InUse)
                    {
                        AddCounted(slot);
                    }
                }
            },
            () =>
            {
                var addresses = new Ipv6Address[count];
                var at = 0;
                for (var slot = 0; slot < slots; slot++)
                {
                    if (_records[slot].InUse)
                    {
                        addresses[at++] = _records[slot].Address;
                    }
                }

                _ordered = SortedBlockSet<Ipv6Address>.FromSorted(Sorted(addresses.AsSpan(0, at)));
            },
            () =>
            {
                var pending = new List<ulong>(count);
                var reclaimed = new List<ulong>();
                for (var slot = 0; slot < slots; slot++)
                {
                    ref var record = ref _records[slot];
                    if (record.InUse)
                    {
                        ExpirationListFor(record, pending, reclaimed)?.Add(ExpirationKey.Of(record.Expire, slot));
                    }
                }

                _pendingReclaim = SortedBlockSet<ulong>.FromSorted(Sorted(CollectionsMarshal.AsSpan(pending)));
                _reclaimed = SortedBlockSet<ulong>.FromSorted(Sorted(CollectionsMarshal.AsSpan(reclaimed)));
            });
    }

    /// <summary>Copies of the leases that have a user context (the load's extended-info checks read them).</summary>
    public void CollectWithUserContext(List<Lease6> result)
    {
        foreach (var (slot, text) in _texts)
        {
            if (text.UserContext is not null)
            {
                result.Add(Materialize(slot));
            }
        }
    }

    // Sizes the state and hostname tables once for the leases about to be added.
    private void SizeForLoad(int slots)
    {
        var stateSizes = new Dictionary<LeaseState, int>();
        for (var slot = 0; slot < slots; slot++)
        {
            if (_records[slot].InUse)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(stateSizes, _records[slot].State, out _)++;
            }
        }

        foreach (var (state, size) in stateSizes)
        {
            if (state != LeaseState.Default)
            {
                _byState[state] = new HashSet<int>(size);
            }
        }

        _byHostname.EnsureCapacity(_texts.Count);
    }

    // The keys are unique (addresses; expiration keys end in the slot), so a sort is all FromSorted needs.
    private static Span<T> Sorted<T>(Span<T> keys)
        where T : IComparable<T>
    {
        keys.Sort();
        return keys;
    }

    /// <summary>Stores <paramref name="replacement"/> over the lease at its address; false if there is none.</summary>
    public bool Replace(Lease6 replacement)
    {
        var slot = FindSlot(replacement.Address);
        if (slot < 0)
        {
            return false;
        }

        // A renewal keeps its client: the DUID table then stays as it is.
        ref var record = ref _records[slot];
        var sameDuid = _identities.Duid(record.Identity).SequenceEqual(replacement.Duid);
        if (!sameDuid)
        {
            RemoveByDuid(slot);
        }

        RemoveUnkeyed(slot);
        Fill(slot, replacement, fresh: false);
        if (!sameDuid)
        {
            AddByDuid(slot);
        }

        AddUnkeyed(slot);
        return true;
    }

    public bool Remove(Ipv6Address address)
    {
        var slot = FindSlot(address);
        if (slot < 0)
        {
            return false;
        }

        RemoveUnkeyed(slot);
        _ordered.Remove(address);
        var removed = _byAddress.Remove(slot, AddressHasher.Of(address)) & RemoveByDuid(slot);
        Debug.Assert(removed, "A stored lease was missing from a hash table.");
        Release(slot);
        return true;
    }

    // Frees what a slot holds outside the tables (its identity and text) and the slot itself; the caller has taken it
    // out of every table first.
    private void Release(int slot)
    {
        _identities.Free(_records[slot].Identity);
        _texts.Remove(slot);
        _records.Free(slot);
    }

    /// <summary>
    /// The leases of one client's IA, added to <paramref name="result"/>; with a <paramref name="rental"/>, filled into
    /// its leases and pointing to its arrays where equal, instead of new ones.
    /// </summary>
    public void CollectByClient(ReadOnlySpan<byte> duid, uint iaid, LeaseType type, List<Lease6> result, LeaseRental? rental = null) =>
        CollectByDuid(duid, (iaid, type), result, rental);

    public void CollectByDuid(ReadOnlySpan<byte> duid, List<Lease6> result) => CollectByDuid(duid, null, result, null);

    // The leases of one DUID, or of one of its IAs when the IAID and type are given.
    private void CollectByDuid(ReadOnlySpan<byte> duid, (uint Iaid, LeaseType Type)? ia, List<Lease6> result, LeaseRental? rental)
    {
        if (IsShared(duid))
        {
            foreach (var slot in _sharedDuid)
            {
                AddIfHeldBy(slot, duid, ia, result, rental);
            }

            return;
        }

        var probe = _byDuid.Candidates(DuidHasher.Of(duid));
        while (probe.Next(out var slot))
        {
            AddIfHeldBy(slot, duid, ia, result, rental);
        }
    }

    private void AddIfHeldBy(int slot, ReadOnlySpan<byte> duid, (uint Iaid, LeaseType Type)? ia, List<Lease6> result, LeaseRental? rental)
    {
        ref var record = ref _records[slot];
        if ((ia is not { } key || (record.Iaid == key.Iaid && record.Type == key.Type))
            && _identities.Duid(record.Identity).SequenceEqual(duid))
        {
            result.Add(rental is null ? Materialize(slot) : MaterializeInto(slot, rental.Rent(), rental));
        }
    }

    private static bool IsShared(ReadOnlySpan<byte> duid) => duid.IsEmpty || duid.SequenceEqual(Lease6.DeclinedDuid);

    private void AddByDuid(int slot)
    {
        var duid = _identities.Duid(_records[slot].Identity);
        if (IsShared(duid))
        {
            _sharedDuid.Add(slot);
        }
        else
        {
            _byDuid.Add(slot, DuidHasher.Of(duid));
        }
    }

    private bool RemoveByDuid(int slot)
    {
        var duid = _identities.Duid(_records[slot].Identity);
        return IsShared(duid) ? _sharedDuid.Remove(slot) : _byDuid.Remove(slot, DuidHasher.Of(duid));
    }

    public void CollectAll(List<Lease6> result)
    {
        result.EnsureCapacity(result.Count + Count);
        for (var slot = 0; slot < _records.HighWater; slot++)
        {
            if (_records[slot].InUse)
            {
                result.Add(Materialize(slot));
            }
        }
    }

    // No index by subnet: it cost nearly as much memory as the address table (most servers have few subnets, so each set is
    // a large share of all leases) for commands that are rare (lease6-get-all by subnet, lease6-wipe); they walk the
    // records, and not at all for a subnet the counts say has no leases.
    public void CollectBySubnet(uint subnetId, List<Lease6> result)
    {
        if (!_counts.Keys.Any(key => key.Subnet == subnetId))
        {
            return;
        }

        for (var slot = 0; slot < _records.HighWater; slot++)
        {
            ref var record = ref _records[slot];
            if (record.InUse && record.SubnetId == subnetId)
            {
                result.Add(Materialize(slot));
            }
        }
    }

    public void CollectByState(LeaseState state, List<Lease6> result)
    {
        if (state != LeaseState.Default)
        {
            if (_byState.GetValueOrDefault(state) is { } set)
            {
                foreach (var slot in set)
                {
                    result.Add(Materialize(slot));
                }
            }

            return;
        }

        for (var slot = 0; slot < _records.HighWater; slot++)
        {
            ref var record = ref _records[slot];
            if (record.InUse && record.State == LeaseState.Default)
            {
                result.Add(Materialize(slot));
            }
        }
    }

    public void CollectByHostname(string hostname, List<Lease6> result)
    {
        var slots = new List<int>();
        _byHostname.Collect(hostname, slots);
        foreach (var slot in slots)
        {
            result.Add(Materialize(slot));
        }
    }

    // Not indexed either, for the same reason as the subnet: nearly every lease has a hardware address, and only
    // lease6-get-by-hw-address asks for one.
    public void CollectByHardwareAddress(ReadOnlySpan<byte> hardwareAddress, List<Lease6> result)
    {
        for (var slot = 0; slot < _records.HighWater; slot++)
        {
            ref var record = ref _records[slot];
            if (record.InUse && _identities.TryGetHardware(record.Identity, out var hardware) && hardware.Length > 0
                && hardware.SequenceEqual(hardwareAddress))
            {
                result.Add(Materialize(slot));
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

            result.Add(Materialize(FindSlot(address)));
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

            result.Add(Materialize(FindSlot(address)));
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
        if (_ordered.CountBetween(first, last) > Count / 4)
        {
            // Most leases are in range (a pool as large as its subnet; the statistics recount at start-up): reading
            // the records in their own order beats a lookup per address in the range.
            for (var slot = 0; slot < _records.HighWater; slot++)
            {
                ref var record = ref _records[slot];
                if (record.InUse && record.Address >= first && record.Address <= last)
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, (record.SubnetId, record.Type, record.State), out _)++;
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

                ref var record = ref _records[FindSlot(address)];
                CollectionsMarshal.GetValueRefOrAddDefault(counts, (record.SubnetId, record.Type, record.State), out _)++;
            }
        }

        foreach (var ((subnet, type, state), count) in counts)
        {
            result.Add(new LeaseCount(subnet, type, state, count));
        }
    }

    /// <summary>Leases awaiting reclamation with expire &lt;= <paramref name="now"/>, oldest first; <paramref name="max"/> 0 = all.</summary>
    public void CollectExpired(long now, int max, List<Lease6> result)
    {
        foreach (var key in _pendingReclaim)
        {
            if (ExpirationKey.Expire(key) > now || (max > 0 && result.Count >= max))
            {
                break;
            }

            result.Add(Materialize(ExpirationKey.Slot(key)));
        }
    }

    /// <summary>Addresses of reclaimed leases with expire &lt; <paramref name="olderThan"/>, oldest first.</summary>
    public List<Ipv6Address> ReclaimedBefore(long olderThan)
    {
        var result = new List<Ipv6Address>();
        foreach (var key in _reclaimed)
        {
            if (ExpirationKey.Expire(key) >= olderThan)
            {
                break;
            }

            result.Add(_records[ExpirationKey.Slot(key)].Address);
        }

        return result;
    }

    /// <summary>Checks that every table agrees with the records (test support).</summary>
    internal bool IsConsistent()
    {
        var inUse = 0;
        var expiring = 0;
        var nonDefault = 0;
        var withHostname = 0;
        for (var slot = 0; slot < _records.HighWater; slot++)
        {
            ref var record = ref _records[slot];
            if (!record.InUse)
            {
                continue;
            }

            inUse++;
            var text = TextOf(slot);
            if (FindSlot(record.Address) != slot
                || !(IsShared(_identities.Duid(record.Identity))
                    ? _sharedDuid.Contains(slot)
                    : _byDuid.Contains(slot, DuidHasher.Of(_identities.Duid(record.Identity))))
                || !_ordered.Contains(record.Address)
                || record.HasText != _texts.ContainsKey(slot)
                || (record.State != LeaseState.Default && !_byState[record.State].Contains(slot))
                || (text.Hostname.Length > 0 && !_byHostname.Contains(text.Hostname, slot)))
            {
                return false;
            }

            var set = ExpirationSetFor(record);
            if (set is not null)
            {
                expiring++;
                if (!set.Contains(ExpirationKey.Of(record.Expire, slot)))
                {
                    return false;
                }
            }

            nonDefault += record.State != LeaseState.Default ? 1 : 0;
            withHostname += text.Hostname.Length > 0 ? 1 : 0;
        }

        return inUse == _records.Count
            && _byAddress.Count == inUse && _byDuid.Count + _sharedDuid.Count == inUse
            && _ordered.Count == inUse
            && _pendingReclaim.Count + _reclaimed.Count == expiring
            && _byState.Values.Sum(s => s.Count) == nonDefault
            && !_byState.ContainsKey(LeaseState.Default)
            && _counts.Values.Sum() == inUse
            && _byHostname.SlotCount == withHostname;
    }

    private int FindSlot(Ipv6Address address)
    {
        var probe = _byAddress.Candidates(AddressHasher.Of(address));
        while (probe.Next(out var slot))
        {
            if (_records[slot].Address == address)
            {
                return slot;
            }
        }

        return -1;
    }

    // Writes the lease's fields into the slot's record. A fresh slot gets its identity stored; a used one keeps its
    // identity when the DUID and hardware address are unchanged (a renewal), and its text is replaced.
    private void Fill(int slot, Lease6 lease, bool fresh)
    {
        ref var record = ref _records[slot];
        var hasHardware = lease.HardwareAddress is not null;
        if (fresh)
        {
            record.Identity = _identities.Store(lease.Duid, lease.HardwareAddress, hasHardware);
        }
        else if (!_identities.Holds(record.Identity, lease.Duid, lease.HardwareAddress, hasHardware))
        {
            _identities.Free(record.Identity);
            record.Identity = _identities.Store(lease.Duid, lease.HardwareAddress, hasHardware);
        }

        record.Address = lease.Address;
        record.Cltt = lease.Cltt;
        record.Iaid = lease.Iaid;
        record.PreferredLifetime = lease.PreferredLifetime;
        record.ValidLifetime = lease.ValidLifetime;
        record.SubnetId = lease.SubnetId;
        record.PoolId = lease.PoolId;
        record.HardwareAddressSource = lease.HardwareAddressSource;
        record.State = lease.State;
        record.HardwareType = lease.HardwareType;
        record.PrefixLength = lease.PrefixLength;
        record.Type = lease.Type;
        var flags = LeaseRecordFlags.InUse;
        flags |= lease.FqdnForward ? LeaseRecordFlags.FqdnForward : 0;
        flags |= lease.FqdnReverse ? LeaseRecordFlags.FqdnReverse : 0;
        if (lease.Hostname.Length > 0 || lease.UserContext is not null)
        {
            flags |= LeaseRecordFlags.HasText;
            _texts[slot] = new LeaseText(lease.Hostname, lease.UserContext);
        }
        else
        {
            _texts.Remove(slot);
        }

        record.Flags = flags;
    }

    private Lease6 Materialize(int slot) => MaterializeInto(slot, new Lease6(), null);

    // Fills every field of lease from the record; its arrays are the rental's where equal (see LeaseRental.Share).
    private Lease6 MaterializeInto(int slot, Lease6 lease, LeaseRental? rental)
    {
        ref var record = ref _records[slot];
        var text = TextOf(slot);
        var duid = _identities.Duid(record.Identity);
        lease.Address = record.Address;
        lease.Type = record.Type;
        lease.PrefixLength = record.PrefixLength;
        lease.Duid = rental is null ? duid.ToArray() : rental.Share(duid);
        lease.Iaid = record.Iaid;
        lease.PreferredLifetime = record.PreferredLifetime;
        lease.ValidLifetime = record.ValidLifetime;
        lease.Cltt = record.Cltt;
        lease.SubnetId = record.SubnetId;
        lease.PoolId = record.PoolId;
        lease.FqdnForward = (record.Flags & LeaseRecordFlags.FqdnForward) != 0;
        lease.FqdnReverse = (record.Flags & LeaseRecordFlags.FqdnReverse) != 0;
        lease.Hostname = text.Hostname;
        lease.HardwareAddress = !_identities.TryGetHardware(record.Identity, out var hardware) ? null
            : rental is null ? hardware.ToArray() : rental.Share(hardware);
        lease.HardwareType = record.HardwareType;
        lease.HardwareAddressSource = record.HardwareAddressSource;
        lease.State = record.State;
        lease.UserContext = text.UserContext;
        return lease;
    }

    private LeaseText TextOf(int slot) =>
        _records[slot].HasText ? _texts[slot] : LeaseText.None;

    private void AddKeyed(int slot)
    {
        _byAddress.Add(slot, AddressHasher.Of(_records[slot].Address));
        AddByDuid(slot);
    }

    // Every table whose key is not the address or the client: expiration, counts, state and hostname.
    private void AddUnkeyed(int slot)
    {
        ExpirationSetFor(_records[slot])?.Add(ExpirationKey.Of(_records[slot].Expire, slot));
        AddCounted(slot);
    }

    // The counts, state and hostname tables (Load builds the expiration sets apart, from sorted arrays).
    private void AddCounted(int slot)
    {
        ref var record = ref _records[slot];
        CollectionsMarshal.GetValueRefOrAddDefault(_counts, (record.SubnetId, record.Type, record.State), out _)++;
        if (record.State != LeaseState.Default)
        {
            if (!_byState.TryGetValue(record.State, out var set))
            {
                set = [];
                _byState.Add(record.State, set);
            }

            set.Add(slot);
        }

        if (TextOf(slot).Hostname is { Length: > 0 } hostname)
        {
            _byHostname.Add(hostname, slot);
        }
    }

    private void RemoveUnkeyed(int slot)
    {
        ref var record = ref _records[slot];
        var key = (record.SubnetId, record.Type, record.State);
        if (--CollectionsMarshal.GetValueRefOrNullRef(_counts, key) == 0)
        {
            _counts.Remove(key);
        }

        ExpirationSetFor(record)?.Remove(ExpirationKey.Of(record.Expire, slot));
        if (record.State != LeaseState.Default && _byState.TryGetValue(record.State, out var set) && set.Remove(slot) && set.Count == 0)
        {
            _byState.Remove(record.State);
        }

        if (TextOf(slot).Hostname is { Length: > 0 } hostname)
        {
            _byHostname.Remove(hostname, slot);
        }
    }

    private SortedBlockSet<ulong>? ExpirationSetFor(in LeaseRecord record)
    {
        if (record.State == LeaseState.ExpiredReclaimed)
        {
            return _reclaimed;
        }

        // Infinite leases never expire, so they never need to be found by expiration.
        return record.ValidLifetime == Lease6.InfiniteLifetime ? null : _pendingReclaim;
    }

    // The same choice as ExpirationSetFor, between Load's two lists.
    private static List<ulong>? ExpirationListFor(in LeaseRecord record, List<ulong> pending, List<ulong> reclaimed) =>
        record.State == LeaseState.ExpiredReclaimed ? reclaimed
        : record.ValidLifetime == Lease6.InfiniteLifetime ? null
        : pending;

    // The start-up replay: records and the address table only (see BeginLoad).
    private sealed class Replay(LeaseIndex index) : ILeaseReplayTarget
    {
        public void Put(Lease6 lease)
        {
            var slot = index.FindSlot(lease.Address);
            if (slot >= 0)
            {
                index.Fill(slot, lease, fresh: false);
                return;
            }

            slot = index._records.Allocate();
            index.Fill(slot, lease, fresh: true);
            index._byAddress.Add(slot, AddressHasher.Of(lease.Address));
        }

        public bool Delete(Ipv6Address address)
        {
            var slot = index.FindSlot(address);
            if (slot < 0)
            {
                return false;
            }

            index._byAddress.Remove(slot, AddressHasher.Of(address));
            index.Release(slot);
            return true;
        }
    }

    private readonly record struct LeaseText(string Hostname, string? UserContext)
    {
        public static LeaseText None { get; } = new(string.Empty, null);
    }
}
