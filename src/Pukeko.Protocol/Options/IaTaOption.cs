using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>Identity Association for Temporary Addresses (RFC 8415 §21.5): only an IAID, no timers.</summary>
public sealed class IaTaOption : DhcpOption
{
    public const int FixedLength = 4;

    public IaTaOption(uint iaid)
        : base(OptionCode.IaTa)
    {
        Iaid = iaid;
    }

    public uint Iaid { get; set; }

    public OptionCollection Options { get; } = new();

    public override int DataLength => FixedLength + Options.DataLength;

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteUInt32(Iaid);
        Options.WriteTo(writer.RemainingSpan);
    }

    public override DhcpOption Clone()
    {
        var copy = new IaTaOption(Iaid);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"ia-ta iaid={Iaid} options={Options.Count}";
}
