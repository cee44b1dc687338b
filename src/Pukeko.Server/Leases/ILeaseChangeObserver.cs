namespace Pukeko.Server.Leases;

/// <summary>
/// Sees every lease change after it is committed, on the thread that made it, in commit order for
/// any one address. Must be quick and must not write leases itself.
/// </summary>
internal interface ILeaseChangeObserver
{
    void OnLeaseChanged(in LeaseChange change);
}
