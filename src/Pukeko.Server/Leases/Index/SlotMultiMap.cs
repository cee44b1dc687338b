using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pukeko.Server.Leases.Index;

/// <summary>
/// A key to the record slots that share it (the hostname index). Most keys have one lease, so a key's value holds
/// one slot inline and gets a list only for a second. Not thread-safe.
/// </summary>
internal sealed class SlotMultiMap<TKey>(IEqualityComparer<TKey>? comparer)
    where TKey : notnull
{
    private readonly Dictionary<TKey, Group> _map = new(comparer);

    /// <summary>Slots held over all keys.</summary>
    public int SlotCount { get; private set; }

    public void EnsureCapacity(int keys) => _map.EnsureCapacity(keys);

    public void Add(TKey key, int slot)
    {
        ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(_map, key, out var exists);
        if (!exists)
        {
            group = new Group(slot, null);
        }
        else
        {
            (group.More ??= new List<int>(1)).Add(slot);
        }

        SlotCount++;
    }

    public void Remove(TKey key, int slot)
    {
        ref var group = ref CollectionsMarshal.GetValueRefOrNullRef(_map, key);
        if (Unsafe.IsNullRef(ref group))
        {
            return;
        }

        if (group.First == slot)
        {
            if (group.More is not { Count: > 0 } more)
            {
                _map.Remove(key);
            }
            else
            {
                group = new Group(more[^1], more.Count > 1 ? more : null);
                more.RemoveAt(more.Count - 1);
            }
        }
        else if (group.More is null || !group.More.Remove(slot))
        {
            return;
        }

        SlotCount--;
    }

    public void Collect(TKey key, List<int> result)
    {
        if (_map.TryGetValue(key, out var group))
        {
            result.Add(group.First);
            if (group.More is not null)
            {
                result.AddRange(group.More);
            }
        }
    }

    public bool Contains(TKey key, int slot) =>
        _map.TryGetValue(key, out var group) && (group.First == slot || (group.More?.Contains(slot) ?? false));

    private record struct Group(int First, List<int>? More);
}
