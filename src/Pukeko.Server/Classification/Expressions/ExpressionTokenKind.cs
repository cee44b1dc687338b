namespace Pukeko.Server.Classification.Expressions;

/// <summary>Lexical categories of Kea's classification expression language (its lexer.ll tokens).</summary>
internal enum ExpressionTokenKind
{
    End,

    /// <summary>A reserved word (<c>option</c>, <c>substring</c>, <c>and</c>, ...); <see cref="ExpressionToken.Text"/> is the word.</summary>
    Keyword,

    /// <summary>A name followed by <c>]</c>, as in <c>option[dns-servers]</c>.</summary>
    OptionName,
    String,
    Hex,
    Integer,
    IpAddress,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Equal,
    Plus,
    Star,
}
