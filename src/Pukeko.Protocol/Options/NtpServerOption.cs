using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Options;

/// <summary>
/// NTP Server option (RFC 5908 §4): a list of time-source sub-options. Addresses (1, 2) are
/// <see cref="AddressOption"/>, the FQDN (3) a <see cref="DomainNameOption"/>, others <see cref="RawOption"/>.
/// </summary>
public sealed class NtpServerOption : DhcpOption
{
    public NtpServerOption()
        : base(OptionCode.NtpServer)
    {
    }

    public OptionCollection Options { get; } = new();

    public NtpServerOption AddServerAddress(Ipv6Address address)
    {
        Options.Add(new AddressOption(NtpSuboptionCode.ServerAddress, address));
        return this;
    }

    public NtpServerOption AddMulticastAddress(Ipv6Address address)
    {
        Options.Add(new AddressOption(NtpSuboptionCode.MulticastAddress, address));
        return this;
    }

    public NtpServerOption AddServerFqdn(string name)
    {
        Options.Add(new DomainNameOption(NtpSuboptionCode.ServerFqdn, name));
        return this;
    }

    public override int DataLength => Options.DataLength;

    public override void WriteData(Span<byte> destination) => Options.WriteTo(destination);

    public override DhcpOption Clone()
    {
        var copy = new NtpServerOption();
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"ntp-server sources={Options.Count}";
}
