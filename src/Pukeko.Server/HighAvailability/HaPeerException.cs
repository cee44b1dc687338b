namespace Pukeko.Server.HighAvailability;

/// <summary>A peer could not be reached, or did not answer as a Kea control channel does.</summary>
internal sealed class HaPeerException : Exception
{
    public HaPeerException()
    {
    }

    public HaPeerException(string message)
        : base(message)
    {
    }

    public HaPeerException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
