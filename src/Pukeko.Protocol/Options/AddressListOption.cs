using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Options;

/// <summary>An option holding a list of IPv6 addresses: DNS Recursive Name Server (23, RFC 3646) and the other address lists.</summary>
public sealed class AddressListOption : DhcpOption
{
    public AddressListOption(ushort code, IEnumerable<Ipv6Address> addresses)
        : base(code)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        Addresses = [.. addresses];
    }

    public AddressListOption(ushort code)
        : base(code)
    {
        Addresses = [];
    }

    public List<Ipv6Address> Addresses { get; }

    public override int DataLength => Addresses.Count * 16;

    public override void WriteData(Span<byte> destination)
    {
        for (var i = 0; i < Addresses.Count; i++)
        {
            Addresses[i].Write(destination.Slice(i * 16, 16));
        }
    }

    public override DhcpOption Clone() => new AddressListOption(Code, Addresses);

    public override string ToString() => $"option {Code} [{string.Join(", ", Addresses)}]";
}
