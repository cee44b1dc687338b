using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>Identity Association for Prefix Delegation (RFC 8415 §21.21).</summary>
public sealed class IaPdOption : DhcpOption
{
    /// <summary>IAID, T1, T2.</summary>
    public const int FixedLength = 12;

    public IaPdOption(uint iaid, uint t1, uint t2)
        : base(OptionCode.IaPd)
    {
        Iaid = iaid;
        T1 = t1;
        T2 = t2;
    }

    public uint Iaid { get; set; }

    public uint T1 { get; set; }

    public uint T2 { get; set; }

    /// <summary>IA_PD-options: IAPREFIX, Status Code and anything else, in order.</summary>
    public OptionCollection Options { get; } = new();

    public override int DataLength => FixedLength + Options.DataLength;

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteUInt32(Iaid);
        writer.WriteUInt32(T1);
        writer.WriteUInt32(T2);
        Options.WriteTo(writer.RemainingSpan);
    }

    public override DhcpOption Clone()
    {
        var copy = new IaPdOption(Iaid, T1, T2);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"ia-pd iaid={Iaid} t1={T1} t2={T2} options={Options.Count}";
}
