using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>An option holding exactly one fully qualified domain name (NTP server FQDN sub-option, AFTR name, ...).</summary>
public sealed class DomainNameOption : DhcpOption
{
    private string _name;

    public DomainNameOption(ushort code, string name)
        : base(code)
    {
        ArgumentNullException.ThrowIfNull(name);
        _name = name;
    }

    public string Name
    {
        get => _name;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _name = value;
        }
    }

    public override int DataLength => DomainNameEncoding.GetWireLength(_name, fullyQualified: true);

    public override void WriteData(Span<byte> destination) => DomainNameEncoding.Write(_name, fullyQualified: true, destination);

    public override DhcpOption Clone() => new DomainNameOption(Code, _name);

    public override string ToString() => $"option {Code} {_name}";
}
