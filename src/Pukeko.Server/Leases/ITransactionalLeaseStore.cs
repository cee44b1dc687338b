namespace Pukeko.Server.Leases;

/// <summary>
/// A store that can also write many leases all or nothing (a database). The server's own units of work commit each
/// write at once, as Kea's do; a migration copy, run while no server uses the store, needs the whole file or none.
/// </summary>
internal interface ITransactionalLeaseStore : ILeaseStore
{
    /// <summary>A unit whose writes share one transaction: <see cref="ILeaseUnitOfWork.AbandonAsync"/> undoes them all.</summary>
    ILeaseUnitOfWork BeginTransaction();
}
