using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Pukeko.Protocol.Encoding;

/// <summary>
/// Converts between domain names in text form and the RFC 1035 §3.1 wire form used by DHCPv6
/// (RFC 8415 §10: no compression). Text uses master-file escapes (<c>\.</c>, <c>\\</c>, <c>\DDD</c>)
/// for bytes that are not plain printable characters, so any wire name round-trips exactly.
/// The root name is the empty string (a trailing '.' on input is accepted and ignored).
/// </summary>
public static class DomainNameEncoding
{
    public const int MaxLabelLength = 63;

    /// <summary>Maximum wire length of a full name including the root label (RFC 1035 §2.3.4).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Wire length of <paramref name="name"/>; full names include the terminating zero byte.</summary>
    public static int GetWireLength(string name, bool fullyQualified)
    {
        if (!TryGetWireLength(name, fullyQualified, out var length, out var error))
        {
            throw new FormatException(error);
        }

        return length;
    }

    public static bool TryGetWireLength(string name, bool fullyQualified, out int length, [NotNullWhen(false)] out string? error)
    {
        length = 0;
        var text = StripRootDot(name);
        var total = 0;
        var labelLength = 0;
        var index = 0;
        if (text.Length == 0)
        {
            length = fullyQualified ? 1 : 0;
            error = null;
            return true;
        }

        while (index <= text.Length)
        {
            if (index == text.Length || text[index] == '.')
            {
                if (labelLength == 0)
                {
                    error = $"'{name}' is not a valid domain name (empty label)";
                    return false;
                }

                if (labelLength > MaxLabelLength)
                {
                    error = $"'{name}' is not a valid domain name (label longer than {MaxLabelLength} bytes)";
                    return false;
                }

                total += 1 + labelLength;
                labelLength = 0;
                index++;
                continue;
            }

            if (!TryReadTextByte(text, ref index, out _))
            {
                error = $"'{name}' is not a valid domain name (bad escape sequence)";
                return false;
            }

            labelLength++;
        }

        if (fullyQualified)
        {
            total++;
        }

        if (total > MaxNameLength)
        {
            error = $"'{name}' is not a valid domain name (longer than {MaxNameLength} bytes)";
            return false;
        }

        length = total;
        error = null;
        return true;
    }

    /// <summary>Writes the wire form; returns the bytes written. Throws <see cref="FormatException"/> for invalid names.</summary>
    public static int Write(string name, bool fullyQualified, Span<byte> destination)
    {
        var length = GetWireLength(name, fullyQualified);
        if (destination.Length < length)
        {
            throw new ArgumentException("destination too small for the domain name", nameof(destination));
        }

        var text = StripRootDot(name);
        var position = 0;
        if (text.Length > 0)
        {
            var lengthPosition = position++;
            var labelLength = 0;
            var index = 0;
            while (index <= text.Length)
            {
                if (index == text.Length || text[index] == '.')
                {
                    destination[lengthPosition] = (byte)labelLength;
                    index++;
                    if (index <= text.Length)
                    {
                        lengthPosition = position++;
                        labelLength = 0;
                    }

                    continue;
                }

                TryReadTextByte(text, ref index, out var value);
                destination[position++] = value;
                labelLength++;
            }
        }

        if (fullyQualified)
        {
            destination[position++] = 0;
        }

        return position;
    }

    public static byte[] ToWire(string name, bool fullyQualified)
    {
        var bytes = new byte[GetWireLength(name, fullyQualified)];
        Write(name, fullyQualified, bytes);
        return bytes;
    }

    /// <summary>
    /// Reads one name from the start of <paramref name="data"/>. A name ends at a zero label
    /// (fully qualified) or, when <paramref name="allowPartial"/>, at the end of the data.
    /// Compression pointers are rejected (RFC 8415 §10).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, bool allowPartial, [NotNullWhen(true)] out string? name, out int bytesConsumed, out bool fullyQualified)
    {
        name = null;
        bytesConsumed = 0;
        fullyQualified = false;
        var builder = new StringBuilder();
        var position = 0;
        while (true)
        {
            if (position >= data.Length)
            {
                if (!allowPartial)
                {
                    return false;
                }

                break;
            }

            var labelLength = data[position];
            if (labelLength == 0)
            {
                position++;
                fullyQualified = true;
                break;
            }

            // Top bits 01/10/11 are extended label types or compression pointers: not allowed here.
            if (labelLength > MaxLabelLength || position + 1 + labelLength > data.Length)
            {
                return false;
            }

            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            AppendLabel(builder, data.Slice(position + 1, labelLength));
            position += 1 + labelLength;
        }

        if (position > MaxNameLength)
        {
            return false;
        }

        name = builder.ToString();
        bytesConsumed = position;
        return true;
    }

    private static void AppendLabel(StringBuilder builder, ReadOnlySpan<byte> label)
    {
        foreach (var b in label)
        {
            if (b is (byte)'.' or (byte)'\\')
            {
                builder.Append('\\').Append((char)b);
            }
            else if (b is > 0x20 and < 0x7F)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('\\').Append((char)('0' + (b / 100))).Append((char)('0' + (b / 10 % 10))).Append((char)('0' + (b % 10)));
            }
        }
    }

    private static bool TryReadTextByte(string text, ref int index, out byte value)
    {
        var c = text[index];
        if (c != '\\')
        {
            value = (byte)c;
            index++;
            return c is > (char)0x20 and < (char)0x7F;
        }

        if (index + 1 >= text.Length)
        {
            value = 0;
            return false;
        }

        var next = text[index + 1];
        if (char.IsAsciiDigit(next))
        {
            if (index + 3 >= text.Length)
            {
                value = 0;
                return false;
            }

            if (!char.IsAsciiDigit(text[index + 2]) || !char.IsAsciiDigit(text[index + 3]))
            {
                value = 0;
                return false;
            }

            var number = ((next - '0') * 100) + ((text[index + 2] - '0') * 10) + (text[index + 3] - '0');
            if (number > 255)
            {
                value = 0;
                return false;
            }

            value = (byte)number;
            index += 4;
            return true;
        }

        value = (byte)next;
        index += 2;
        return next is > (char)0x20 and < (char)0x7F;
    }

    private static string StripRootDot(string name)
    {
        // A single trailing unescaped '.' denotes the root; "\." at the end is an escaped dot.
        if (name == ".")
        {
            return string.Empty;
        }

        if (name.Length >= 1 && name[^1] == '.' && !EndsWithEscapedDot(name))
        {
            return name[..^1];
        }

        return name;
    }

    private static bool EndsWithEscapedDot(string name)
    {
        var backslashes = 0;
        for (var i = name.Length - 2; i >= 0 && name[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }
}
