using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// Hand-written recursive-descent parser for Kea's classification expressions. Precedence, lowest first:
/// <c>or</c>, <c>and</c>, <c>not</c>, then <c>==</c> between string expressions, whose operands may be joined
/// with <c>+</c> (concatenation). A <c>test</c> must be boolean, a <c>template-test</c> a string.
/// Every error is an <see cref="ExpressionSyntaxException"/> carrying the offset of the offending token.
/// </summary>
internal sealed class ExpressionParser
{
    private readonly List<ExpressionToken> _tokens;
    private readonly Func<string, ushort?> _optionCodeByName;
    private int _next;

    private ExpressionParser(string text, Func<string, ushort?>? optionCodeByName)
    {
        _tokens = ExpressionTokenizer.Tokenize(text);
        _optionCodeByName = optionCodeByName ?? (_ => null);
    }

    /// <summary>Parses a boolean expression (a class <c>test</c>).</summary>
    public static ExpressionNode ParseBoolean(string text, Func<string, ushort?>? optionCodeByName = null)
    {
        var parser = new ExpressionParser(text, optionCodeByName);
        var root = parser.ParseOr();
        parser.Expect(ExpressionTokenKind.End, "end of expression");
        return root;
    }

    /// <summary>Parses a string expression (a class <c>template-test</c>).</summary>
    public static ExpressionNode ParseString(string text, Func<string, ushort?>? optionCodeByName = null)
    {
        var parser = new ExpressionParser(text, optionCodeByName);
        var root = parser.ParseStringExpression();
        parser.Expect(ExpressionTokenKind.End, "end of expression");
        return root;
    }

    private ExpressionToken Peek => _tokens[_next];

    private ExpressionToken Take() => _tokens[_next++];

    private ExpressionNode ParseOr()
    {
        var left = ParseAnd();
        while (Peek.IsWord("or"))
        {
            var op = Take();
            left = new ExpressionNode(ExpressionNodeKind.Or, op.Position, left, ParseAnd());
        }

        return left;
    }

    private ExpressionNode ParseAnd()
    {
        var left = ParseNot();
        while (Peek.IsWord("and"))
        {
            var op = Take();
            left = new ExpressionNode(ExpressionNodeKind.And, op.Position, left, ParseNot());
        }

        return left;
    }

    private ExpressionNode ParseNot()
    {
        if (Peek.IsWord("not"))
        {
            var op = Take();
            return new ExpressionNode(ExpressionNodeKind.Not, op.Position, ParseNot());
        }

        return ParseBooleanPrimary();
    }

