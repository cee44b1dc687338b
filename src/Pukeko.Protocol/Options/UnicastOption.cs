using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Options;

/// <summary>Server Unicast option (RFC 8415 §21.12).</summary>
public sealed class UnicastOption : DhcpOption
{
    public UnicastOption(Ipv6Address address)
        : base(OptionCode.Unicast)
    {
        Address = address;
    }

    public Ipv6Address Address { get; set; }

    public override int DataLength => 16;

    public override void WriteData(Span<byte> destination) => Address.Write(destination);

    public override DhcpOption Clone() => new UnicastOption(Address);

    public override string ToString() => $"unicast {Address}";
}
