using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>IA Address option (RFC 8415 §21.6), carried inside IA_NA or IA_TA.</summary>
public sealed class IaAddressOption : DhcpOption
{
    /// <summary>Address, preferred and valid lifetime.</summary>
    public const int FixedLength = 24;

    public IaAddressOption(Ipv6Address address, uint preferredLifetime, uint validLifetime)
        : base(OptionCode.IaAddr)
    {
        Address = address;
        PreferredLifetime = preferredLifetime;
        ValidLifetime = validLifetime;
    }

    public Ipv6Address Address { get; set; }

    public uint PreferredLifetime { get; set; }

    public uint ValidLifetime { get; set; }

    /// <summary>IAaddr-options (normally at most a Status Code).</summary>
    public OptionCollection Options { get; } = new();

    public override int DataLength => FixedLength + Options.DataLength;

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteAddress(Address);
        writer.WriteUInt32(PreferredLifetime);
        writer.WriteUInt32(ValidLifetime);
        Options.WriteTo(writer.RemainingSpan);
    }

    public override DhcpOption Clone()
    {
        var copy = new IaAddressOption(Address, PreferredLifetime, ValidLifetime);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"iaaddr {Address} pref={PreferredLifetime} valid={ValidLifetime}";
}
