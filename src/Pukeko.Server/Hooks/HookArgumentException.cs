namespace Pukeko.Server.Hooks;

/// <summary>
/// Thrown after a packet-path hook point's callouts when one of them left an argument the server reads back
/// unusable (null, another type, a lease that is not this client's). Kea's equivalent is the exception its
/// <c>getArgument</c> throws on a wrong type: it escapes the packet's processing and the packet is dropped.
/// </summary>
internal sealed class HookArgumentException : Exception
{
    public HookArgumentException()
        : base("a callout left an unusable argument")
    {
    }

    public HookArgumentException(string message)
        : base(message)
    {
    }

    public HookArgumentException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
