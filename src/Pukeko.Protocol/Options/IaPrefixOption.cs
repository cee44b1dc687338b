using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>IA Prefix option (RFC 8415 §21.22), carried inside IA_PD.</summary>
public sealed class IaPrefixOption : DhcpOption
{
    /// <summary>Preferred lifetime, valid lifetime, prefix length, prefix.</summary>
    public const int FixedLength = 25;

    public IaPrefixOption(uint preferredLifetime, uint validLifetime, byte prefixLength, Ipv6Address prefix)
        : base(OptionCode.IaPrefix)
    {
        PreferredLifetime = preferredLifetime;
        ValidLifetime = validLifetime;
        PrefixLength = prefixLength;
        Prefix = prefix;
    }

    public IaPrefixOption(uint preferredLifetime, uint validLifetime, Ipv6Prefix prefix)
        : this(preferredLifetime, validLifetime, prefix.Length, prefix.Address)
    {
    }

    public uint PreferredLifetime { get; set; }

    public uint ValidLifetime { get; set; }

    /// <summary>Prefix length in bits. Kept as sent (not checked against 128) so odd client hints round-trip.</summary>
    public byte PrefixLength { get; set; }

    public Ipv6Address Prefix { get; set; }

    /// <summary>The prefix as an <see cref="Ipv6Prefix"/>, or null when the length exceeds 128.</summary>
    public Ipv6Prefix? AsPrefix => PrefixLength <= 128 ? new Ipv6Prefix(Prefix, PrefixLength) : null;

    /// <summary>IAprefix-options (Status Code, PD-Exclude, ...).</summary>
    /// <remarks>Made at first use: most carry none, and a packet has one in each direction.</remarks>
    public OptionCollection Options => _options ??= new();

    private OptionCollection? _options;

    /// <summary>The encapsulated options if the collection was ever made (reading <see cref="Options"/> makes it).</summary>
    internal OptionCollection? OptionsIfAny => _options;

    public override int DataLength => FixedLength + (_options?.DataLength ?? 0);

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteUInt32(PreferredLifetime);
        writer.WriteUInt32(ValidLifetime);
        writer.WriteByte(PrefixLength);
        writer.WriteAddress(Prefix);
        _options?.WriteTo(writer.RemainingSpan);
    }

    public override DhcpOption Clone()
    {
        var copy = new IaPrefixOption(PreferredLifetime, ValidLifetime, PrefixLength, Prefix);
        if (_options is { Count: > 0 })
        {
            _options.CopyTo(copy.Options);
        }
        return copy;
    }

    public override string ToString() => $"iaprefix {Prefix}/{PrefixLength} pref={PreferredLifetime} valid={ValidLifetime}";
}
