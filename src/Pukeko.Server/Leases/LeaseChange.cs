namespace Pukeko.Server.Leases;

/// <summary>
/// One committed lease change. <see cref="Old"/> is null for an insert, <see cref="New"/> null for a
/// delete; both are the leases as the transaction was given them, which nobody changes afterwards: observers may keep
/// them but must not change them either.
/// </summary>
internal readonly record struct LeaseChange(Lease6? Old, Lease6? New, LeaseChangeReason Reason)
{
    /// <summary>The address (or prefix) the change is about.</summary>
    public Pukeko.Protocol.Addressing.Ipv6Address Address => (New ?? Old)!.Address;
}
