namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// A malformed expression. <see cref="Position"/> is the 0-based offset of the offending token and
/// <see cref="Length"/> its length (0 at the end of the text); the message is worded as Kea's.
/// </summary>
internal sealed class ExpressionSyntaxException : Exception
{
    public ExpressionSyntaxException(string message, int position, int length = 1)
        : base(message)
    {
        Position = position;
        Length = length;
    }

    public ExpressionSyntaxException()
    {
    }

    public ExpressionSyntaxException(string message)
        : base(message)
    {
    }

    public ExpressionSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Position { get; }

    public int Length { get; }

    /// <summary>
    /// Kea's form of the error, <c>&lt;string&gt;:line.column[-end]: message</c> with 1-based columns, computed on
    /// <paramref name="text"/> (the expression the error came from).
    /// </summary>
    public string Describe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (line, column) = LineColumn(text, Position);
        var location = $"{line}.{column}";
        if (Length > 1)
        {
            var (endLine, endColumn) = LineColumn(text, Position + Length - 1);
            location += endLine == line ? $"-{endColumn}" : $"-{endLine}.{endColumn}";
        }

        return $"<string>:{location}: {Message}";
    }

    private static (int Line, int Column) LineColumn(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }
}
