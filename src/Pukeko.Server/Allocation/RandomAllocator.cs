using System.Collections.Concurrent;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Kea's "random" allocator: picks a random usable pool, then the next block of that pool's
/// random permutation, so a pool hands out every block once, in random order, before any repeats.
/// The permutation is built lazily (Fisher–Yates over a sparse swap map), so memory grows with
/// the blocks handed out, not with the pool size.
/// </summary>
internal sealed class RandomAllocator : ILeaseAllocator
{
    private readonly ConcurrentDictionary<ILeasePool, Permutation> _permutations = new(ReferenceEqualityComparer.Instance);

    public (Ipv6Address Address, ILeasePool Pool)? Pick(Subnet6 subnet, LeaseType type, PoolFilter allowed)
    {
        var usable = new List<ILeasePool>();
        foreach (var pool in subnet.PoolsOf(type))
        {
            if (allowed.Allows(pool))
            {
                usable.Add(pool);
            }
        }

        if (usable.Count == 0)
        {
            return null;
        }

        // Start at a random pool and take the first one whose permutation still has blocks.
        var start = Random.Shared.Next(usable.Count);
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < usable.Count; i++)
            {
                var pool = usable[(start + i) % usable.Count];
                var permutation = _permutations.GetOrAdd(pool, static p => new Permutation(p.Capacity));
                if (permutation.TryNext(out var index))
                {
                    return (pool.BlockAt(index), pool);
                }
            }

            // Every usable pool has been through its whole permutation: start new rounds.
            foreach (var pool in usable)
            {
                _permutations[pool] = new Permutation(pool.Capacity);
            }
        }

        return null;
    }

    public void Reset() => _permutations.Clear();

    /// <summary>A lazily shuffled sequence of 0..size-1.</summary>
    private sealed class Permutation(UInt128 size)
    {
        private readonly Dictionary<UInt128, UInt128> _swapped = [];
        private UInt128 _remaining = size;

        public bool TryNext(out UInt128 value)
        {
            lock (_swapped)
            {
                if (_remaining == 0)
                {
                    value = 0;
                    return false;
                }

                var j = RandomBelow(_remaining);
                var last = _remaining - 1;
                value = _swapped.TryGetValue(j, out var atJ) ? atJ : j;
                _swapped[j] = _swapped.TryGetValue(last, out var atLast) ? atLast : last;
                _swapped.Remove(last);
                _remaining = last;
                return true;
            }
        }

        private static UInt128 RandomBelow(UInt128 bound)
        {
            if (bound <= long.MaxValue)
            {
                return (UInt128)Random.Shared.NextInt64((long)bound);
            }

            // Beyond 63 bits the modulo bias is below 2^-64 for any pool: negligible for address choice.
            Span<byte> bytes = stackalloc byte[16];
            Random.Shared.NextBytes(bytes);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(bytes) % bound;
        }
    }
}
