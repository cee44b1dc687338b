using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>
/// An option holding a list of fully qualified domain names in RFC 1035 wire form without
/// compression (RFC 8415 §10): Domain Search List (24, RFC 3646) and the other name lists.
/// Invalid names make <see cref="DataLength"/> and writing throw <see cref="FormatException"/>.
/// </summary>
public sealed class DomainListOption : DhcpOption
{
    public DomainListOption(ushort code, IEnumerable<string> names)
        : base(code)
    {
        ArgumentNullException.ThrowIfNull(names);
        Names = [.. names];
    }

    /// <summary>Names in text form ("example.com"); see <see cref="DomainNameEncoding"/> for escapes.</summary>
    public List<string> Names { get; }

    public override int DataLength
    {
        get
        {
            var length = 0;
            foreach (var name in Names)
            {
                length += DomainNameEncoding.GetWireLength(name, fullyQualified: true);
            }

            return length;
        }
    }

    public override void WriteData(Span<byte> destination)
    {
        var position = 0;
        foreach (var name in Names)
        {
            position += DomainNameEncoding.Write(name, fullyQualified: true, destination[position..]);
        }
    }

    public override DhcpOption Clone() => new DomainListOption(Code, Names);

    public override string ToString() => $"option {Code} [{string.Join(", ", Names)}]";
}
