namespace Pukeko.Server.Classification.Expressions;

/// <summary>
/// An expression that parsed but cannot be evaluated on this packet (e.g. <c>addrtotext</c> of 3 bytes).
/// Kea treats the class test as not matched and logs it; so does the classifier.
/// </summary>
internal sealed class ExpressionEvaluationException : Exception
{
    public ExpressionEvaluationException()
    {
    }

    public ExpressionEvaluationException(string message)
        : base(message)
    {
    }

    public ExpressionEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
