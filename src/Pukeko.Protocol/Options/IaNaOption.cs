using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>Identity Association for Non-temporary Addresses (RFC 8415 §21.4).</summary>
public sealed class IaNaOption : DhcpOption
{
    /// <summary>IAID, T1, T2.</summary>
    public const int FixedLength = 12;

    public IaNaOption(uint iaid, uint t1, uint t2)
        : base(OptionCode.IaNa)
    {
        Iaid = iaid;
        T1 = t1;
        T2 = t2;
    }

    public uint Iaid { get; set; }

    public uint T1 { get; set; }

    public uint T2 { get; set; }

    /// <summary>IA_NA-options: IAADDR, Status Code and anything else, in order.</summary>
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
        var copy = new IaNaOption(Iaid, T1, T2);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"ia-na iaid={Iaid} t1={T1} t2={T2} options={Options.Count}";
}
