using System.Globalization;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Kea's two hexadecimal text formats for identifiers in commands, with its error texts (operators and Forge
/// match on them): "formatted" (DUIDs: <c>0a:1b</c>, <c>0a 1b</c> or <c>0a1b</c>) and colon-separated
/// (hardware addresses: one or two digits between colons).
/// </summary>
internal static class KeaHex
{
    /// <summary>Decodes a DUID-style string; throws <see cref="FormatException"/> with Kea's message.</summary>
    public static byte[] DecodeFormatted(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = text.Contains(':', StringComparison.Ordinal) ? ':' : text.Contains(' ', StringComparison.Ordinal) ? ' ' : '\0';
        if (separator == '\0')
        {
            var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
            if (digits.Length % 2 == 1)
            {
                digits = "0" + digits;
            }

            try
            {
                return Convert.FromHexString(digits);
            }
            catch (FormatException)
            {
                throw new FormatException($"'{text}' is not a valid string of hexadecimal digits");
            }
        }

        var tokens = text.Split(separator);
        var bytes = new byte[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Length == 0)
            {
                throw new FormatException($"two consecutive separators ('{separator}') specified in a decoded string '{text}'");
            }

            bytes[i] = ParseToken(token, text);
        }

        return bytes;
    }

    /// <summary>Decodes a hardware address (<c>aa:bb:cc</c>); throws <see cref="FormatException"/> with Kea's message.</summary>
    public static byte[] DecodeColonSeparated(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split(':');
        var bytes = new byte[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            bytes[i] = ParseToken(tokens[i], text);
        }

        return bytes;
    }

    /// <summary>Lower-case hex with colons, as Kea prints DUIDs and hardware addresses.</summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }

        var chars = new char[(bytes.Length * 3) - 1];
        for (var i = 0; i < bytes.Length; i++)
        {
            var hex = bytes[i].ToString("x2", CultureInfo.InvariantCulture);
            chars[i * 3] = hex[0];
            chars[(i * 3) + 1] = hex[1];
            if (i < bytes.Length - 1)
            {
                chars[(i * 3) + 2] = ':';
            }
        }

        return new string(chars);
    }

    private static byte ParseToken(string token, string text)
    {
        if (token.Length is 0 or > 2)
        {
            throw new FormatException($"invalid format of the decoded string '{text}'");
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw new FormatException($"'{c}' is not a valid hexadecimal digit in decoded string '{text}'");
            }
        }

        return byte.Parse(token, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
