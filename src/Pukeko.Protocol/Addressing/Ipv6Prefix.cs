using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pukeko.Protocol.Addressing;

/// <summary>An IPv6 prefix: a network address and a length of 0..128 bits.</summary>
public readonly record struct Ipv6Prefix
{
    public Ipv6Prefix(Ipv6Address address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 128);
        Address = address;
        Length = (byte)length;
    }

    public Ipv6Address Address { get; }

    public byte Length { get; }

    /// <summary>Mask with the top <see cref="Length"/> bits set.</summary>
    public UInt128 Mask => Length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - Length);

    /// <summary>The first address of the prefix (host bits cleared).</summary>
    public Ipv6Address First => new(Address.Value & Mask);

    /// <summary>The last address of the prefix (host bits set).</summary>
    public Ipv6Address Last => new(Address.Value | ~Mask);

    /// <summary>True when the address has no bits set beyond the prefix length.</summary>
    public bool IsNetworkAddress => (Address.Value & ~Mask) == UInt128.Zero;

    public bool Contains(Ipv6Address address) => (address.Value & Mask) == (Address.Value & Mask);

    public bool Contains(Ipv6Prefix other) => other.Length >= Length && Contains(other.Address);

    public static Ipv6Prefix Parse(string text) =>
        TryParse(text, out var prefix, out var error) ? prefix : throw new FormatException(error);

    /// <summary>Parses <c>addr/len</c>. The error says what is wrong, for configuration messages.</summary>
    public static bool TryParse(string? text, out Ipv6Prefix prefix, [NotNullWhen(false)] out string? error)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty prefix";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"'{text}' is not a prefix (expected address/length)";
            return false;
        }

        if (!Ipv6Address.TryParse(text[..slash].Trim(), out var address))
        {
            error = $"'{text[..slash].Trim()}' is not a valid IPv6 address";
            return false;
        }

        if (!int.TryParse(text.AsSpan(slash + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > 128)
        {
            error = $"'{text[(slash + 1)..].Trim()}' is not a valid prefix length (0..128)";
            return false;
        }

        prefix = new Ipv6Prefix(address, length);
        error = null;
        return true;
    }

    public override string ToString() => $"{Address}/{Length}";
}
