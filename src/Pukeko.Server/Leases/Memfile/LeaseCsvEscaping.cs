using System.Buffers;
using System.Text;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Kea's CSV escaping for free-text columns (hostname, user_context): every UTF-8 byte below 0x20 or above
/// 0x7e, plus ',' and '&amp;', becomes <c>&amp;#x</c> and two lowercase hex digits. Escaping works on bytes, so
/// non-ASCII text is escaped per UTF-8 byte exactly like Kea does, and the file itself is pure ASCII.
/// </summary>
internal static class LeaseCsvEscaping
{
    private const string HexDigits = "0123456789abcdef";

    /// <summary>Appends <paramref name="value"/> escaped to <paramref name="output"/>.</summary>
    public static void Append(StringBuilder output, string value)
    {
        foreach (var ch in value)
        {
            if (ch >= 0x80 || char.IsSurrogate(ch))
            {
                AppendSlow(output, value);
                return;
            }
        }

        // ASCII-only fast path: no UTF-8 encoding needed.
        foreach (var ch in value)
        {
            if (NeedsEscape(ch))
            {
                AppendEscapedByte(output, (byte)ch);
            }
            else
            {
                output.Append(ch);
            }
        }
    }

    /// <summary>Returns <paramref name="value"/> escaped (convenience for tests and logs).</summary>
    public static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        Append(sb, value);
        return sb.ToString();
    }

    /// <summary>
    /// Reverses the escaping of a field given as text (tests, tools): the text is taken as its UTF-8 bytes, as
    /// in the file.
    /// </summary>
    public static string Unescape(ReadOnlySpan<char> field)
    {
        if (field.IsEmpty)
        {
            return string.Empty;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(field.Length));
        try
        {
            return Unescape(bytes.AsSpan(0, Encoding.UTF8.GetBytes(field, bytes)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Reverses the escaping of a field's UTF-8 bytes. A tag not followed by two hex digits is kept literally, as
    /// Kea does. Escaped bytes are put back among the others and the whole is decoded as UTF-8.
    /// </summary>
    public static string Unescape(ReadOnlySpan<byte> field)
    {
        if (field.IndexOf("&#x"u8) < 0)
        {
            return field.IsEmpty ? string.Empty : Encoding.UTF8.GetString(field);
        }

        // Unescaping only shortens the field.
        var bytes = ArrayPool<byte>.Shared.Rent(field.Length);
        try
        {
            var count = 0;
            var i = 0;
            while (i < field.Length)
            {
                if (field[i] == '&' && i + 4 < field.Length && field[i + 1] == '#' && field[i + 2] == 'x'
                    && LeaseCsvHex.DigitValue(field[i + 3]) is var high and >= 0 && LeaseCsvHex.DigitValue(field[i + 4]) is var low and >= 0)
                {
                    bytes[count++] = (byte)((high << 4) | low);
                    i += 5;
                    continue;
                }

                bytes[count++] = field[i++];
            }

            return Encoding.UTF8.GetString(bytes, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static void AppendSlow(StringBuilder output, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var length = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < length; i++)
            {
                var b = utf8[i];
                if (NeedsEscape((char)b))
                {
                    AppendEscapedByte(output, b);
                }
                else
                {
                    output.Append((char)b);
                }
            }
        }
    }

    private static bool NeedsEscape(char c) => c < (char)0x20 || c > (char)0x7e || c == ',' || c == '&';

    private static void AppendEscapedByte(StringBuilder output, byte b) =>
        output.Append("&#x").Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
}
