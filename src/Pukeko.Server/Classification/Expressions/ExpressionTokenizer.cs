using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// Splits expression text into tokens. Words are letters, digits, '-' and '_' starting with a letter
/// (<c>vendor-class</c>, option names); a run of hex digits, ':' and '.' containing a ':' is an IPv6 address
/// (<c>fe80::1</c>, <c>::1</c>); dotted decimal quads are IPv4 addresses; <c>0x…</c> is a hex string;
/// strings are single-quoted without escapes, as in Kea.
/// </summary>
internal static class ExpressionTokenizer
{
    public static List<ExpressionToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<ExpressionToken>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new ExpressionToken(ExpressionTokenKind.End, "", text.Length));
                return tokens;
            }

            var start = i;
            var c = text[i];
            switch (c)
            {
                case '(': tokens.Add(new(ExpressionTokenKind.LeftParen, "(", i++)); continue;
                case ')': tokens.Add(new(ExpressionTokenKind.RightParen, ")", i++)); continue;
                case '[': tokens.Add(new(ExpressionTokenKind.LeftBracket, "[", i++)); continue;
                case ']': tokens.Add(new(ExpressionTokenKind.RightBracket, "]", i++)); continue;
                case ',': tokens.Add(new(ExpressionTokenKind.Comma, ",", i++)); continue;
                case '+': tokens.Add(new(ExpressionTokenKind.Plus, "+", i++)); continue;
                case '*': tokens.Add(new(ExpressionTokenKind.Star, "*", i++)); continue;
                case '.': tokens.Add(new(ExpressionTokenKind.Dot, ".", i++)); continue;
                case '=':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        tokens.Add(new(ExpressionTokenKind.Equal, "==", i));
                        i += 2;
                        continue;
                    }

                    throw new ExpressionSyntaxException("'=' must be '=='", i);
                case '\'':
                {
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new ExpressionSyntaxException("unterminated string", i);
                    }

                    tokens.Add(new(ExpressionTokenKind.String, text[(i + 1)..close], i));
                    i = close + 1;
                    continue;
                }
            }

            if (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
            {
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                tokens.Add(new(ExpressionTokenKind.Integer, text[start..i], start));
                continue;
            }

            if (c == '0' && i + 1 < text.Length && (text[i + 1] == 'x' || text[i + 1] == 'X'))
            {
                i += 2;
                while (i < text.Length && char.IsAsciiHexDigit(text[i]))
                {
                    i++;
                }

                if (i == start + 2)
                {
                    throw new ExpressionSyntaxException("'0x' must be followed by hex digits", start);
                }

                tokens.Add(new(ExpressionTokenKind.Hex, text[start..i], start));
                continue;
            }

            if (char.IsAsciiHexDigit(c) || c == ':')
            {
                var end = i;
                var colon = false;
                while (end < text.Length && (char.IsAsciiHexDigit(text[end]) || text[end] == ':' || text[end] == '.'))
                {
                    colon |= text[end] == ':';
                    end++;
                }

                // A word like "all" or "fe80x" continues with letters: only a run that stops at a non-word
                // character can be a number or address.
                var stopsCleanly = end >= text.Length || !IsWordChar(text[end]);
                if (colon && stopsCleanly)
                {
                    var run = text[start..end];
                    if (!Ipv6Address.TryParse(run, out _))
                    {
                        throw new ExpressionSyntaxException($"'{run}' is not a valid IPv6 address", start);
                    }

                    tokens.Add(new(ExpressionTokenKind.Ipv6Address, run, start));
                    i = end;
                    continue;
                }

                if (char.IsAsciiDigit(c))
                {
                    var digits = i;
                    while (digits < text.Length && char.IsAsciiDigit(text[digits]))
                    {
                        digits++;
                    }

                    if (digits < text.Length && text[digits] == '.' && stopsCleanly && !colon)
                    {
                        var run = text[start..end];
                        if (!IsDottedQuad(run))
                        {
                            throw new ExpressionSyntaxException($"'{run}' is not a valid IPv4 address", start);
                        }

                        tokens.Add(new(ExpressionTokenKind.Ipv4Address, run, start));
                        i = end;
                        continue;
                    }

                    if (digits < text.Length && IsWordChar(text[digits]))
                    {
                        throw new ExpressionSyntaxException($"unexpected character '{text[digits]}' in number", digits);
                    }

                    tokens.Add(new(ExpressionTokenKind.Integer, text[start..digits], start));
                    i = digits;
                    continue;
                }
            }

            if (char.IsAsciiLetter(c))
            {
                while (i < text.Length && IsWordChar(text[i]))
                {
                    i++;
                }

                tokens.Add(new(ExpressionTokenKind.Word, text[start..i], start));
                continue;
            }

            throw new ExpressionSyntaxException($"unexpected character '{c}'", i);
        }
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_';

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }
}
