using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>
/// Base of every DHCPv6 option (RFC 8415 §21.1): a 2-byte code, a 2-byte length and the payload.
/// Options are mutable so the server can adjust responses; <see cref="Clone"/> gives a deep copy.
/// </summary>
public abstract class DhcpOption
{
    public const int HeaderLength = 4;

    protected DhcpOption(ushort code)
    {
        Code = code;
    }

    public ushort Code { get; }

    /// <summary>Payload length, without the 4-byte header.</summary>
    public abstract int DataLength { get; }

    /// <summary>Header plus payload.</summary>
    public int TotalLength => HeaderLength + DataLength;

    /// <summary>Writes exactly <see cref="DataLength"/> bytes of payload.</summary>
    public abstract void WriteData(Span<byte> destination);

    /// <summary>Writes header and payload; returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        var dataLength = DataLength;
        if (dataLength > ushort.MaxValue)
        {
            // The option-len field is 16 bits (RFC 8415 §21.1); no way to encode more.
            throw new InvalidOperationException($"option {Code} payload of {dataLength} bytes exceeds 65535");
        }

        if (destination.Length < HeaderLength + dataLength)
        {
            throw new ArgumentException($"destination too small for option {Code} ({HeaderLength + dataLength} bytes needed)", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, Code);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)dataLength);
        WriteData(destination.Slice(HeaderLength, dataLength));
        return HeaderLength + dataLength;
    }

    /// <summary>Payload as a new array (diagnostics, hooks, tests).</summary>
    public byte[] GetData()
    {
        var data = new byte[DataLength];
        WriteData(data);
        return data;
    }

    /// <summary>Deep copy; configured options are shared, so hooks get copies they may change.</summary>
    public abstract DhcpOption Clone();

    public override string ToString() => $"option {Code} ({DataLength} bytes)";
}
