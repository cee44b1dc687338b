namespace Pukeko.Server.Leases;

/// <summary>
/// A unit of work that can serve the next packet of the same worker once disposed, so steady traffic does not make a
/// unit per packet. A store whose units hold a connection or transaction (a database) does not offer this.
/// </summary>
internal interface IReusableLeaseUnitOfWork : ILeaseUnitOfWork
{
    /// <summary>After <see cref="IAsyncDisposable.DisposeAsync"/>: a fresh unit again, as the store's <c>BeginWork</c> gives; false when the store is gone.</summary>
    bool TryReopen();
}
