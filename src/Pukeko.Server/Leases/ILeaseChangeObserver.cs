namespace Pukeko.Server.Leases;

/// <summary>
/// Sees every lease change after it is committed, on the thread that made it, in commit order for
/// any one address. Must be quick, must not write leases itself, and must not keep the change's leases after the call
/// (see <see cref="LeaseChange"/>).
/// </summary>
internal interface ILeaseChangeObserver
{
    void OnLeaseChanged(in LeaseChange change);
}
