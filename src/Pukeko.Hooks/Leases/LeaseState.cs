namespace Pukeko.Hooks.Leases;

/// <summary>A lease's state, with Kea's numeric values (the lease file's <c>state</c> column).</summary>
public enum LeaseState : uint
{
    /// <summary>Assigned to a client.</summary>
    Default = 0,

    /// <summary>Declined by a client; the address is out of use for the probation period.</summary>
    Declined = 1,

    /// <summary>Expired and reclaimed: free for any client.</summary>
    ExpiredReclaimed = 2,

    /// <summary>Released by its client (kept for a returning client when the server keeps released leases).</summary>
    Released = 3,

    /// <summary>Registered by the client itself (RFC 9686 address registration).</summary>
    Registered = 4,
}
