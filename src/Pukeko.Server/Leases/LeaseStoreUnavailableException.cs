namespace Pukeko.Server.Leases;

/// <summary>
/// The lease database cannot be used: its connection was lost and has not been recovered yet. Operations fail at
/// once rather than wait on a dead connection, as Kea's backends do while they reconnect.
/// </summary>
internal sealed class LeaseStoreUnavailableException : Exception
{
    public LeaseStoreUnavailableException()
        : this("the lease database connection was lost and is not recovered yet")
    {
    }

    public LeaseStoreUnavailableException(string message)
        : base(message)
    {
    }

    public LeaseStoreUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
