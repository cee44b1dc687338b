using System.Collections.Concurrent;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Kea's default "iterative" allocator: hands out the address after the last one it handed out in
/// the subnet, moving pool to pool and wrapping to the first pool's first address.
/// </summary>
public sealed class IterativeAllocator
{
    private readonly ConcurrentDictionary<uint, Cursor> _cursors = new();

    /// <summary>The next candidate in the subnet's pools, or null when it has none.</summary>
    public (Ipv6Address Address, AddressPool Pool)? PickAddress(Subnet6 subnet)
    {
        if (subnet.Pools.Count == 0)
        {
            return null;
        }

        var cursor = _cursors.GetOrAdd(subnet.Id, static _ => new Cursor());
        lock (cursor)
        {
            var pools = subnet.Pools;
            if (cursor.Pool is null || cursor.Subnet != subnet)
            {
                // First use, or a new configuration replaced the subnet object: start at the first pool.
                cursor.Subnet = subnet;
                cursor.PoolIndex = 0;
                cursor.Pool = pools[0];
                cursor.Last = null;
            }

            Ipv6Address next;
            if (cursor.Last is not { } last)
            {
                next = cursor.Pool.First;
            }
            else if (last < cursor.Pool.Last)
            {
                next = last.Add(1);
            }
            else
            {
                cursor.PoolIndex = (cursor.PoolIndex + 1) % pools.Count;
                cursor.Pool = pools[cursor.PoolIndex];
                next = cursor.Pool.First;
            }

            cursor.Last = next;
            return (next, cursor.Pool);
        }
    }

    /// <summary>Forgets per-subnet state (reconfiguration).</summary>
    public void Reset() => _cursors.Clear();

    private sealed class Cursor
    {
        public Subnet6? Subnet;
        public AddressPool? Pool;
        public int PoolIndex;
        public Ipv6Address? Last;
    }
}
