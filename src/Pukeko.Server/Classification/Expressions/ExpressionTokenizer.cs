using System.Globalization;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// Splits expression text into tokens the way Kea's flex lexer does: at each point the longest match wins, ties go to
/// the earlier rule (string, hex string, integer, option name, address, keyword, punctuation). Keywords need no word
/// boundary ("members" is <c>member</c> then an invalid 's'); a name is an option name only when <c>]</c> follows;
/// anything else is "Invalid character". Blanks are space, tab and newline.
/// </summary>
internal static class ExpressionTokenizer
{
    /// <summary>Kea 3.3's reserved words, plus Pukeko's <c>known</c>/<c>unknown</c> (documented by Kea, not lexed by it).</summary>
    private static readonly string[] Keywords =
    [
        "option", "relay4", "relay6", "peeraddr", "linkaddr", "text", "hex", "exists", "pkt", "iface", "src", "dst",
        "len", "pkt4", "mac", "hlen", "htype", "ciaddr", "giaddr", "yiaddr", "siaddr", "pkt6", "msgtype", "transid",
        "vendor", "vendor-class", "data", "enterprise", "substring", "lcase", "ucase", "split", "all", "concat",
        "ifelse", "sifelse", "hexstring", "addrtotext", "int8totext", "int16totext", "int32totext", "uint8totext",
        "uint16totext", "uint32totext", "not", "and", "sand", "or", "sor", "member", "match", "known", "unknown",
    ];

    /// <summary>All tokens up to and including the end token (the first error throws).</summary>
    public static List<ExpressionToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<ExpressionToken>();
        var offset = 0;
        do
        {
            tokens.Add(Next(text, ref offset));
        }
        while (tokens[^1].Kind != ExpressionTokenKind.End);

