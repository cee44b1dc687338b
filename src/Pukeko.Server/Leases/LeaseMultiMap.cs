using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pukeko.Server.Leases;

/// <summary>
/// A key to the stored leases that share it (a client, a DUID, a hardware address, a hostname). Most keys
/// have one lease, so the value is that lease itself and only becomes a list when a second lease shares the
/// key: at a million leases a list and its array per key cost more than the lease.
/// </summary>
internal sealed class LeaseMultiMap<TKey>(IEqualityComparer<TKey>? comparer)
    where TKey : notnull
{
    // Each value is a Lease6, or a List<Lease6> of two or more.
    private readonly Dictionary<TKey, object> _map = new(comparer);

    /// <summary>Leases held over all keys.</summary>
    public int LeaseCount { get; private set; }

    public void EnsureCapacity(int keys) => _map.EnsureCapacity(keys);

    /// <summary>A lookup by another key type (a span of a packet's DUID); pass its values to <see cref="CollectValue"/>.</summary>
    public Dictionary<TKey, object>.AlternateLookup<TAlternate> GetAlternateLookup<TAlternate>()
        where TAlternate : notnull, allows ref struct => _map.GetAlternateLookup<TAlternate>();

    public void Add(TKey key, Lease6 lease)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_map, key, out var exists);
        if (!exists)
        {
            slot = lease;
        }
        else if (slot is List<Lease6> list)
        {
            list.Add(lease);
        }
        else
        {
            slot = new List<Lease6>(2) { (Lease6)slot!, lease };
        }

        LeaseCount++;
    }

    /// <summary>Removes this very lease object (not an equal one) from the key.</summary>
    public void Remove(TKey key, Lease6 lease)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_map, key);
        if (Unsafe.IsNullRef(ref slot))
        {
            return;
        }

        if (slot is List<Lease6> list)
        {
            var at = IndexOf(list, lease);
            if (at < 0)
            {
                return;
            }

            list.RemoveAt(at);
            if (list.Count == 1)
            {
                slot = list[0];
            }
        }
        else if (ReferenceEquals(slot, lease))
        {
            _map.Remove(key);
        }
        else
        {
            return;
        }

        LeaseCount--;
    }

    public void Collect(TKey key, List<Lease6> result)
    {
        if (_map.TryGetValue(key, out var value))
        {
            CollectValue(value, result);
        }
    }

    /// <summary>Adds the lease or leases of one map value to <paramref name="result"/>.</summary>
    public static void CollectValue(object value, List<Lease6> result)
    {
        if (value is List<Lease6> list)
        {
            result.AddRange(list);
        }
        else
        {
            result.Add((Lease6)value);
        }
    }

    public bool Contains(TKey key, Lease6 lease) =>
        _map.TryGetValue(key, out var value)
        && (value is List<Lease6> list ? IndexOf(list, lease) >= 0 : ReferenceEquals(value, lease));

    // A key holds the few leases of one client, so a linear search is cheapest (and, unlike a predicate, allocates nothing).
    private static int IndexOf(List<Lease6> list, Lease6 lease)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], lease))
            {
                return i;
            }
        }

        return -1;
    }
}
