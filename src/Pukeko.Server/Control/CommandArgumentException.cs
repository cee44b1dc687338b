namespace Pukeko.Server.Control;

/// <summary>A command's arguments are missing or wrong; the message is the answer's text (result 1).</summary>
internal sealed class CommandArgumentException : Exception
{
    public CommandArgumentException()
    {
    }

    public CommandArgumentException(string message)
        : base(message)
    {
    }

    public CommandArgumentException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