        return tokens;
    }

    /// <summary>
    /// The token at <paramref name="offset"/> after blanks, advancing past it. The parser asks for one token at a
    /// time, as Kea's does, so a syntax error before a bad character is the one reported.
    /// </summary>
    public static ExpressionToken Next(string text, ref int offset)
    {
        ArgumentNullException.ThrowIfNull(text);
        while (offset < text.Length && text[offset] is ' ' or '\t' or '\n')
        {
            offset++;
        }

        if (offset >= text.Length)
        {
            return new ExpressionToken(ExpressionTokenKind.End, "", text.Length, 0);
        }

        var token = TokenAt(text, offset);
        offset += token.Length;
        return token;
    }

    private static ExpressionToken TokenAt(string text, int i)
    {
        // Candidates in Kea's rule order; the first longest one wins.
        var best = default(ExpressionToken);
        Consider(ref best, StringAt(text, i));
        Consider(ref best, HexAt(text, i));
        Consider(ref best, IntegerAt(text, i));
        Consider(ref best, OptionNameAt(text, i));
        Consider(ref best, AddressAt(text, i));
        if (i + 1 < text.Length && text[i] == '=' && text[i + 1] == '=')
        {
            Consider(ref best, new ExpressionToken(ExpressionTokenKind.Equal, "==", i, 2));
        }

        foreach (var keyword in Keywords)
        {
            if (string.CompareOrdinal(text, i, keyword, 0, keyword.Length) == 0)
            {
                Consider(ref best, new ExpressionToken(ExpressionTokenKind.Keyword, keyword, i, keyword.Length));
            }
        }

        var single = text[i] switch
        {
            '.' => ExpressionTokenKind.Dot,
            '(' => ExpressionTokenKind.LeftParen,
            ')' => ExpressionTokenKind.RightParen,
            '[' => ExpressionTokenKind.LeftBracket,
            ']' => ExpressionTokenKind.RightBracket,
            ',' => ExpressionTokenKind.Comma,
            '*' => ExpressionTokenKind.Star,
            '+' => ExpressionTokenKind.Plus,
            _ => ExpressionTokenKind.End,
        };
        if (single != ExpressionTokenKind.End)
        {
            Consider(ref best, new ExpressionToken(single, text[i].ToString(), i, 1));
        }

        if (best.Length == 0)
        {
            throw new ExpressionSyntaxException($"Invalid character: {text[i]}", i);
        }

        if (best.Kind == ExpressionTokenKind.Integer && !long.TryParse(best.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new ExpressionSyntaxException($"Failed to convert {best.Text} to an integer.", i, best.Length);
        }

        if (best.Kind == ExpressionTokenKind.IpAddress && !IsAddress(best.Text))
        {
            throw new ExpressionSyntaxException($"Failed to convert {best.Text} to an IP address.", i, best.Length);
        }

        return best;
    }

    private static void Consider(ref ExpressionToken best, ExpressionToken candidate)
    {
        if (candidate.Length > best.Length)
        {
            best = candidate;
        }
    }

    /// <summary>'...' without a newline inside; the token text is the content.</summary>
    private static ExpressionToken StringAt(string text, int i)
    {
        if (text[i] != '\'')
        {
            return default;
        }

        for (var j = i + 1; j < text.Length && text[j] != '\n'; j++)
        {
            if (text[j] == '\'')
            {
                return new ExpressionToken(ExpressionTokenKind.String, text[(i + 1)..j], i, j + 1 - i);
            }
        }

        return default;
    }

    private static ExpressionToken HexAt(string text, int i)
    {
        if (text[i] != '0' || i + 2 >= text.Length || text[i + 1] is not ('x' or 'X') || !char.IsAsciiHexDigit(text[i + 2]))
        {
            return default;
        }

        var j = i + 2;
        while (j < text.Length && char.IsAsciiHexDigit(text[j]))
        {
            j++;
        }

        return new ExpressionToken(ExpressionTokenKind.Hex, text[i..j], i, j - i);
    }

    private static ExpressionToken IntegerAt(string text, int i)
    {
        var j = text[i] == '-' ? i + 1 : i;
        var digits = j;
        while (j < text.Length && char.IsAsciiDigit(text[j]))
        {
            j++;
        }

        return j == digits ? default : new ExpressionToken(ExpressionTokenKind.Integer, text[i..j], i, j - i);
    }

    /// <summary>A letter, then letters, digits, '-' or '_' ending in a letter or digit, then blanks, then ']' (not taken).</summary>
    private static ExpressionToken OptionNameAt(string text, int i)
    {
        if (!char.IsAsciiLetter(text[i]))
        {
            return default;
        }

        var j = i + 1;
        while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] is '-' or '_'))
        {
            j++;
        }

        if (!char.IsAsciiLetterOrDigit(text[j - 1]))
        {
            return default;
        }

        var name = text[i..j];
        while (j < text.Length && text[j] is ' ' or '\t' or '\n')
        {
            j++;
        }

        return j < text.Length && text[j] == ']' ? new ExpressionToken(ExpressionTokenKind.OptionName, name, i, j - i) : default;
    }

    /// <summary>Kea's <c>addr4</c> (four dot-separated digit runs) or <c>addr6</c> (hex*:hex*:[hex:.]*) shapes.</summary>
    private static ExpressionToken AddressAt(string text, int i)
    {
        var best = 0;

        // addr4: [0-9]+ (\.[0-9]+){3}
        var j = i;
        var parts = 0;
        while (true)
        {
            var start = j;
            while (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                j++;
            }

            if (j == start)
            {
                break;
            }

            parts++;
            if (parts == 4)
            {
                best = j - i;
                break;
            }

            if (j >= text.Length || text[j] != '.')
            {
                break;
            }

            j++;
        }

        // addr6: two colons with only hex digits before them, then any run of hex digits, ':' and '.'.
        j = i;
        var colons = 0;
        while (colons < 2 && j < text.Length && (char.IsAsciiHexDigit(text[j]) || text[j] == ':'))
        {
            colons += text[j] == ':' ? 1 : 0;
            j++;
        }

        if (colons == 2)
        {
            while (j < text.Length && (char.IsAsciiHexDigit(text[j]) || text[j] is ':' or '.'))
            {
                j++;
            }

            best = Math.Max(best, j - i);
        }

        return best == 0 ? default : new ExpressionToken(ExpressionTokenKind.IpAddress, text.Substring(i, best), i, best);
    }

    private static bool IsAddress(string text) => text.Contains(':', StringComparison.Ordinal)
        ? Ipv6Address.TryParse(text, out _)
        : IsDottedQuad(text);

    private static bool IsDottedQuad(string text)
    {
        foreach (var part in text.Split('.'))
        {
            // inet_pton, which Kea uses, refuses leading zeros.
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Bytes of an address token: 4 for IPv4, 16 for IPv6.</summary>
    public static byte[] AddressBytes(string text)
    {
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return [.. text.Split('.').Select(p => byte.Parse(p, CultureInfo.InvariantCulture))];
        }

        var bytes = new byte[16];
        Ipv6Address.Parse(text).Write(bytes);
        return bytes;
    }
}
