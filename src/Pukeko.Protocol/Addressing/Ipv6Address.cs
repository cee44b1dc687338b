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

    /// <summary>The longest text <see cref="TryFormat"/> writes (six groups, a dotted IPv4 address and their colons).</summary>
    public const int MaxTextLength = 45;

    /// <summary>RFC 5952 text form (lower case, longest zero run compressed).</summary>
    public override string ToString()
    {
        Span<char> text = stackalloc char[MaxTextLength];
        return TryFormat(text, out var length) ? new string(text[..length]) : throw new InvalidOperationException("an IPv6 address longer than its maximum text");
    }

    /// <summary>
    /// Writes the text of <see cref="ToString"/>, for row and log writers; false when it does not fit. Allocates
    /// nothing, except for the forms that may end in a dotted IPv4 address (the first 64 bits zero, or ISATAP), which
    /// are left to the runtime's formatter so the text stays the same as <see cref="System.Net.IPAddress"/>'s.
    /// </summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = (ushort)(Value >> (112 - (16 * i)));
        }

        if ((Value >> 64) == 0 || (groups[4] == 0 && groups[5] == 0x5EFE))
        {
            return ToIPAddress().TryFormat(destination, out charsWritten);
        }

        var (zerosFrom, zerosTo) = LongestZeroRun(groups);
        var written = 0;
        for (var i = 0; i < groups.Length; i++)
        {
            if (i == zerosFrom)
            {
                if (destination.Length - written < 2)
                {
                    return false;
                }

                destination[written++] = ':';
                destination[written++] = ':';
                i = zerosTo - 1;
                continue;
            }

            if (i > 0 && i != zerosTo)
            {
                if (written == destination.Length)
                {
                    return false;
                }

                destination[written++] = ':';
            }

            if (!groups[i].TryFormat(destination[written..], out var digits, "x", System.Globalization.CultureInfo.InvariantCulture))
            {
                return false;
            }

            written += digits;
        }

        charsWritten = written;
        return true;
    }

    /// <summary>The first longest run of two or more zero groups, as [from, to); (-1, -1) when there is none (RFC 5952 §4.2).</summary>
    private static (int From, int To) LongestZeroRun(ReadOnlySpan<ushort> groups)
    {
        int bestFrom = -1, bestLength = 1, runLength = 0;
        for (var i = 0; i < groups.Length; i++)
        {
            runLength = groups[i] == 0 ? runLength + 1 : 0;
            if (runLength > bestLength)
            {
                bestLength = runLength;
                bestFrom = i - runLength + 1;
            }
        }

        return bestFrom < 0 ? (-1, -1) : (bestFrom, bestFrom + bestLength);
    }
}
