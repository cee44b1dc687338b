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
    /// <remarks>Made at first use: most carry none, and a packet has one in each direction.</remarks>
    public OptionCollection Options => _options ??= new();

    private OptionCollection? _options;

    /// <summary>The encapsulated options if the collection was ever made (reading <see cref="Options"/> makes it).</summary>
    internal OptionCollection? OptionsIfAny => _options;

    public override int DataLength => FixedLength + (_options?.DataLength ?? 0);

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteAddress(Address);
        writer.WriteUInt32(PreferredLifetime);
        writer.WriteUInt32(ValidLifetime);
        _options?.WriteTo(writer.RemainingSpan);
    }

    public override DhcpOption Clone()
    {
        var copy = new IaAddressOption(Address, PreferredLifetime, ValidLifetime);
        if (_options is { Count: > 0 })
        {
            _options.CopyTo(copy.Options);
        }
        return copy;
    }

    public override string ToString() => $"iaaddr {Address} pref={PreferredLifetime} valid={ValidLifetime}";
}
