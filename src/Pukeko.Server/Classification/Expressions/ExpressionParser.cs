using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// Hand-written recursive-descent parser for Kea's classification expressions (Kea 3.3's parser.yy). Boolean
/// precedence, lowest first: <c>sor</c>, <c>or</c>, <c>sand</c>, <c>and</c>, <c>not</c>; then <c>==</c> between string
/// expressions, whose operands may be joined with <c>+</c>. Parentheses hold either kind. A <c>test</c> must be
/// boolean, a <c>template-test</c> a string. Every error is an <see cref="ExpressionSyntaxException"/> worded as
/// Kea's ("syntax error, unexpected and, expecting == or +") with the offending token's place.
/// </summary>
internal sealed class ExpressionParser
{
    /// <summary>Kea's nesting limit for relay6[n] (HOP_COUNT_LIMIT, 32): n is -32..31.</summary>
    public const int RelayNestingLimit = 32;

    private static readonly string[] BooleanOperators = ["sor", "or", "sand", "and"];

    private readonly string _text;
    private readonly List<ExpressionToken> _tokens = [];
    private int _offset;
    private readonly Func<string, ushort?> _optionCodeByName;
    private readonly OptionDefinitionSet _definitions;
    private int _next;

    private ExpressionParser(string text, Func<string, ushort?>? optionCodeByName, OptionDefinitionSet? definitions)
    {
        ArgumentNullException.ThrowIfNull(text);
        _text = text;
        _definitions = definitions ?? OptionDefinitionSet.StandardOnly;
        _optionCodeByName = optionCodeByName ?? (name => _definitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, name, out var d) ? d.Code : null);
    }

    /// <summary>Parses a boolean expression (a class <c>test</c>).</summary>
    public static ExpressionNode ParseBoolean(string text, Func<string, ushort?>? optionCodeByName = null, OptionDefinitionSet? definitions = null)
    {
        var parser = new ExpressionParser(text, optionCodeByName, definitions);
        var root = parser.ParseBoolean(0, allowBareString: false);
        parser.ExpectEnd();
        return root;
    }

    /// <summary>Parses a string expression (a class <c>template-test</c>, a flex-id or log format).</summary>
    public static ExpressionNode ParseString(string text, Func<string, ushort?>? optionCodeByName = null, OptionDefinitionSet? definitions = null)
    {
        var parser = new ExpressionParser(text, optionCodeByName, definitions);
        var root = parser.ParseStringExpression();
        if (parser.Peek.Kind != ExpressionTokenKind.End)
        {
            throw Unexpected(parser.Peek, "end of file", "+");
        }

        return root;
    }

    private ExpressionToken Peek
    {
        get
        {
            while (_tokens.Count <= _next)
            {
                _tokens.Add(ExpressionTokenizer.Next(_text, ref _offset));
            }

            return _tokens[_next];
        }
    }

    private ExpressionToken Take()
    {
        var token = Peek;
        _next++;
        return token;
    }

    private void ExpectEnd()
    {
        if (Peek.Kind != ExpressionTokenKind.End)
        {
            throw Unexpected(Peek, "end of file");
        }
    }

    /// <summary>
    /// Boolean operators from <paramref name="level"/> up. With <paramref name="allowBareString"/> (just inside a
    /// parenthesis) the first operand may turn out to be a string followed by ')'; it is then returned as it is.
    /// </summary>
    private ExpressionNode ParseBoolean(int level, bool allowBareString)
    {
        if (level == BooleanOperators.Length)
        {
            return ParseUnary(allowBareString);
        }

        var left = ParseBoolean(level + 1, allowBareString);
        while (Peek.IsWord(BooleanOperators[level]))
        {
            var op = Take();
            var right = ParseBoolean(level + 1, allowBareString: false);
            var kind = op.Text switch
            {
                "sor" => ExpressionNodeKind.StrictOr,
                "or" => ExpressionNodeKind.Or,
                "sand" => ExpressionNodeKind.StrictAnd,
                _ => ExpressionNodeKind.And,
            };
            left = new ExpressionNode(kind, op.Position, left, right);
        }

        return left;
    }

    private ExpressionNode ParseUnary(bool allowBareString)
    {
        if (Peek.IsWord("not"))
        {
            var op = Take();
            return new ExpressionNode(ExpressionNodeKind.Not, op.Position, ParseUnary(allowBareString: false));
        }

        return ParseBooleanAtom(allowBareString);
    }

    private ExpressionNode ParseBooleanAtom(bool allowBareString)
    {
        var token = Peek;
        ExpressionNode left;
        if (token.Kind == ExpressionTokenKind.LeftParen)
        {
            Take();
            var inner = ParseBoolean(0, allowBareString: true);
            if (Peek.Kind != ExpressionTokenKind.RightParen)
            {
                throw Unexpected(Peek);
            }

            Take();
            if (inner.IsBoolean)
            {
                return inner;
            }

            // "(" string_expr ")": a string, to be compared.
            left = inner;
        }
        else
        {
            switch (token.Kind == ExpressionTokenKind.Keyword ? token.Text : "")
            {
                case "member":
                {
                    Take();
                    Expect(ExpressionTokenKind.LeftParen, "(");
                    var name = Expect(ExpressionTokenKind.String, "constant string");
                    Expect(ExpressionTokenKind.RightParen, ")");
                    if (name.Text.Length == 0)
                    {
                        throw new ExpressionSyntaxException("Not defined client class ''", name.Position, name.Length);
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
                    Expect(ExpressionTokenKind.LeftParen, "(");
                    var pattern = Expect(ExpressionTokenKind.String, "constant string");
                    var regex = CompileFullMatch(pattern);
                    Expect(ExpressionTokenKind.Comma, "\",\"");
                    var value = ParseStringExpression();
                    ExpectAfterString(ExpressionTokenKind.RightParen, ")");
                    return new ExpressionNode(ExpressionNodeKind.Match, token.Position, value) { Pattern = regex };
                }
            }

            left = ParseTerm(booleanContext: true);
            if (left.IsBoolean)
            {
                return left;
            }
        }

        left = ParseConcatenation(left);
        if (Peek.Kind == ExpressionTokenKind.Equal)
        {
            var equal = Take();
            var right = ParseStringExpression();
            return new ExpressionNode(ExpressionNodeKind.Equal, equal.Position, left, right);
        }

        if (allowBareString && Peek.Kind == ExpressionTokenKind.RightParen)
        {
            return left;
        }

        throw allowBareString ? Unexpected(Peek, ")", "==", "+") : Unexpected(Peek, "==", "+");
    }

    /// <summary>A string term, or string terms joined by '+'.</summary>
    private ExpressionNode ParseStringExpression() => ParseConcatenation(ParseTerm(booleanContext: false));

    private ExpressionNode ParseConcatenation(ExpressionNode left)
    {
        while (Peek.Kind == ExpressionTokenKind.Plus)
        {
            var plus = Take();
            left = new ExpressionNode(ExpressionNodeKind.Concat, plus.Position, left, ParseTerm(booleanContext: false));
        }

        return left;
    }

    /// <summary>
    /// A string term. In a boolean context the <c>.exists</c> forms (option chains, vendor, vendor-class) are
    /// accepted too and returned as booleans.
    /// </summary>
    private ExpressionNode ParseTerm(bool booleanContext)
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
                var bytes = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)ConvertNumber(token, 0, uint.MaxValue));
                return Literal(token, bytes);
            }

            case ExpressionTokenKind.IpAddress:
                return Literal(token, ExpressionTokenizer.AddressBytes(token.Text));
            case ExpressionTokenKind.LeftParen:
            {
                // Only reached in a string context; in a boolean one ParseBooleanAtom takes '('.
                var inner = ParseStringExpression();
                ExpectAfterString(ExpressionTokenKind.RightParen, ")");
                return inner;
            }

            case ExpressionTokenKind.Keyword:
                return ParseKeywordTerm(token, booleanContext);
            default:
                throw Unexpected(token);
        }
    }

    private ExpressionNode ParseKeywordTerm(ExpressionToken word, bool booleanContext)
    {
        switch (word.Text)
        {
            case "option":
            {
                var first = ParseOptionCode(allowName: true);
                return ParseChainTail(word, [first], booleanContext, ExpressionNodeKind.OptionExists, ExpressionNodeKind.OptionHex, ExpressionNodeKind.OptionText, 0);
            }

            case "relay6":
            {
                Expect(ExpressionTokenKind.LeftBracket, "[");
                var nest = ParseNestLevel();
                Expect(ExpressionTokenKind.RightBracket, "]");
                Expect(ExpressionTokenKind.Dot, ".");
                var field = ExpectWord(["option", "peeraddr", "linkaddr"]);
                if (field.Text == "peeraddr")
                {
                    return new ExpressionNode(ExpressionNodeKind.RelayPeerAddress, word.Position) { Index = nest };
                }

                if (field.Text == "linkaddr")
                {
                    return new ExpressionNode(ExpressionNodeKind.RelayLinkAddress, word.Position) { Index = nest };
                }

                // Kea: the relay's own option is given by number only; the sub-options after it by number or name.
                var first = ParseOptionCode(allowName: false);
                return ParseChainTail(word, [first], booleanContext, ExpressionNodeKind.RelayOptionExists, ExpressionNodeKind.RelayOptionHex, ExpressionNodeKind.RelayOptionText, nest);
            }

            case "relay4":
                // Kea reads relay4[code] before it notices the wrong universe.
                Expect(ExpressionTokenKind.LeftBracket, "[");
                Expect(ExpressionTokenKind.Integer, "integer");
                Expect(ExpressionTokenKind.RightBracket, "]");
                throw new ExpressionSyntaxException("relay4 can only be used in DHCPv4.", word.Position, word.Length);
            case "pkt4":
                Expect(ExpressionTokenKind.Dot, ".");
                ExpectWord(["mac", "hlen", "htype", "ciaddr", "giaddr", "yiaddr", "siaddr", "msgtype", "transid"]);
                throw new ExpressionSyntaxException("pkt4 can only be used in DHCPv4.", word.Position, word.Length);
            case "pkt":
            {
                Expect(ExpressionTokenKind.Dot, ".");
                var field = ExpectWord(["iface", "src", "dst", "len"]);
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
                Expect(ExpressionTokenKind.Dot, ".");
                var field = ExpectWord(["msgtype", "transid"]);
                return new ExpressionNode(field.Text == "msgtype" ? ExpressionNodeKind.MessageType : ExpressionNodeKind.TransactionId, word.Position);
            }

            case "vendor":
                return ParseVendor(word, booleanContext);
            case "vendor-class":
                return ParseVendorClass(word, booleanContext);
            case "substring":
            {
                Expect(ExpressionTokenKind.LeftParen, "(");
                var value = ParseStringExpression();
                ExpectAfterString(ExpressionTokenKind.Comma, "\",\"");
                var start = long.Parse(Expect(ExpressionTokenKind.Integer, "integer").Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                Expect(ExpressionTokenKind.Comma, "\",\"");
                long? length = null;
                if (Peek.IsWord("all"))
                {
                    Take();
                }
                else
                {
                    length = long.Parse(Expect(ExpressionTokenKind.Integer, "integer or all").Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                }

                Expect(ExpressionTokenKind.RightParen, ")");
                return new ExpressionNode(ExpressionNodeKind.Substring, word.Position, value) { Start = start, Length = length };
            }

            case "split":
            {
                Expect(ExpressionTokenKind.LeftParen, "(");
                var value = ParseStringExpression();
                ExpectAfterString(ExpressionTokenKind.Comma, "\",\"");
                var delimiters = ParseStringExpression();
                ExpectAfterString(ExpressionTokenKind.Comma, "\",\"");
                var field = long.Parse(Expect(ExpressionTokenKind.Integer, "integer").Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                Expect(ExpressionTokenKind.RightParen, ")");
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
            case "sifelse":
            {
                Expect(ExpressionTokenKind.LeftParen, "(");
                var condition = ParseBoolean(0, allowBareString: false);
                if (Peek.Kind != ExpressionTokenKind.Comma)
                {
                    throw Unexpected(Peek);
                }

                Take();
                var then = ParseStringExpression();
                ExpectAfterString(ExpressionTokenKind.Comma, "\",\"");
                var otherwise = ParseStringExpression();
                ExpectAfterString(ExpressionTokenKind.RightParen, ")");
                var kind = word.Text == "ifelse" ? ExpressionNodeKind.IfElse : ExpressionNodeKind.StrictIfElse;
                return new ExpressionNode(kind, word.Position, condition, then, otherwise);
            }

            default:
                throw Unexpected(word);
        }
    }

    /// <summary>The rest of an option chain after its first code: more <c>.option[code]</c>, then the representation.</summary>
    private ExpressionNode ParseChainTail(ExpressionToken word, List<ushort> path, bool booleanContext, ExpressionNodeKind exists, ExpressionNodeKind hex, ExpressionNodeKind text, int index)
    {
        while (true)
        {
            Expect(ExpressionTokenKind.Dot, ".");
            var field = ExpectWord(booleanContext ? ["option", "text", "hex", "exists"] : ["option", "text", "hex"]);
            if (field.Text == "option")
            {
                // Kea's grammar: within option[...] chains the sub-option codes are numbers only, within relay6 and
                // vendor chains they may be names (looked up in the dhcp6 space, as Kea does).
                path.Add(ParseOptionCode(allowName: word.Text != "option"));
                continue;
            }

            var kind = field.Text switch
            {
                "exists" => exists,
                "hex" => hex,
                _ => text,
            };
            return new ExpressionNode(kind, word.Position) { Path = [.. path], Index = index, Definitions = _definitions };
        }
    }

    private ExpressionNode ParseVendor(ExpressionToken word, bool booleanContext)
    {
        if (Peek.Kind == ExpressionTokenKind.Dot)
        {
            Take();
            ExpectWord(["enterprise"]);
            return new ExpressionNode(ExpressionNodeKind.VendorEnterprise, word.Position);
        }

        if (Peek.Kind != ExpressionTokenKind.LeftBracket)
        {
            throw Unexpected(Peek, "[", ".");
        }

        var enterprise = ParseEnterprise();
        Expect(ExpressionTokenKind.Dot, ".");
        var field = ExpectWord(booleanContext ? ["option", "exists"] : ["option"]);
        if (field.Text == "exists")
        {
            return new ExpressionNode(ExpressionNodeKind.VendorExists, word.Position) { Index = enterprise };
        }

        var first = ParseOptionCode(allowName: false);
        return ParseChainTail(word, [first], booleanContext, ExpressionNodeKind.VendorOptionExists, ExpressionNodeKind.VendorOptionHex, ExpressionNodeKind.VendorOptionText, enterprise);
    }

    private ExpressionNode ParseVendorClass(ExpressionToken word, bool booleanContext)
    {
        if (Peek.Kind == ExpressionTokenKind.Dot)
        {
            Take();
            ExpectWord(["enterprise"]);
            return new ExpressionNode(ExpressionNodeKind.VendorClassEnterprise, word.Position);
        }

        if (Peek.Kind != ExpressionTokenKind.LeftBracket)
        {
            throw Unexpected(Peek, "[", ".");
        }

        var enterprise = ParseEnterprise();
        Expect(ExpressionTokenKind.Dot, ".");
        var field = ExpectWord(booleanContext ? ["exists", "data"] : ["data"]);
        if (field.Text == "exists")
        {
            return new ExpressionNode(ExpressionNodeKind.VendorClassExists, word.Position) { Index = enterprise };
        }

        var chunk = 0;
        if (Peek.Kind == ExpressionTokenKind.LeftBracket)
        {
            Take();
            chunk = (int)ConvertNumber(Expect(ExpressionTokenKind.Integer, "integer"), 0, byte.MaxValue);
            Expect(ExpressionTokenKind.RightBracket, "]");
        }

        return new ExpressionNode(ExpressionNodeKind.VendorClassData, word.Position) { Index = enterprise, Start = chunk };
    }

    /// <summary>[enterprise] where '*' or 0 means any vendor; returns -1 for any.</summary>
    private int ParseEnterprise()
    {
        Expect(ExpressionTokenKind.LeftBracket, "[");
        int enterprise;
        if (Peek.Kind == ExpressionTokenKind.Star)
        {
            Take();
            enterprise = -1;
        }
        else
        {
            var number = ConvertNumber(Expect(ExpressionTokenKind.Integer, "integer or *"), 0, uint.MaxValue);
            enterprise = number == 0 ? -1 : unchecked((int)(uint)number);
        }

        Expect(ExpressionTokenKind.RightBracket, "]");
        return enterprise;
    }

    /// <summary>relay6[n]: Kea reads n as an int8, then allows -32..31.</summary>
    private int ParseNestLevel()
    {
        var token = Expect(ExpressionTokenKind.Integer, "integer");
        var level = ConvertNumber(token, sbyte.MinValue, sbyte.MaxValue);
        if (level < -RelayNestingLimit || level >= RelayNestingLimit)
        {
            throw new ExpressionSyntaxException($"Nest level has invalid value in {token.Text}. Allowed range: -{RelayNestingLimit}..{RelayNestingLimit - 1}", token.Position, token.Length);
        }

        return (int)level;
    }

    private ushort ParseOptionCode(bool allowName)
    {
        Expect(ExpressionTokenKind.LeftBracket, "[");
        var token = Take();
        ushort code;
        if (token.Kind == ExpressionTokenKind.Integer)
        {
            var value = long.Parse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            if (value is < int.MinValue or > int.MaxValue)
            {
                throw new ExpressionSyntaxException($"Option code has invalid value in {token.Text}", token.Position, token.Length);
            }

            if (value is < 0 or > ushort.MaxValue)
            {
                throw new ExpressionSyntaxException($"Option code has invalid value in {token.Text}. Allowed range: 0..65535", token.Position, token.Length);
            }

            code = (ushort)value;
        }
        else if (token.Kind == ExpressionTokenKind.OptionName && allowName)
        {
            code = _optionCodeByName(token.Text) ?? throw new ExpressionSyntaxException($"option '{token.Text}' is not defined", token.Position, token.Length);
        }
        else
        {
            throw allowName ? Unexpected(token, "integer", "option name") : Unexpected(token, "integer");
        }

        Expect(ExpressionTokenKind.RightBracket, "]");
        return code;
    }

    private ExpressionNode Call(ExpressionToken word, ExpressionNodeKind kind, int arity)
    {
        Expect(ExpressionTokenKind.LeftParen, "(");
        var arguments = new ExpressionNode[arity];
        for (var i = 0; i < arity; i++)
        {
            arguments[i] = ParseStringExpression();
            if (i + 1 < arity)
            {
                ExpectAfterString(ExpressionTokenKind.Comma, "\",\"");
            }
        }

        ExpectAfterString(ExpressionTokenKind.RightParen, ")");
        return new ExpressionNode(kind, word.Position, arguments);
    }

    private ExpressionToken Expect(ExpressionTokenKind kind, string what)
    {
        if (Peek.Kind != kind)
        {
            throw Unexpected(Peek, what);
        }

        return Take();
    }

    /// <summary>After a string expression only '+' could have continued it, so Kea expects the token or '+'.</summary>
    private ExpressionToken ExpectAfterString(ExpressionTokenKind kind, string what)
    {
        if (Peek.Kind != kind)
        {
            throw Unexpected(Peek, what, "+");
        }

        return Take();
    }

    private ExpressionToken ExpectWord(string[] words)
    {
        var token = Peek;
        if (token.Kind != ExpressionTokenKind.Keyword || Array.IndexOf(words, token.Text) < 0)
        {
            throw Unexpected(token, words);
        }

        return Take();
    }

    /// <summary>
    /// Bison's verbose error: "syntax error, unexpected X, expecting A or B"; like Bison, the list is left out when
    /// more than four tokens would fit.
    /// </summary>
    private static ExpressionSyntaxException Unexpected(ExpressionToken token, params string[] expecting)
    {
        var message = $"syntax error, unexpected {token.Describe()}";
        if (expecting.Length is > 0 and <= 4)
        {
            message += ", expecting " + string.Join(" or ", expecting);
        }

        return new ExpressionSyntaxException(message, token.Position, token.Length);
    }

    /// <summary>An integer token within <paramref name="min"/>..<paramref name="max"/>, with Kea's wording otherwise.</summary>
    private static long ConvertNumber(ExpressionToken token, long min, long max)
    {
        var value = long.Parse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (value < min || value > max)
        {
            throw new ExpressionSyntaxException($"Invalid value in {token.Text}. Allowed range: {min}..{max}", token.Position, token.Length);
        }

        return value;
    }

    /// <summary>Kea's match() is std::regex_match: the whole value must match, so the pattern is anchored at both ends.</summary>
    private static Regex CompileFullMatch(ExpressionToken pattern)
    {
        try
        {
            // Compiled alone first so that a pattern with a stray ')' is refused rather than escaping the anchors.
            _ = new Regex(pattern.Text, RegexOptions.CultureInvariant);
            return new Regex($"\\A(?:{pattern.Text})\\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException ex)
        {
            throw new ExpressionSyntaxException($"invalid regular expression '{pattern.Text}': {ex.Message}", pattern.Position, pattern.Length);
        }
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
