using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Duids;

/// <summary>
/// A DHCP Unique Identifier. Immutable; equality and hashing use the bytes, so it can key lease
/// and reservation indexes. Length limits (RFC 8415 §11.1: at most 128 bytes after the type) are a
/// server sanity check, not enforced here, so odd client DUIDs can still be logged and compared.
/// </summary>
public sealed class Duid : IEquatable<Duid>
{
    /// <summary>Seconds in DUID-LLT time are counted from midnight UTC, 1 January 2000 (RFC 8415 §11.2).</summary>
    public static readonly DateTimeOffset LltEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Three zero bytes: the value Kea stores as the DUID of declined leases.</summary>
    public static Duid EmptySentinel { get; } = new([0, 0, 0]);

    // Not readonly only for TryRefill: to everyone else a DUID never changes.
    private readonly byte[] _bytes;
    private int _hashCode;

    public Duid(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes.ToArray();
        _hashCode = HashOf(_bytes);
    }

    /// <summary>Made by the option decoder for a message it parsed, so only that message's parser may refill it.</summary>
    internal bool ParserOwned { get; init; }

    /// <summary>
    /// Takes <paramref name="bytes"/> in place of this DUID's own when they have the same length, for the parser filling
    /// a message its caller gave back for reuse (<see cref="Messages.Dhcp6Parser"/>); false otherwise, and nothing
    /// changes. Only a DUID the decoder made for that message qualifies: any other (a server's, one a caller set) may
    /// be held elsewhere.
    /// </summary>
    internal bool TryRefill(ReadOnlySpan<byte> bytes)
    {
        if (!ParserOwned || bytes.Length != _bytes.Length)
        {
            return false;
        }

        bytes.CopyTo(_bytes);
        _hashCode = HashOf(_bytes);
        return true;
    }

    private static int HashOf(byte[] bytes)
    {
        var hash = default(HashCode);
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public int Length => _bytes.Length;

    /// <summary>The type field, or null when shorter than 2 bytes or not a known type.</summary>
    public DuidType? Type
    {
        get
        {
            if (_bytes.Length < 2)
            {
                return null;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(_bytes);
            return type is >= 1 and <= 4 ? (DuidType)type : null;
        }
    }

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public static Duid CreateLlt(ushort hardwareType, uint time, ReadOnlySpan<byte> linkLayerAddress)
    {
        var bytes = new byte[8 + linkLayerAddress.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.Llt);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), hardwareType);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), time);
        linkLayerAddress.CopyTo(bytes.AsSpan(8));
        return new Duid(bytes);
    }

    /// <summary>DUID-LLT with the time taken from <paramref name="when"/> (modulo 2^32 as RFC 8415 §11.2 says).</summary>
    public static Duid CreateLlt(ushort hardwareType, DateTimeOffset when, ReadOnlySpan<byte> linkLayerAddress) =>
        CreateLlt(hardwareType, unchecked((uint)(long)(when - LltEpoch).TotalSeconds), linkLayerAddress);

    public static Duid CreateEn(uint enterpriseNumber, ReadOnlySpan<byte> identifier)
    {
        var bytes = new byte[6 + identifier.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.En);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), enterpriseNumber);
        identifier.CopyTo(bytes.AsSpan(6));
        return new Duid(bytes);
    }

    public static Duid CreateLl(ushort hardwareType, ReadOnlySpan<byte> linkLayerAddress)
    {
        var bytes = new byte[4 + linkLayerAddress.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.Ll);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), hardwareType);
        linkLayerAddress.CopyTo(bytes.AsSpan(4));
        return new Duid(bytes);
    }

    /// <summary>DUID-UUID (RFC 6355 §4): the 16 UUID bytes in network (RFC 9562) order.</summary>
    public static Duid CreateUuid(Guid uuid)
    {
        Span<byte> bytes = stackalloc byte[18];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.Uuid);
        uuid.TryWriteBytes(bytes[2..], bigEndian: true, out _);
        return new Duid(bytes);
    }

    /// <summary>
    /// Extracts the hardware type and link-layer address of a DUID-LLT or DUID-LL, the way Kea
    /// derives a hardware address from the DUID.
    /// </summary>
    public bool TryGetLinkLayerAddress(out ushort hardwareType, [NotNullWhen(true)] out byte[]? linkLayerAddress)
    {
        hardwareType = 0;
        linkLayerAddress = null;
        switch (Type)
        {
            case DuidType.Llt when _bytes.Length > 8:
                hardwareType = BinaryPrimitives.ReadUInt16BigEndian(_bytes.AsSpan(2));
                linkLayerAddress = _bytes[8..];
                return true;
            case DuidType.Ll when _bytes.Length > 4:
                hardwareType = BinaryPrimitives.ReadUInt16BigEndian(_bytes.AsSpan(2));
                linkLayerAddress = _bytes[4..];
                return true;
            default:
                return false;
        }
    }

    /// <summary>Lower-case hex bytes separated by ':' (the form Kea writes to lease files).</summary>
    public override string ToString() => HexText.Format(_bytes);

    public static Duid Parse(string text) =>
        TryParse(text, out var duid) ? duid : throw new FormatException($"'{text}' is not a valid DUID (expected hex bytes such as 00:01:ab or 0001ab)");

    /// <summary>Accepts colon-separated hex ("0:1:ab" or "00:01:ab") and plain hex ("0001ab"). Empty text fails.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Duid? duid)
    {
        duid = null;
        if (!HexText.TryParse(text, out var bytes))
        {
            return false;
        }

        duid = new Duid(bytes);
        return true;
    }

    public bool Equals(Duid? other) =>
        other is not null && (ReferenceEquals(this, other) || (_hashCode == other._hashCode && _bytes.AsSpan().SequenceEqual(other._bytes)));

    public override bool Equals(object? obj) => Equals(obj as Duid);

    public override int GetHashCode() => _hashCode;

    public static bool operator ==(Duid? left, Duid? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Duid? left, Duid? right) => !(left == right);
}
