namespace Pukeko.Server.Leases;

/// <summary>
/// A sorted set of small values kept in a list of sorted arrays (blocks of up to <see cref="BlockCapacity"/>), for
/// the lease indexes that are walked in order. Against a <see cref="SortedSet{T}"/> it holds a million addresses in
/// about a third of the memory (no 40-byte node around each value), is built from a sorted array without one
/// insertion per value, and allocates only when it needs a block more than it ever had. Not thread-safe; the set must not change while it
/// is enumerated.
/// </summary>
internal sealed class SortedBlockSet<T>
    where T : struct, IComparable<T>
{
    /// <summary>Values per block: an insertion moves at most this many, a search visits log2(blocks) + 8 values.</summary>
    internal const int BlockCapacity = 256;

    // A bulk build leaves room in each block, so the first insertions after a load do not split every block they touch.
    private const int BuildFill = BlockCapacity * 7 / 8;

    private readonly List<Block> _blocks = [];

    // The last block removals emptied, for the next one needed: expiration keys leave at the front while renewals add
    // them at the end, so steady renewals would otherwise drop one block and make another every few hundred.
    private Block? _spare;

    public int Count { get; private set; }

    /// <summary>A set holding <paramref name="sorted"/>, which must be in ascending order without duplicates.</summary>
    public static SortedBlockSet<T> FromSorted(ReadOnlySpan<T> sorted)
    {
        var set = new SortedBlockSet<T>();
        set._blocks.Capacity = (sorted.Length + BuildFill - 1) / BuildFill;
        for (var start = 0; start < sorted.Length; start += BuildFill)
        {
            var block = new Block();
            var length = Math.Min(BuildFill, sorted.Length - start);
            sorted.Slice(start, length).CopyTo(block.Items);
            block.Count = length;
            set._blocks.Add(block);
        }

        set.Count = sorted.Length;
        return set;
    }

    /// <summary>Adds <paramref name="value"/>; false if it is already there.</summary>
    public bool Add(T value)
    {
        if (_blocks.Count == 0)
        {
            AddBlock(value);
            Count = 1;
            return true;
        }

        // Past the last value, the value goes at the end of the last block.
        var b = Math.Min(BlockFor(value), _blocks.Count - 1);
        var block = _blocks[b];
        var at = Array.BinarySearch(block.Items, 0, block.Count, value);
        if (at >= 0)
        {
            return false;
        }

        at = ~at;
        if (block.Count == BlockCapacity && at == BlockCapacity && b == _blocks.Count - 1)
        {
            // Above every value (a new expiration, the next address of an iterative pool): a new last block, so the
            // full one stays full instead of being split in halves that are never filled again.
            AddBlock(value);
            Count++;
            return true;
        }

        if (block.Count == BlockCapacity)
        {
            var upper = TakeBlock();
            upper.Count = BlockCapacity / 2;
            block.Items.AsSpan(BlockCapacity / 2).CopyTo(upper.Items);
            block.Count = BlockCapacity / 2;
            _blocks.Insert(b + 1, upper);
            if (at > block.Count)
            {
                block = upper;
                at -= BlockCapacity / 2;
            }
        }

        block.Items.AsSpan(at, block.Count - at).CopyTo(block.Items.AsSpan(at + 1));
        block.Items[at] = value;
        block.Count++;
        Count++;
        return true;
    }

    /// <summary>Removes <paramref name="value"/>; false if it is not there.</summary>
    public bool Remove(T value)
    {
        var b = BlockFor(value);
        if (b == _blocks.Count)
        {
            return false;
        }

        var block = _blocks[b];
        var at = Array.BinarySearch(block.Items, 0, block.Count, value);
        if (at < 0)
        {
            return false;
        }

        block.Items.AsSpan(at + 1, block.Count - at - 1).CopyTo(block.Items.AsSpan(at));
        block.Count--;
        if (block.Count == 0)
        {
            _blocks.RemoveAt(b);
            _spare = block;
        }

        Count--;
        return true;
    }

    public bool Contains(T value)
    {
        var b = BlockFor(value);
        return b < _blocks.Count && Array.BinarySearch(_blocks[b].Items, 0, _blocks[b].Count, value) >= 0;
    }

    /// <summary>All values in ascending order.</summary>
    public Enumerator GetEnumerator() => new(_blocks, 0, -1);

    /// <summary>The values from the first one at or above <paramref name="floor"/>, in ascending order.</summary>
    public Enumerator From(T floor)
    {
        var b = BlockFor(floor);
        if (b == _blocks.Count)
        {
            return new Enumerator(_blocks, b, -1);
        }

        var at = Array.BinarySearch(_blocks[b].Items, 0, _blocks[b].Count, floor);
        return new Enumerator(_blocks, b, (at >= 0 ? at : ~at) - 1);
    }

    /// <summary>How many values lie in [<paramref name="first"/>, <paramref name="last"/>]: two searches and a sum over the blocks between.</summary>
    public int CountBetween(T first, T last)
    {
        if (first.CompareTo(last) > 0)
        {
            return 0;
        }

        var from = PositionOf(first);
        var to = PositionOf(last);
        var count = 0;
        for (var b = from.Block; b < to.Block; b++)
        {
            count += _blocks[b].Count;
        }

        // From the start of the first block to the start of the last, less what lies before first, plus up to last.
        var toBlock = to.Block < _blocks.Count ? _blocks[to.Block] : null;
        var inLast = toBlock is null ? 0 : to.Index + (to.Index < toBlock.Count && toBlock.Items[to.Index].CompareTo(last) == 0 ? 1 : 0);
        return count - from.Index + inLast;
    }

    private Block TakeBlock()
    {
        var block = _spare ?? new Block();
        _spare = null;
        return block;
    }

    private void AddBlock(T value)
    {
        var block = TakeBlock();
        block.Items[0] = value;
        block.Count = 1;
        _blocks.Add(block);
    }

    // The block of the first value at or above value, and its index there (the block count and 0 above every value).
    private (int Block, int Index) PositionOf(T value)
    {
        var b = BlockFor(value);
        if (b == _blocks.Count)
        {
            return (b, 0);
        }

        var at = Array.BinarySearch(_blocks[b].Items, 0, _blocks[b].Count, value);
        return (b, at >= 0 ? at : ~at);
    }

    // The first block whose last value is at or above value; _blocks.Count when value is above them all.
    private int BlockFor(T value)
    {
        int low = 0, high = _blocks.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            var block = _blocks[middle];
            if (block.Items[block.Count - 1].CompareTo(value) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    internal sealed class Block
    {
        public readonly T[] Items = new T[BlockCapacity];

        public int Count;
    }

    /// <summary>Walks the blocks from a position; also its own enumerable, so <see cref="From"/> works in <c>foreach</c>.</summary>
    public struct Enumerator
    {
        private readonly List<Block> _blocks;
        private int _block;
        private int _index;

        internal Enumerator(List<Block> blocks, int block, int index)
        {
            _blocks = blocks;
            _block = block;
            _index = index;
        }

        public T Current { get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_block < _blocks.Count)
            {
                var block = _blocks[_block];
                if (++_index < block.Count)
                {
                    Current = block.Items[_index];
                    return true;
                }

                _block++;
                _index = -1;
            }

            return false;
        }
    }
}
