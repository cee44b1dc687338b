using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Options;

/// <summary>An option holding exactly one IPv6 address (NTP server address sub-options, Link Address, S46 BR, ...).</summary>
public sealed class AddressOption : DhcpOption
{
    public AddressOption(ushort code, Ipv6Address address)
        : base(code)
    {
        Address = address;
    }

    public Ipv6Address Address { get; set; }

    public override int DataLength => 16;

    public override void WriteData(Span<byte> destination) => Address.Write(destination);

    public override DhcpOption Clone() => new AddressOption(Code, Address);

    public override string ToString() => $"option {Code} {Address}";
}
