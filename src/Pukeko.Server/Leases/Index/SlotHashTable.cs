namespace Pukeko.Server.Leases.Index;

/// <summary>Computes the hash of the key a table files a record slot under, from the record itself.</summary>
internal interface ISlotHasher
{
    ulong Hash(int slot);
}

/// <summary>
/// A hash table of record slots, keyed by something the record holds (its address, its client, its DUID): open
/// addressing with linear probing in a power-of-two array of 4-byte entries, at most three quarters full. An entry
/// is the slot plus one (0 is empty) in its low 26 bits and 6 bits of the key's hash above, so a probe reads a
/// record only when those bits match. Several slots may share a key (a client's leases); the caller compares keys.
/// About 8 bytes per lease, against 28–36 for a dictionary entry. Not thread-safe.
/// </summary>
internal sealed class SlotHashTable<THasher>
    where THasher : struct, ISlotHasher
{
    private const int SlotBits = 26;
    private const uint SlotMask = (1u << SlotBits) - 1;
    private const int MinBits = 4;

    private readonly THasher _hasher;
    private uint[] _entries = new uint[1 << MinBits];
    private int _bits = MinBits;

    public SlotHashTable(THasher hasher) => _hasher = hasher;

    public int Count { get; private set; }

    /// <summary>Grows the array once for <paramref name="count"/> entries (a load adds them without rehashing).</summary>
    public void EnsureCapacity(int count)
    {
        var bits = _bits;
        while (count > MaxEntries(bits))
        {
            bits++;
        }

        if (bits != _bits)
        {
            Resize(bits);
        }
    }

    public void Add(int slot, ulong hash)
    {
        if (Count + 1 > MaxEntries(_bits))
        {
            Resize(_bits + 1);
        }

        Insert(_entries, _bits, slot, hash);
        Count++;
    }

    /// <summary>Removes the entry of <paramref name="slot"/>, filed under <paramref name="hash"/>; false if there is none.</summary>
    /// <remarks>
    /// Entries after it in the same run move back into the hole (backward-shift deletion), so no tombstones build
    /// up. Their hashes are computed from their records, which must all be intact; the removed slot's is not.
    /// </remarks>
    public bool Remove(int slot, ulong hash)
    {
        var mask = _entries.Length - 1;
        var target = (uint)(slot + 1);
        var hole = Home(hash, _bits);
        while (true)
        {
            var entry = _entries[hole];
            if (entry == 0)
            {
                return false;
            }

            if ((entry & SlotMask) == target)
            {
                break;
            }

            hole = (hole + 1) & mask;
        }

        var next = hole;
        while (true)
        {
            next = (next + 1) & mask;
            var entry = _entries[next];
            if (entry == 0)
            {
                break;
            }

            // The entry may fill the hole when its home is not after the hole in probe order.
            var home = Home(_hasher.Hash((int)(entry & SlotMask) - 1), _bits);
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                _entries[hole] = entry;
                hole = next;
            }
        }

        _entries[hole] = 0;
        Count--;
        return true;
    }

    /// <summary>The slots that may be filed under <paramref name="hash"/> (their hash bits match); the caller checks each key.</summary>
    public Probe Candidates(ulong hash) => new(_entries, Home(hash, _bits), Tag(hash));

    /// <summary>Whether <paramref name="slot"/> is filed under <paramref name="hash"/> (consistency checks).</summary>
    public bool Contains(int slot, ulong hash)
    {
        var probe = Candidates(hash);
        while (probe.Next(out var candidate))
        {
            if (candidate == slot)
            {
                return true;
            }
        }

        return false;
    }

    private static int MaxEntries(int bits) => (int)((1L << bits) * 3 / 4);

    // The top bits of the hash choose the home entry; its low bits are the tag, so the two are independent.
    private static int Home(ulong hash, int bits) => (int)(hash >> (64 - bits));

    private static uint Tag(ulong hash) => (uint)hash << SlotBits;

    private static void Insert(uint[] entries, int bits, int slot, ulong hash)
    {
        var mask = entries.Length - 1;
        var at = Home(hash, bits);
        while (entries[at] != 0)
        {
            at = (at + 1) & mask;
        }

        entries[at] = Tag(hash) | (uint)(slot + 1);
    }

    private void Resize(int bits)
    {
        if (bits > 31)
        {
            throw new InvalidOperationException("The lease table cannot grow further.");
        }

        var old = _entries;
        var entries = new uint[1 << bits];
        foreach (var entry in old)
        {
            if (entry != 0)
            {
                var slot = (int)(entry & SlotMask) - 1;
                Insert(entries, bits, slot, _hasher.Hash(slot));
            }
        }

        _entries = entries;
        _bits = bits;
    }

    /// <summary>Walks the run of entries from a hash's home, yielding the slots whose tag matches.</summary>
    public ref struct Probe
    {
        private readonly uint[] _entries;
        private readonly uint _tag;
        private int _at;

        internal Probe(uint[] entries, int home, uint tag)
        {
            _entries = entries;
            _at = home;
            _tag = tag;
        }

        public bool Next(out int slot)
        {
            var mask = _entries.Length - 1;
            while (true)
            {
                var entry = _entries[_at];
                if (entry == 0)
                {
                    slot = -1;
                    return false;
                }

                _at = (_at + 1) & mask;
                if ((entry & ~SlotMask) == _tag)
                {
                    slot = (int)(entry & SlotMask) - 1;
                    return true;
                }
            }
        }
    }
}
