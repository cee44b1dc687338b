namespace Pukeko.Server.Leases.Memfile;

/// <summary>A lease file cannot be used: bad header, too many bad rows, or an LFC run of another process holds it.</summary>
internal sealed class LeaseFileException : Exception
{
    public LeaseFileException()
    {
    }

    public LeaseFileException(string message)
        : base(message)
    {
    }

    public LeaseFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
