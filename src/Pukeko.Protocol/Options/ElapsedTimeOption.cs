using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>Elapsed Time option (RFC 8415 §21.9), in hundredths of a second; 0xffff means "longer".</summary>
public sealed class ElapsedTimeOption : DhcpOption
{
    public ElapsedTimeOption(ushort value)
        : base(OptionCode.ElapsedTime)
    {
        Value = value;
    }

    public ushort Value { get; set; }

    public TimeSpan Elapsed => TimeSpan.FromMilliseconds(Value * 10.0);

    public override int DataLength => 2;

    public override void WriteData(Span<byte> destination) => BinaryPrimitives.WriteUInt16BigEndian(destination, Value);

    public override DhcpOption Clone() => new ElapsedTimeOption(Value);

    public override string ToString() => $"elapsed-time {Value}";
}
