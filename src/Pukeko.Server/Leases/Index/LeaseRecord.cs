using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Index;

/// <summary>
/// One stored lease as the index keeps it: the fixed-size fields inline (64 bytes), the client's DUID and hardware
/// address in <see cref="LeaseIdentityArena"/>, the rare hostname and user context in a side table. A million leases
/// as <see cref="Lease6"/> objects cost three objects each (the lease, its DUID and hardware address arrays, 190
/// bytes with their headers); as records they are one slot in an array the collector never has to trace.
/// </summary>
internal struct LeaseRecord
{
    public Ipv6Address Address;
    public long Cltt;
    public uint Iaid;
    public uint PreferredLifetime;
    public uint ValidLifetime;
    public uint SubnetId;
    public uint PoolId;
    public uint HardwareAddressSource;
    public LeaseState State;

    /// <summary>The DUID and hardware address, a reference into <see cref="LeaseIdentityArena"/>.</summary>
    public int Identity;
    public ushort HardwareType;
    public byte PrefixLength;
    public LeaseType Type;
    public LeaseRecordFlags Flags;

    public readonly long Expire => Cltt + ValidLifetime;

    public readonly bool InUse => (Flags & LeaseRecordFlags.InUse) != 0;

    public readonly bool HasText => (Flags & LeaseRecordFlags.HasText) != 0;
}

[Flags]
internal enum LeaseRecordFlags : byte
{
    None = 0,

    /// <summary>The slot holds a lease (free slots wait in the slab's free list).</summary>
    InUse = 1,
    FqdnForward = 2,
    FqdnReverse = 4,

    /// <summary>The lease has a hostname or a user context, kept in the index's side table.</summary>
    HasText = 8,
}
