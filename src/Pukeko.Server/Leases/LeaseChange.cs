namespace Pukeko.Server.Leases;

/// <summary>
/// One committed lease change. <see cref="Old"/> is null for an insert, <see cref="New"/> null for a
/// delete; both are the leases as the transaction was given them. Observers must not change them, nor keep them or
/// their arrays after the call: the pipeline fills the same lease objects and client arrays again for a later query (<see cref="LeaseRental"/>), so an
/// observer that needs a lease later keeps a <see cref="Lease6.DeepClone"/>.
/// </summary>
internal readonly record struct LeaseChange(Lease6? Old, Lease6? New, LeaseChangeReason Reason)
{
    /// <summary>The address (or prefix) the change is about.</summary>
    public Pukeko.Protocol.Addressing.Ipv6Address Address => (New ?? Old)!.Address;
}
