namespace Pukeko.Server.Leases;

/// <summary>
/// Lease state as stored in the memfile CSV <c>state</c> column; the values match Kea's so files stay
/// interchangeable.
/// </summary>
internal enum LeaseState : uint
{
    Default = 0,
    Declined = 1,
    ExpiredReclaimed = 2,
    Released = 3,
    Registered = 4,
}
