namespace Pukeko.Server.Leases;

/// <summary>
/// The lease objects one query fills for its own use (the client's leases read from the store, their renewed
/// copies, a new lease) and the client's byte arrays those leases may point to. Kept in the processing context,
/// which a worker reuses, so steady traffic fills the same few objects again instead of making new ones per packet.
/// </summary>
/// <remarks>
/// A rented lease must not outlive its query. The pipeline keeps the objects only when nothing outside it could have
/// seen them (no callout registered, no HA hold, the same rule as the packets); otherwise it forgets them.
/// </remarks>
internal sealed class LeaseRental
{
    private Lease6[] _leases = new Lease6[4];
    private int _rented;

    // Arrays this rental made for the client's DUID and hardware address; the next query writes its own into them
    // when they fit, if they were kept (see ReturnAll).
    private byte[]? _ownDuid;
    private byte[]? _ownHardwareAddress;

    /// <summary>The query's client DUID, which leases read for the client point to instead of a copy of their own.</summary>
    public byte[] ClientDuid { get; set; } = [];

    /// <summary>The hardware address the query gives, if any; a stored lease recording the same one points to it.</summary>
    public byte[]? HardwareAddress { get; set; }

    /// <summary>
    /// Sets <see cref="ClientDuid"/> to <paramref name="duid"/> in an array of the rental's own, which the next query
    /// overwrites: only what ends with the query may keep it (the pipeline's leases and the client's turn do).
    /// </summary>
    public byte[] SetClientDuid(ReadOnlySpan<byte> duid) => ClientDuid = Fill(ref _ownDuid, duid);

    /// <summary>Sets <see cref="HardwareAddress"/> as <see cref="SetClientDuid"/> sets the DUID.</summary>
    public byte[] SetHardwareAddress(ReadOnlySpan<byte> address) => HardwareAddress = Fill(ref _ownHardwareAddress, address);

    private static byte[] Fill(ref byte[]? own, ReadOnlySpan<byte> bytes)
    {
        if (own is null || own.Length != bytes.Length)
        {
            own = bytes.ToArray();
        }
        else
        {
            bytes.CopyTo(own);
        }

        return own;
    }

    /// <summary>How many leases the current query has borrowed (for tests).</summary>
    public int Rented => _rented;

    /// <summary>A lease with every field at its default, the caller's until <see cref="ReturnAll"/>.</summary>
    public Lease6 Rent()
    {
        if (_rented == _leases.Length)
        {
            if (_rented >= Pipeline.RentalLimits.MaxKept)
            {
                // A query with many IAs: the rest are its own, not kept.
                return new Lease6();
            }

            Array.Resize(ref _leases, _leases.Length * 2);
        }

        var lease = _leases[_rented];
        if (lease is null)
        {
            lease = _leases[_rented] = new Lease6();
        }
        else
        {
            lease.Clear();
        }

        _rented++;
        return lease;
    }

    /// <summary>A copy of <paramref name="source"/> the caller may change (it shares the byte arrays, as <see cref="Lease6.Clone"/>).</summary>
    public Lease6 RentCopyOf(Lease6 source)
    {
        var copy = Rent();
        copy.CopyFrom(source);
        return copy;
    }

    /// <summary>
    /// An array holding <paramref name="bytes"/>: the client's DUID or hardware address array when equal (nobody writes
    /// those in place while the query lasts), else a new one.
    /// </summary>
    public byte[] Share(ReadOnlySpan<byte> bytes)
    {
        if (bytes.SequenceEqual(ClientDuid))
        {
            return ClientDuid;
        }

        return HardwareAddress is { } hardware && bytes.SequenceEqual(hardware) ? hardware : bytes.ToArray();
    }

    /// <summary>
    /// Ends the query: with <paramref name="keep"/> the leases and the client's arrays are filled again by the next
    /// one; without, something outside the pipeline may still hold them, so they are forgotten.
    /// </summary>
    public void ReturnAll(bool keep)
    {
        if (!keep)
        {
            Array.Clear(_leases, 0, _rented);
            _ownDuid = null;
            _ownHardwareAddress = null;
        }

        _rented = 0;
        ClientDuid = [];
        HardwareAddress = null;
    }
}
