namespace Pukeko.Server.Reservations;

/// <summary>
/// A host database refused a change for a reason the operator can act on (the host or an address is there already,
/// the database is read-only, the schema cannot hold the host); the message is Kea's text where Kea has one, and
/// host commands answer it as their error.
/// </summary>
internal sealed class HostDatabaseWriteException : Exception
{
    public HostDatabaseWriteException()
    {
    }

    public HostDatabaseWriteException(string message)
        : base(message)
    {
    }

    public HostDatabaseWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
