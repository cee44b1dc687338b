using System.Buffers.Binary;

namespace Pukeko.Server.Leases.Index;

/// <summary>
/// The DUIDs and hardware addresses of the stored leases, packed together, one blob per lease, in shared 64 KB
/// chunks of same-sized blobs (size classes of 8 bytes, up to 256; larger blobs get an array each). A reference is
/// an int: the size class in the top bits, the blob's number in its class below. Against two arrays per lease this
/// saves their headers and the collector's tracing of two million objects. Not thread-safe.
/// </summary>
internal sealed class LeaseIdentityArena
{
    // Blob: [DUID length, u16][hardware address length, u16, NoHardware when there is none][DUID][hardware address].
    private const int HeaderSize = 4;
    private const ushort NoHardware = ushort.MaxValue;
    private const int Granule = 8;
    private const int SmallClasses = 32;
    private const int LargeClass = 63;
    private const int IndexBits = 26;
    private const int IndexMask = (1 << IndexBits) - 1;
    private const int ChunkBytes = 64 * 1024;

    private readonly SizeClass?[] _classes = new SizeClass?[SmallClasses];
    private readonly List<byte[]?> _large = [];
    private readonly Stack<int> _largeFree = new();

    /// <summary>Stores a lease's DUID and hardware address (null: none) and returns the reference to them.</summary>
    public int Store(ReadOnlySpan<byte> duid, ReadOnlySpan<byte> hardware, bool hasHardware)
    {
        if (duid.Length >= NoHardware || hardware.Length >= NoHardware)
        {
            throw new ArgumentException("A DUID or hardware address of 64 KB or more cannot be stored.");
        }

        var size = HeaderSize + duid.Length + hardware.Length;
        int reference;
        Span<byte> blob;
        if (size <= SmallClasses * Granule)
        {
            var sizeClass = (size - 1) / Granule;
            var blobs = _classes[sizeClass] ??= new SizeClass((sizeClass + 1) * Granule);
            var index = blobs.Allocate();
            blob = blobs.Blob(index);
            reference = (sizeClass << IndexBits) | index;
        }
        else
        {
            var bytes = new byte[size];
            if (!_largeFree.TryPop(out var index))
            {
                index = _large.Count;
                _large.Add(null);
            }

            _large[index] = bytes;
            blob = bytes;
            reference = (LargeClass << IndexBits) | index;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(blob, (ushort)duid.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(blob[2..], hasHardware ? (ushort)hardware.Length : NoHardware);
        duid.CopyTo(blob[HeaderSize..]);
        hardware.CopyTo(blob[(HeaderSize + duid.Length)..]);
        return reference;
    }

    public ReadOnlySpan<byte> Duid(int reference)
    {
        var blob = Blob(reference);
        return blob.Slice(HeaderSize, BinaryPrimitives.ReadUInt16LittleEndian(blob));
    }

    /// <summary>The hardware address; false when the lease has none.</summary>
    public bool TryGetHardware(int reference, out ReadOnlySpan<byte> hardware)
    {
        var blob = Blob(reference);
        var length = BinaryPrimitives.ReadUInt16LittleEndian(blob[2..]);
        if (length == NoHardware)
        {
            hardware = default;
            return false;
        }

        hardware = blob.Slice(HeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(blob), length);
        return true;
    }

    /// <summary>Whether the blob holds exactly this DUID and hardware address (an update then keeps it).</summary>
    public bool Holds(int reference, ReadOnlySpan<byte> duid, ReadOnlySpan<byte> hardware, bool hasHardware) =>
        Duid(reference).SequenceEqual(duid)
        && (TryGetHardware(reference, out var stored) ? hasHardware && stored.SequenceEqual(hardware) : !hasHardware);

    public void Free(int reference)
    {
        var sizeClass = reference >>> IndexBits;
        var index = reference & IndexMask;
        if (sizeClass == LargeClass)
        {
            _large[index] = null;
            _largeFree.Push(index);
        }
        else
        {
            _classes[sizeClass]!.Free(index);
        }
    }

    private Span<byte> Blob(int reference)
    {
        var sizeClass = reference >>> IndexBits;
        var index = reference & IndexMask;
        return sizeClass == LargeClass ? _large[index] : _classes[sizeClass]!.Blob(index);
    }

    // The blobs of one size, packed in chunks; freed blobs are reused first.
    private sealed class SizeClass(int blobSize)
    {
        private readonly int _perChunk = ChunkBytes / blobSize;
        private readonly List<byte[]> _chunks = [];
        private readonly Stack<int> _free = new();
        private int _next;

        public int Allocate()
        {
            if (_free.TryPop(out var index))
            {
                return index;
            }

            if (_next > IndexMask)
            {
                throw new InvalidOperationException("The lease identity arena is full.");
            }

            index = _next++;
            if (index / _perChunk == _chunks.Count)
            {
                _chunks.Add(new byte[_perChunk * blobSize]);
            }

            return index;
        }

        public void Free(int index) => _free.Push(index);

        public Span<byte> Blob(int index) => _chunks[index / _perChunk].AsSpan(index % _perChunk * blobSize, blobSize);
    }
}
