using System.Buffers.Binary;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Encoding;

/// <summary>
/// Forward-only writer into a caller-provided span. Callers size the span from the options'
/// computed lengths, so an overrun here is a programming error and throws.
/// </summary>
public ref struct WireWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public WireWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly Span<byte> RemainingSpan => _buffer.Slice(_position);

    public void WriteByte(byte value)
    {
        _buffer[_position] = value;
        _position++;
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(_position), value);
        _position += 2;
    }

    public void WriteUInt24(uint value)
    {
        var target = _buffer.Slice(_position, 3);
        target[0] = (byte)(value >> 16);
        target[1] = (byte)(value >> 8);
        target[2] = (byte)value;
        _position += 3;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.Slice(_position), value);
        _position += 4;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.Slice(_position), value);
        _position += 8;
    }

    public void WriteAddress(Ipv6Address address)
    {
        address.Write(_buffer.Slice(_position, 16));
        _position += 16;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.Slice(_position));
        _position += bytes.Length;
    }

    /// <summary>Marks <paramref name="count"/> bytes as written by someone else (e.g. a nested writer).</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _position);
        _position += count;
    }
}
