namespace Pukeko.Protocol.Options;

/// <summary>An option whose presence is the information: Rapid Commit (14, RFC 8415 §21.14), Reconfigure Accept (20, §21.20).</summary>
public sealed class EmptyOption : DhcpOption
{
    public EmptyOption(ushort code)
        : base(code)
    {
    }

    public override int DataLength => 0;

    public override void WriteData(Span<byte> destination)
    {
    }

    public override DhcpOption Clone() => new EmptyOption(Code);

    public override string ToString() => $"option {Code} (empty)";
}