    private ExpressionNode ParseBooleanPrimary()
    {
        var token = Peek;
        if (token.Kind == ExpressionTokenKind.LeftParen)
        {
            Take();
            var inner = ParseOr();
            Expect(ExpressionTokenKind.RightParen, "')'");
            return inner;
        }

        if (token.Kind == ExpressionTokenKind.Word)
        {
            switch (token.Text)
            {
                case "member":
                {
                    Take();
                    Expect(ExpressionTokenKind.LeftParen, "'('");
                    var name = Expect(ExpressionTokenKind.String, "a class name in quotes");
                    Expect(ExpressionTokenKind.RightParen, "')'");
                    if (name.Text.Length == 0)
                    {
                        throw new ExpressionSyntaxException("member() needs a class name", name.Position);
                    }

                    return new ExpressionNode(ExpressionNodeKind.Member, token.Position) { Name = name.Text };
                }

                case "known":
                    Take();
                    return new ExpressionNode(ExpressionNodeKind.Member, token.Position) { Name = "KNOWN" };
                case "unknown":
                    Take();
                    return new ExpressionNode(ExpressionNodeKind.Not, token.Position,
                        new ExpressionNode(ExpressionNodeKind.Member, token.Position) { Name = "KNOWN" });
                case "match":
                {
                    Take();
                    Expect(ExpressionTokenKind.LeftParen, "'('");
                    var pattern = Expect(ExpressionTokenKind.String, "a regular expression in quotes");
                    Regex regex;
                    try
                    {
                        regex = new Regex(pattern.Text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
                    }
                    catch (ArgumentException ex)
                    {
                        throw new ExpressionSyntaxException($"invalid regular expression: {ex.Message}", pattern.Position);
                    }

                    Expect(ExpressionTokenKind.Comma, "','");
                    var value = ParseStringExpression();
                    Expect(ExpressionTokenKind.RightParen, "')'");
                    return new ExpressionNode(ExpressionNodeKind.Match, token.Position, value) { Pattern = regex };
                }
            }
        }

        var left = ParseConcat();
        if (left.IsBoolean)
        {
            return left;
        }

        var equal = Peek;
        if (equal.Kind != ExpressionTokenKind.Equal)
        {
            throw new ExpressionSyntaxException($"expected '==' after a string value, got {equal.Describe()}", equal.Position);
        }

        Take();
        var right = ParseStringExpression();
        return new ExpressionNode(ExpressionNodeKind.Equal, equal.Position, left, right);
    }

    private ExpressionNode ParseStringExpression()
    {
        var start = Peek;
        var node = ParseConcat();
        if (node.IsBoolean)
        {
            throw new ExpressionSyntaxException("expected a string value, got a boolean", start.Position);
        }

        return node;
    }

    /// <summary>A term, or string terms joined by '+'. A boolean term is returned alone.</summary>
    private ExpressionNode ParseConcat()
    {
        var left = ParseTerm();
        while (Peek.Kind == ExpressionTokenKind.Plus)
        {
            var plus = Take();
            if (left.IsBoolean)
            {
                throw new ExpressionSyntaxException("'+' joins strings, not booleans", plus.Position);
            }

            var rightStart = Peek;
            var right = ParseTerm();
            if (right.IsBoolean)
            {
                throw new ExpressionSyntaxException("'+' joins strings, not booleans", rightStart.Position);
            }

            left = new ExpressionNode(ExpressionNodeKind.Concat, plus.Position, left, right);
        }

        return left;
    }

    private ExpressionNode ParseTerm()
    {
        var token = Take();
        switch (token.Kind)
        {
            case ExpressionTokenKind.String:
                return Literal(token, Encoding.UTF8.GetBytes(token.Text));
            case ExpressionTokenKind.Hex:
                return Literal(token, ParseHex(token));
            case ExpressionTokenKind.Integer:
            {
                var value = ParseInteger(token, long.MinValue, long.MaxValue);
                if (value is < int.MinValue or > uint.MaxValue)
                {
                    throw new ExpressionSyntaxException($"integer {token.Text} does not fit in 32 bits", token.Position);
                }

                var bytes = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(bytes, unchecked((uint)value));
                return Literal(token, bytes);
            }

            case ExpressionTokenKind.Ipv4Address:
                return Literal(token, [.. token.Text.Split('.').Select(p => byte.Parse(p, CultureInfo.InvariantCulture))]);
            case ExpressionTokenKind.Ipv6Address:
            {
                var bytes = new byte[16];
                Ipv6Address.Parse(token.Text).Write(bytes);
                return Literal(token, bytes);
            }

            case ExpressionTokenKind.Word:
                return ParseWordTerm(token);
            default:
                throw new ExpressionSyntaxException($"expected a value, got {token.Describe()}", token.Position);
        }
    }

    private ExpressionNode ParseWordTerm(ExpressionToken word)
    {
        switch (word.Text)
        {
            case "option":
            {
                var code = ParseOptionCode();
                return ParseOptionTail(word, code, ExpressionNodeKind.OptionExists, ExpressionNodeKind.OptionHex, ExpressionNodeKind.OptionText, 0, allowSubOption: true);
            }

            case "relay6":
            {
                Expect(ExpressionTokenKind.LeftBracket, "'['");
                var nest = (int)ParseInteger(Expect(ExpressionTokenKind.Integer, "a relay nesting level"), -32, 32);
                Expect(ExpressionTokenKind.RightBracket, "']'");
                Expect(ExpressionTokenKind.Dot, "'.'");
                var field = ExpectWord("'option', 'peeraddr' or 'linkaddr'", "option", "peeraddr", "linkaddr");
                if (field.Text == "peeraddr")
                {
                    return new ExpressionNode(ExpressionNodeKind.RelayPeerAddress, word.Position) { Index = nest };
                }

                if (field.Text == "linkaddr")
                {
                    return new ExpressionNode(ExpressionNodeKind.RelayLinkAddress, word.Position) { Index = nest };
                }

                var code = ParseOptionCode();
                return ParseOptionTail(word, code, ExpressionNodeKind.RelayOptionExists, ExpressionNodeKind.RelayOptionHex, ExpressionNodeKind.RelayOptionText, nest, allowSubOption: false);
            }

            case "pkt":
            {
                Expect(ExpressionTokenKind.Dot, "'.'");
                var field = ExpectWord("'iface', 'src', 'dst' or 'len'", "iface", "src", "dst", "len");
                var kind = field.Text switch
                {
                    "iface" => ExpressionNodeKind.PacketInterface,
                    "src" => ExpressionNodeKind.PacketSource,
                    "dst" => ExpressionNodeKind.PacketDestination,
                    _ => ExpressionNodeKind.PacketLength,
                };
                return new ExpressionNode(kind, word.Position);
            }

            case "pkt6":
            {
                Expect(ExpressionTokenKind.Dot, "'.'");
                var field = ExpectWord("'msgtype' or 'transid'", "msgtype", "transid");
                return new ExpressionNode(field.Text == "msgtype" ? ExpressionNodeKind.MessageType : ExpressionNodeKind.TransactionId, word.Position);
            }

            case "vendor":
                return ParseVendor(word);
            case "vendor-class":
                return ParseVendorClass(word);
            case "substring":
            {
                Expect(ExpressionTokenKind.LeftParen, "'('");
                var value = ParseStringExpression();
                Expect(ExpressionTokenKind.Comma, "','");
                var start = (int)ParseInteger(Expect(ExpressionTokenKind.Integer, "a start position"), int.MinValue, int.MaxValue);
                Expect(ExpressionTokenKind.Comma, "','");
                int? length = null;
                if (Peek.IsWord("all"))
                {
                    Take();
                }
                else
                {
                    length = (int)ParseInteger(Expect(ExpressionTokenKind.Integer, "a length or 'all'"), int.MinValue, int.MaxValue);
                }

                Expect(ExpressionTokenKind.RightParen, "')'");
                return new ExpressionNode(ExpressionNodeKind.Substring, word.Position, value) { Start = start, Length = length };
            }

            case "split":
            {
                Expect(ExpressionTokenKind.LeftParen, "'('");
                var value = ParseStringExpression();
                Expect(ExpressionTokenKind.Comma, "','");
                var delimiters = ParseStringExpression();
                Expect(ExpressionTokenKind.Comma, "','");
                var field = (int)ParseInteger(Expect(ExpressionTokenKind.Integer, "a field number"), int.MinValue, int.MaxValue);
                Expect(ExpressionTokenKind.RightParen, "')'");
                return new ExpressionNode(ExpressionNodeKind.Split, word.Position, value, delimiters) { Start = field };
            }

            case "concat":
                return Call(word, ExpressionNodeKind.Concat, 2);
            case "hexstring":
                return Call(word, ExpressionNodeKind.HexString, 2);
            case "lcase":
                return Call(word, ExpressionNodeKind.LowerCase, 1);
            case "ucase":
                return Call(word, ExpressionNodeKind.UpperCase, 1);
            case "addrtotext":
                return Call(word, ExpressionNodeKind.AddressToText, 1);
            case "int8totext":
                return Call(word, ExpressionNodeKind.Int8ToText, 1);
            case "int16totext":
                return Call(word, ExpressionNodeKind.Int16ToText, 1);
            case "int32totext":
                return Call(word, ExpressionNodeKind.Int32ToText, 1);
            case "uint8totext":
                return Call(word, ExpressionNodeKind.UInt8ToText, 1);
            case "uint16totext":
                return Call(word, ExpressionNodeKind.UInt16ToText, 1);
            case "uint32totext":
                return Call(word, ExpressionNodeKind.UInt32ToText, 1);
            case "ifelse":
            {
                Expect(ExpressionTokenKind.LeftParen, "'('");
                var condition = ParseOr();
                if (!condition.IsBoolean)
                {
                    throw new ExpressionSyntaxException("ifelse needs a boolean condition", condition.Position);
                }

                Expect(ExpressionTokenKind.Comma, "','");
                var then = ParseStringExpression();
                Expect(ExpressionTokenKind.Comma, "','");
                var otherwise = ParseStringExpression();
                Expect(ExpressionTokenKind.RightParen, "')'");
                return new ExpressionNode(ExpressionNodeKind.IfElse, word.Position, condition, then, otherwise);
            }

            default:
                throw new ExpressionSyntaxException($"unknown word '{word.Text}'", word.Position);
        }
    }

    private ExpressionNode ParseVendor(ExpressionToken word)
    {
        if (Peek.Kind == ExpressionTokenKind.Dot)
        {
            Take();
            ExpectWord("'enterprise'", "enterprise");
            return new ExpressionNode(ExpressionNodeKind.VendorEnterprise, word.Position);
        }

        var enterprise = ParseEnterprise();
        Expect(ExpressionTokenKind.Dot, "'.'");
        var field = ExpectWord("'exists' or 'option'", "exists", "option");
        if (field.Text == "exists")
        {
            return new ExpressionNode(ExpressionNodeKind.VendorExists, word.Position) { Index = enterprise };
        }

        var code = ParseOptionCode();
        Expect(ExpressionTokenKind.Dot, "'.'");
        var repr = ExpectWord("'exists' or 'hex'", "exists", "hex");
        return new ExpressionNode(repr.Text == "exists" ? ExpressionNodeKind.VendorOptionExists : ExpressionNodeKind.VendorOptionHex, word.Position)
        {
            Index = enterprise,
            Code = code,
        };
    }

    private ExpressionNode ParseVendorClass(ExpressionToken word)
    {
        if (Peek.Kind == ExpressionTokenKind.Dot)
        {
            Take();
            ExpectWord("'enterprise'", "enterprise");
            return new ExpressionNode(ExpressionNodeKind.VendorClassEnterprise, word.Position);
        }

        var enterprise = ParseEnterprise();
        Expect(ExpressionTokenKind.Dot, "'.'");
        var field = ExpectWord("'exists' or 'data'", "exists", "data");
        if (field.Text == "exists")
        {
            return new ExpressionNode(ExpressionNodeKind.VendorClassExists, word.Position) { Index = enterprise };
        }

        var chunk = 0;
        if (Peek.Kind == ExpressionTokenKind.LeftBracket)
        {
            Take();
            chunk = (int)ParseInteger(Expect(ExpressionTokenKind.Integer, "a data chunk index"), 0, ushort.MaxValue);
            Expect(ExpressionTokenKind.RightBracket, "']'");
        }

        return new ExpressionNode(ExpressionNodeKind.VendorClassData, word.Position) { Index = enterprise, Start = chunk };
    }

    /// <summary>[enterprise] where '*' or 0 means any vendor; returns -1 for any.</summary>
    private int ParseEnterprise()
    {
        Expect(ExpressionTokenKind.LeftBracket, "'['");
        int enterprise;
        if (Peek.Kind == ExpressionTokenKind.Star)
        {
            Take();
            enterprise = -1;
        }
        else
        {
            var number = ParseInteger(Expect(ExpressionTokenKind.Integer, "an enterprise number or '*'"), 0, uint.MaxValue);
            enterprise = number == 0 ? -1 : unchecked((int)(uint)number);
        }

        Expect(ExpressionTokenKind.RightBracket, "']'");
        return enterprise;
    }

    private ushort ParseOptionCode()
    {
        Expect(ExpressionTokenKind.LeftBracket, "'['");
        var token = Take();
        ushort code;
        if (token.Kind == ExpressionTokenKind.Integer)
        {
            code = (ushort)ParseInteger(token, 0, ushort.MaxValue);
        }
        else if (token.Kind == ExpressionTokenKind.Word)
        {
            code = _optionCodeByName(token.Text) ?? throw new ExpressionSyntaxException($"option '{token.Text}' is not defined", token.Position);
        }
        else
        {
            throw new ExpressionSyntaxException($"expected an option code or name, got {token.Describe()}", token.Position);
        }

        Expect(ExpressionTokenKind.RightBracket, "']'");
        return code;
    }

    private ExpressionNode ParseOptionTail(ExpressionToken word, ushort code, ExpressionNodeKind exists, ExpressionNodeKind hex, ExpressionNodeKind text, int index, bool allowSubOption)
    {
        Expect(ExpressionTokenKind.Dot, "'.'");
        var field = allowSubOption
            ? ExpectWord("'hex', 'text', 'exists' or 'option'", "hex", "text", "exists", "option")
            : ExpectWord("'hex', 'text' or 'exists'", "hex", "text", "exists");
        ushort subCode = 0;
        if (field.Text == "option")
        {
            subCode = ParseOptionCode();
            Expect(ExpressionTokenKind.Dot, "'.'");
            field = ExpectWord("'hex', 'text' or 'exists'", "hex", "text", "exists");
        }

        var kind = field.Text switch
        {
            "exists" => exists,
            "hex" => hex,
            _ => text,
        };
        return new ExpressionNode(kind, word.Position) { Code = code, SubCode = subCode, Index = index };
    }

    private ExpressionNode Call(ExpressionToken word, ExpressionNodeKind kind, int arity)
    {
        Expect(ExpressionTokenKind.LeftParen, "'('");
        var arguments = new ExpressionNode[arity];
        for (var i = 0; i < arity; i++)
        {
            if (i > 0)
            {
                Expect(ExpressionTokenKind.Comma, "','");
            }

            arguments[i] = ParseStringExpression();
        }

        Expect(ExpressionTokenKind.RightParen, "')'");
        return new ExpressionNode(kind, word.Position, arguments);
    }

    private ExpressionToken Expect(ExpressionTokenKind kind, string what)
    {
        var token = Peek;
        if (token.Kind != kind)
        {
            throw new ExpressionSyntaxException($"expected {what}, got {token.Describe()}", token.Position);
        }

        return Take();
    }

    private ExpressionToken ExpectWord(string what, params string[] words)
    {
        var token = Peek;
        if (token.Kind != ExpressionTokenKind.Word || Array.IndexOf(words, token.Text) < 0)
        {
            throw new ExpressionSyntaxException($"expected {what}, got {token.Describe()}", token.Position);
        }

        return Take();
    }

    private static long ParseInteger(ExpressionToken token, long min, long max)
    {
        if (!long.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ExpressionSyntaxException($"integer {token.Text} is out of range {min}..{max}", token.Position);
        }

        return value;
    }

    private static byte[] ParseHex(ExpressionToken token)
    {
        // Kea: drop "0x", and an odd digit count gets a leading zero.
        var digits = token.Text[2..];
        if (digits.Length % 2 != 0)
        {
            digits = "0" + digits;
        }

        return Convert.FromHexString(digits);
    }

    private static ExpressionNode Literal(ExpressionToken token, byte[] value) =>
        new(ExpressionNodeKind.Literal, token.Position) { Literal = value };
}
