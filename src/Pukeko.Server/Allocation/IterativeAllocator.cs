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

    /// <summary>
    /// The next candidate in the subnet's pools, or null when it has none. Pools rejected by
    /// <paramref name="allowed"/> (client-class gating) are passed over as if absent.
    /// </summary>
    public (Ipv6Address Address, AddressPool Pool)? PickAddress(Subnet6 subnet, Func<AddressPool, bool>? allowed = null)
    {
        var pools = subnet.Pools;
        if (pools.Count == 0)
        {
            return null;
        }

        var cursor = _cursors.GetOrAdd(subnet.Id, static _ => new Cursor());
        lock (cursor)
        {
            if (cursor.Pool is null || cursor.Subnet != subnet)
            {
                // First use, or a new configuration replaced the subnet object: start at the first pool.
                cursor.Subnet = subnet;
                cursor.PoolIndex = 0;
                cursor.Pool = pools[0];
                cursor.Last = null;
            }

            if (allowed is not null && !allowed(cursor.Pool))
            {
                // Start over in the next pool this client may use.
                var moved = false;
                for (var step = 1; step <= pools.Count; step++)
                {
                    var index = (cursor.PoolIndex + step) % pools.Count;
                    if (allowed(pools[index]))
                    {
                        cursor.PoolIndex = index;
                        cursor.Pool = pools[index];
                        cursor.Last = null;
                        moved = true;
                        break;
                    }
                }

                if (!moved)
                {
                    return null;
                }
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
                // Next pool this client may use (the current one again when it is the only one).
                for (var step = 1; step <= pools.Count; step++)
                {
                    var index = (cursor.PoolIndex + step) % pools.Count;
                    if (allowed is null || allowed(pools[index]))
                    {
                        cursor.PoolIndex = index;
                        cursor.Pool = pools[index];
                        break;
                    }
                }

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
