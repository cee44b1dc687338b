using System.Collections.Concurrent;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Kea's default "iterative" allocator: hands out the block after the last one it handed out in
/// the pool (an address, or a prefix one step at the delegated length), moving to the next usable
/// pool at a pool's end and wrapping to the first. Each pool remembers where it stopped.
/// </summary>
internal sealed class IterativeAllocator : ILeaseAllocator
{
    private readonly ConcurrentDictionary<(uint Subnet, LeaseType Type), Cursor> _cursors = new();

    /// <summary>Address-only convenience for callers that need no filtering.</summary>
    public (Ipv6Address Address, AddressPool Pool)? PickAddress(Subnet6 subnet) =>
        Pick(subnet, LeaseType.NA, PoolFilter.All) is { } picked ? (picked.Address, (AddressPool)picked.Pool) : null;

    public (Ipv6Address Address, ILeasePool Pool)? Pick(Subnet6 subnet, LeaseType type, PoolFilter allowed)
    {
        var pools = subnet.PoolsOf(type);
        if (pools.Count == 0)
        {
            return null;
        }

        var cursor = _cursors.GetOrAdd((subnet.Id, type), static _ => new Cursor());
        lock (cursor)
        {
            if (cursor.Subnet != subnet)
            {
                // First use, or a new configuration replaced the subnet object: start at the first pool.
                cursor.Subnet = subnet;
                cursor.PoolIndex = 0;
                cursor.Last = new UInt128?[pools.Count];
            }

            // Stay in the current pool while it has blocks left; else take the next allowed pool.
            for (var step = 0; step <= pools.Count; step++)
            {
                var index = (cursor.PoolIndex + step) % pools.Count;
                var pool = pools[index];
                if (!allowed.Allows(pool))
                {
                    continue;
                }

                var last = cursor.Last[index];
                UInt128 next;
                if (last is not { } previous)
                {
                    next = 0;
                }
                else if (previous + 1 < pool.Capacity && previous != UInt128.MaxValue)
                {
                    next = previous + 1;
                }
                else if (step == 0)
                {
                    // The current pool is used up for this round: move on, and restart it on the next visit.
                    cursor.Last[index] = null;
                    continue;
                }
                else
                {
                    next = 0;
                }

                cursor.PoolIndex = index;
                cursor.Last[index] = next;
                return (pool.BlockAt(next), pool);
            }

            return null;
        }
    }

    /// <summary>Forgets per-subnet state (reconfiguration).</summary>
    public void Reset() => _cursors.Clear();

    private sealed class Cursor
    {
        public Subnet6? Subnet;
        public int PoolIndex;
        public UInt128?[] Last = [];
    }
}
