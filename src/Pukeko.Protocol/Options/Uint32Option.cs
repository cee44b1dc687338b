using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>
/// An option holding one 32-bit value: Information Refresh Time (32, RFC 8415 §21.23),
/// SOL_MAX_RT (82, §21.24), INF_MAX_RT (83, §21.25) and similar.
/// </summary>
public sealed class Uint32Option : DhcpOption
{
    public Uint32Option(ushort code, uint value)
        : base(code)
    {
        Value = value;
    }

    public uint Value { get; set; }

    public override int DataLength => 4;

    public override void WriteData(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public override DhcpOption Clone() => new Uint32Option(Code, Value);

    public override string ToString() => $"option {Code} {Value}";
}
