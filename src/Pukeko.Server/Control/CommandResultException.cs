namespace Pukeko.Server.Control;

/// <summary>Ends a command with a specific result code (e.g. <see cref="ControlResult.Conflict"/>) and text.</summary>
internal sealed class CommandResultException : Exception
{
    public CommandResultException()
    {
    }

    public CommandResultException(string message)
        : base(message)
    {
    }

    public CommandResultException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CommandResultException(int result, string message)
        : base(message) => Result = result;

    public int Result { get; } = ControlResult.Error;
}
