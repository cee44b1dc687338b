namespace Pukeko.Server.Classification.Expressions;

/// <summary>One token with its 0-based character offset and length in the expression text (for error messages).</summary>
internal readonly record struct ExpressionToken(ExpressionTokenKind Kind, string Text, int Position, int Length)
{
    public bool IsWord(string word) => Kind == ExpressionTokenKind.Keyword && Text == word;

    /// <summary>The token as Kea's parser names it in "syntax error, unexpected ..." messages.</summary>
    public string Describe() => Kind switch
    {
        ExpressionTokenKind.End => "end of file",
        ExpressionTokenKind.String => "constant string",
        ExpressionTokenKind.Hex => "constant hexstring",
        ExpressionTokenKind.Integer => "integer",
        ExpressionTokenKind.OptionName => "option name",
        ExpressionTokenKind.IpAddress => "ip address",
        ExpressionTokenKind.Comma => "\",\"",
        _ => Text,
    };
}
