using Pukeko.Server.Databases;

namespace Pukeko.Server.Leases;

/// <summary>
/// A lease store on a connection that can be lost (a database). After a loss every operation fails at once with
/// <see cref="LeaseStoreUnavailableException"/> until it is reconnected (<see cref="IRecoverableConnection"/>).
/// </summary>
internal interface IRecoverableLeaseStore : ILeaseStore, IRecoverableConnection
{
}
