namespace Pukeko.Server.Leases;

/// <summary>
/// Compares DUIDs by content; doubles as a span comparer so the by-DUID index can be searched with a
/// DUID that is still inside a packet buffer.
/// </summary>
internal sealed class LeaseDuidComparer :
    IEqualityComparer<byte[]>,
    IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static LeaseDuidComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> duid)
    {
        var hash = new HashCode();
        hash.AddBytes(duid);
        return hash.ToHashCode();
    }
}
