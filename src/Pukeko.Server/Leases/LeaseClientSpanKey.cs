namespace Pukeko.Server.Leases;

/// <summary>
/// Span-based twin of <see cref="LeaseClientKey"/>, used as a dictionary alternate key so lookups with a
/// DUID taken straight from a packet do not allocate.
/// </summary>
internal readonly ref struct LeaseClientSpanKey(ReadOnlySpan<byte> duid, uint iaid, LeaseType type)
{
    public ReadOnlySpan<byte> Duid { get; } = duid;

    public uint Iaid { get; } = iaid;

    public LeaseType Type { get; } = type;
}
