namespace Pukeko.Server.Classification.Expressions;

/// <summary>A malformed expression; <see cref="Position"/> is the 0-based offset of the offending character.</summary>
internal sealed class ExpressionSyntaxException : Exception
{
    public ExpressionSyntaxException(string message, int position)
        : base(message)
    {
        Position = position;
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

    /// <summary>Message with the 1-based column, as shown in configuration errors.</summary>
    public string Describe() => $"at position {Position + 1}: {Message}";
}
