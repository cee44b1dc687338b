using System.Diagnostics.CodeAnalysis;

namespace Pukeko.Protocol.Encoding;

/// <summary>
/// Hex text in the form Kea uses for DUIDs and hardware addresses in lease files and commands:
/// lower-case, two digits per byte, separated by ':'.
/// </summary>
public static class HexText
{
    private const string Digits = "0123456789abcdef";

    /// <summary>Formats as <c>aa:bb:cc</c>; an empty input gives an empty string.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) => Format(bytes, ':');

    /// <summary>Formats with the given separator between bytes.</summary>
    public static string Format(ReadOnlySpan<byte> bytes, char separator)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        var length = (bytes.Length * 3) - 1;
        Span<char> chars = length <= 512 ? stackalloc char[length] : new char[length];
        var position = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                chars[position++] = separator;
            }

            chars[position++] = Digits[bytes[i] >> 4];
            chars[position++] = Digits[bytes[i] & 0xF];
        }

        return new string(chars);
    }

    /// <summary>Formats as plain lower-case hex without separators.</summary>
    public static string FormatPlain(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>
    /// Parses colon-separated hex (each group one or two digits, as Kea accepts "0:1:ab") or plain hex
    /// with an even number of digits. An optional "0x" prefix is allowed on plain hex. Empty text fails.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.Contains(':'))
        {
            return TryParseSeparated(span, ':', out bytes);
        }

        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[2..];
        }

        return TryParsePlain(span, out bytes);
    }

    public static byte[] Parse(string text) =>
        TryParse(text, out var bytes) ? bytes : throw new FormatException($"'{text}' is not valid hex text");

    internal static bool TryParsePlain(ReadOnlySpan<char> span, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (span.IsEmpty || span.Length % 2 != 0)
        {
            return false;
        }

        var result = new byte[span.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var high = HexValue(span[2 * i]);
            var low = HexValue(span[(2 * i) + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }

            result[i] = (byte)((high << 4) | low);
        }

        bytes = result;
        return true;
    }

    internal static bool TryParseSeparated(ReadOnlySpan<char> span, char separator, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        var count = span.Count(separator) + 1;
        var result = new byte[count];
        var index = 0;
        foreach (var range in span.Split(separator))
        {
            var group = span[range];
            if (group.Length is < 1 or > 2)
            {
                return false;
            }

            var value = 0;
            foreach (var c in group)
            {
                var digit = HexValue(c);
                if (digit < 0)
                {
                    return false;
                }

                value = (value << 4) | digit;
            }

            result[index++] = (byte)value;
        }

        bytes = result;
        return true;
    }

    internal static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
