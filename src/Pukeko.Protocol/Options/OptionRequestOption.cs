using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>Option Request Option (RFC 8415 §21.7): a list of 2-byte option codes.</summary>
public sealed class OptionRequestOption : DhcpOption
{
    public OptionRequestOption(IEnumerable<ushort> codes)
        : base(OptionCode.OptionRequest)
    {
        ArgumentNullException.ThrowIfNull(codes);
        Codes = [.. codes];
    }

    public List<ushort> Codes { get; }

    public bool Requests(ushort code) => Codes.Contains(code);

    public override int DataLength => Codes.Count * 2;

    public override void WriteData(Span<byte> destination)
    {
        for (var i = 0; i < Codes.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(i * 2)..], Codes[i]);
        }
    }

    public override DhcpOption Clone() => new OptionRequestOption(Codes);

    public override string ToString() => $"oro {string.Join(',', Codes)}";
}
