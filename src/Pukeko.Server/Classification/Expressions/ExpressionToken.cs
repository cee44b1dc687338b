namespace Pukeko.Server.Classification.Expressions;

/// <summary>One token with its 0-based character offset in the expression text (for error messages).</summary>
internal readonly record struct ExpressionToken(ExpressionTokenKind Kind, string Text, int Position)
{
    public bool IsWord(string word) => Kind == ExpressionTokenKind.Word && Text == word;

    public string Describe() => Kind switch
    {
        ExpressionTokenKind.End => "end of expression",
        ExpressionTokenKind.String => $"string '{Text}'",
        _ => $"'{Text}'",
    };
}
