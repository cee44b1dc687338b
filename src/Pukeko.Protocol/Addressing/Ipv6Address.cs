using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Pukeko.Protocol.Addressing;

/// <summary>
/// An IPv6 address as a 128-bit unsigned value. A value type so pools, lease indexes and packet
/// fields can compare and step through addresses without allocating.
/// </summary>
public readonly record struct Ipv6Address(UInt128 Value) : IComparable<Ipv6Address>
{
    /// <summary>The unspecified address <c>::</c>.</summary>
    public static Ipv6Address Any => default;

    /// <summary>All_DHCP_Relay_Agents_and_Servers (RFC 8415 §7.1).</summary>
    public static Ipv6Address AllDhcpRelayAgentsAndServers { get; } = Parse("ff02::1:2");

    /// <summary>All_DHCP_Servers (RFC 8415 §7.1).</summary>
    public static Ipv6Address AllDhcpServers { get; } = Parse("ff05::1:3");

    /// <summary>Reads 16 bytes in network order.</summary>
    public static Ipv6Address Read(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadUInt128BigEndian(bytes));

    /// <summary>Writes 16 bytes in network order.</summary>
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    public bool IsUnspecified => Value == UInt128.Zero;

    public bool IsLinkLocal => (Value >> 118) == 0x3FA; // fe80::/10

    public bool IsMulticast => (Value >> 120) == 0xFF;

    public static Ipv6Address FromIPAddress(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("not an IPv6 address", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return Read(bytes);
    }

    public IPAddress ToIPAddress(long scopeId = 0)
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(bytes);
        return new IPAddress(bytes, scopeId);
    }

    public static Ipv6Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a valid IPv6 address");

    public static bool TryParse([NotNullWhen(true)] string? text, out Ipv6Address address)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(text) || !text.Contains(':', StringComparison.Ordinal) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        if (!IPAddress.TryParse(text.Trim(), out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = FromIPAddress(ip);
        return true;
    }

    public Ipv6Address Add(UInt128 offset) => new(Value + offset);

    public int CompareTo(Ipv6Address other) => Value.CompareTo(other.Value);

    public static bool operator <(Ipv6Address left, Ipv6Address right) => left.Value < right.Value;

    public static bool operator >(Ipv6Address left, Ipv6Address right) => left.Value > right.Value;

    public static bool operator <=(Ipv6Address left, Ipv6Address right) => left.Value <= right.Value;

    public static bool operator >=(Ipv6Address left, Ipv6Address right) => left.Value >= right.Value;

    /// <summary>RFC 5952 text form (lower case, longest zero run compressed).</summary>
    public override string ToString() => ToIPAddress().ToString();
}
