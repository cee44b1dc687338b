namespace Pukeko.Fuzz;

/// <summary>
/// Thrown by a target when the code under test returned normally but broke a promise it documents (a parsed packet
/// that does not write back byte for byte, a lease row that cannot be read back). Escapes like any crash.
/// </summary>
internal sealed class InvariantViolationException : Exception
{
    public InvariantViolationException()
    {
    }

    public InvariantViolationException(string message)
        : base(message)
    {
    }

    public InvariantViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
