namespace Pukeko.Server.Leases;

/// <summary>
/// Key of the (DUID, IAID, type) index. Holds the DUID array of the stored lease itself (stored leases
/// are never mutated), so building a key allocates nothing.
/// </summary>
internal readonly struct LeaseClientKey(byte[] duid, uint iaid, LeaseType type)
{
    public byte[] Duid { get; } = duid;

    public uint Iaid { get; } = iaid;

    public LeaseType Type { get; } = type;
}
