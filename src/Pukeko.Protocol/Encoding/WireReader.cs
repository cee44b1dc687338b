using System.Buffers.Binary;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Encoding;

/// <summary>
/// Forward-only reader over network-order bytes. Every read checks the remaining length and
/// returns false instead of throwing, so parsers can turn short input into a status.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    public bool TryReadByte(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }

        value = _buffer[_position];
        _position++;
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position));
        _position += 2;
        return true;
    }

    /// <summary>Reads a 24-bit big-endian value (the DHCPv6 transaction id).</summary>
    public bool TryReadUInt24(out uint value)
    {
        if (Remaining < 3)
        {
            value = 0;
            return false;
        }

        value = ((uint)_buffer[_position] << 16) | ((uint)_buffer[_position + 1] << 8) | _buffer[_position + 2];
        _position += 3;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position));
        _position += 4;
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (Remaining < 8)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64BigEndian(_buffer.Slice(_position));
        _position += 8;
        return true;
    }

    public bool TryReadAddress(out Ipv6Address address)
    {
        if (Remaining < 16)
        {
            address = default;
            return false;
        }

        address = Ipv6Address.Read(_buffer.Slice(_position, 16));
        _position += 16;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || Remaining < count)
        {
            bytes = default;
            return false;
        }

        bytes = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>Returns everything not read yet and moves to the end.</summary>
    public ReadOnlySpan<byte> ReadRemaining()
    {
        var rest = _buffer.Slice(_position);
        _position = _buffer.Length;
        return rest;
    }
}
