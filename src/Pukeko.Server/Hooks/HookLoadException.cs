namespace Pukeko.Server.Hooks;

/// <summary>A hook library could not be loaded; the message names the library and the reason.</summary>
internal sealed class HookLoadException : Exception
{
    public HookLoadException()
    {
    }

    public HookLoadException(string message)
        : base(message)
    {
    }

    public HookLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
