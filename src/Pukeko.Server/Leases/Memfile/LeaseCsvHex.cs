using System.Text;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>DUID / hardware address text: lowercase hex octets separated by ':' (Kea's format).</summary>
internal static class LeaseCsvHex
{
    private const string HexDigits = "0123456789abcdef";

    public static void Append(StringBuilder output, ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                output.Append(':');
            }

            output.Append(HexDigits[bytes[i] >> 4]).Append(HexDigits[bytes[i] & 0xF]);
        }
    }

    public static string Format(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        Append(sb, bytes);
        return sb.ToString();
    }

    /// <summary>
    /// Parses "aa:bb:cc" (one or two digits per octet, either case) or an unseparated even-length hex
    /// string, both of which Kea accepts, from the row's UTF-8 bytes. Empty text yields an empty array.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty)
        {
            return true;
        }

        // Kea writes every octet as two digits with a colon between: that form is read directly (a million-row load
        // has twenty octets a row); anything else takes the general path below, which accepts the same and more.
        if ((text.Length + 1) % 3 == 0 && TryParseTwoDigitOctets(text, out bytes))
        {
            return true;
        }

        var separators = text.Count((byte)':');
        if (separators > 0)
        {
            var result = new byte[separators + 1];
            var n = 0;
            foreach (var range in text.Split((byte)':'))
            {
                var part = text[range];
                if (part.Length is < 1 or > 2 || !TryParseOctet(part, out result[n]))
                {
                    return false;
                }

                n++;
            }

            bytes = result;
            return true;
        }

        if (text.Length % 2 != 0)
        {
            return false;
        }

        var plain = new byte[text.Length / 2];
        for (var i = 0; i < plain.Length; i++)
        {
            if (!TryParseOctet(text.Slice(i * 2, 2), out plain[i]))
            {
                return false;
            }
        }

        bytes = plain;
        return true;
    }

    private static bool TryParseTwoDigitOctets(ReadOnlySpan<byte> text, out byte[] bytes)
    {
        var result = new byte[(text.Length + 1) / 3];
        for (var i = 0; i < result.Length; i++)
        {
            var at = i * 3;
            var high = DigitValue(text[at]);
            var low = DigitValue(text[at + 1]);
            if ((high | low) < 0 || (at + 2 < text.Length && text[at + 2] != ':'))
            {
                bytes = [];
                return false;
            }

            result[i] = (byte)((high << 4) | low);
        }

        bytes = result;
        return true;
    }

    private static bool TryParseOctet(ReadOnlySpan<byte> digits, out byte value)
    {
        var v = 0;
        foreach (var c in digits)
        {
            var d = DigitValue(c);
            if (d < 0)
            {
                value = 0;
                return false;
            }

            v = (v << 4) | d;
        }

        value = (byte)v;
        return true;
    }

    /// <summary>The value of one hex digit (either case), or -1.</summary>
    public static int DigitValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
