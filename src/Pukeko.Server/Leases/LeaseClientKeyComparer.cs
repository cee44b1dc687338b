namespace Pukeko.Server.Leases;

/// <summary>
/// Compares client keys by DUID bytes, IAID and type. Also serves span-based lookups; both paths must
/// produce the same hash, so they share <see cref="Hash"/>.
/// </summary>
internal sealed class LeaseClientKeyComparer :
    IEqualityComparer<LeaseClientKey>,
    IAlternateEqualityComparer<LeaseClientSpanKey, LeaseClientKey>
{
    public static LeaseClientKeyComparer Instance { get; } = new();

    public bool Equals(LeaseClientKey x, LeaseClientKey y) =>
        x.Iaid == y.Iaid && x.Type == y.Type && x.Duid.AsSpan().SequenceEqual(y.Duid);

    public int GetHashCode(LeaseClientKey obj) => Hash(obj.Duid, obj.Iaid, obj.Type);

    public bool Equals(LeaseClientSpanKey alternate, LeaseClientKey other) =>
        alternate.Iaid == other.Iaid && alternate.Type == other.Type && alternate.Duid.SequenceEqual(other.Duid);

    public int GetHashCode(LeaseClientSpanKey alternate) => Hash(alternate.Duid, alternate.Iaid, alternate.Type);

    public LeaseClientKey Create(LeaseClientSpanKey alternate) =>
        new(alternate.Duid.ToArray(), alternate.Iaid, alternate.Type);

    private static int Hash(ReadOnlySpan<byte> duid, uint iaid, LeaseType type)
    {
        var hash = new HashCode();
        hash.AddBytes(duid);
        hash.Add(iaid);
        hash.Add((byte)type);
        return hash.ToHashCode();
    }
}
