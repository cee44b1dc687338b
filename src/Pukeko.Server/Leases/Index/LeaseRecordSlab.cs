namespace Pukeko.Server.Leases.Index;

/// <summary>
/// The lease records, in chunks of <see cref="ChunkSize"/> slots. A slot number is a record's identity for as long
/// as the lease is stored (an update rewrites it in place), which is what the index's tables hold instead of object
/// references. Chunks, not one array: growing copies nothing and never needs twice the memory at once. Freed slots
/// are reused before new ones are taken. Not thread-safe.
/// </summary>
internal sealed class LeaseRecordSlab
{
    private const int ChunkBits = 12;
    internal const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    /// <summary>The most slots the index's tables can name (their entries keep 26 bits for a slot).</summary>
    internal const int MaxSlots = (1 << 26) - 1;

    private readonly List<LeaseRecord[]> _chunks = [];
    private readonly Stack<int> _free = new();

    /// <summary>Slots ever taken: every slot in use is below this.</summary>
    public int HighWater { get; private set; }

    public int Count => HighWater - _free.Count;

    public ref LeaseRecord this[int slot] => ref _chunks[slot >> ChunkBits][slot & ChunkMask];

    /// <summary>A free slot, marked in use; the caller fills it.</summary>
    public int Allocate()
    {
        if (!_free.TryPop(out var slot))
        {
            if (HighWater == MaxSlots)
            {
                throw new InvalidOperationException($"The lease index holds at most {MaxSlots} leases.");
            }

            slot = HighWater++;
            if ((slot >> ChunkBits) == _chunks.Count)
            {
                _chunks.Add(new LeaseRecord[ChunkSize]);
            }
        }

        this[slot] = new LeaseRecord { Flags = LeaseRecordFlags.InUse };
        return slot;
    }

    public void Free(int slot)
    {
        this[slot] = default;
        _free.Push(slot);
    }

    /// <summary>Room for <paramref name="slots"/> slots in all (a load sizes once).</summary>
    public void EnsureCapacity(int slots) => _chunks.Capacity = Math.Max(_chunks.Capacity, (slots + ChunkMask) >> ChunkBits);
}
