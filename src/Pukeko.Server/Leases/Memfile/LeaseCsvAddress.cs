using System.Text;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Reads the address column from the row's bytes. The plain hex forms Kea writes are parsed in place; any other
/// form (dotted IPv4 tail, a "::" that stands for a single group, anything invalid) goes to
/// <see cref="Ipv6Address.TryParse(string?, out Ipv6Address)"/>, so the result is the same as before, only
/// without a string and an <see cref="System.Net.IPAddress"/> per row.
/// </summary>
internal static class LeaseCsvAddress
{
    private const int Groups = 8;

    public static bool TryParse(ReadOnlySpan<byte> text, out Ipv6Address address) =>
        TryParsePlainHex(text, out address) || Ipv6Address.TryParse(Encoding.UTF8.GetString(text), out address);

    /// <summary>Colon-separated groups of one to four hex digits, at most one "::" standing for two or more zero groups.</summary>
    private static bool TryParsePlainHex(ReadOnlySpan<byte> text, out Ipv6Address address)
    {
        address = default;
        Span<ushort> groups = stackalloc ushort[Groups];
        var count = 0;
        var gap = -1;
        var i = 0;
        if (text.StartsWith("::"u8))
        {
            gap = 0;
            i = 2;
        }

        while (i < text.Length)
        {
            var value = 0;
            var digits = 0;
            while (i < text.Length && digits <= 4 && LeaseCsvHex.DigitValue(text[i]) is var digit and >= 0)
            {
                value = (value << 4) | digit;
                digits++;
                i++;
            }

            if (digits is 0 or > 4 || count == Groups)
            {
                return false;
            }

            groups[count++] = (ushort)value;
            if (i == text.Length)
            {
                break;
            }

            if (text[i] != ':' || ++i == text.Length)
            {
                return false;
            }

            if (text[i] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }

                gap = count;
                i++;
            }
        }

        if (gap < 0 ? count != Groups : count > Groups - 2)
        {
            return false;
        }

        UInt128 result = 0;
        var zeros = Groups - count;
        for (var g = 0; g < count; g++)
        {
            var position = gap >= 0 && g >= gap ? g + zeros : g;
            result |= (UInt128)groups[g] << (112 - (16 * position));
        }

        address = new Ipv6Address(result);
        return true;
    }
}
