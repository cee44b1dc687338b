namespace Pukeko.Server.Classification.Expressions;

/// <summary>Lexical categories of Kea's classification expression language.</summary>
internal enum ExpressionTokenKind
{
    End,
    Word,
    String,
    Hex,
    Integer,
    Ipv4Address,
    Ipv6Address,
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
