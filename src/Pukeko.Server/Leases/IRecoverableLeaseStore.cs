namespace Pukeko.Server.Leases;

/// <summary>
/// A lease store on a connection that can be lost (a database). After a loss every operation fails at once with
/// <see cref="LeaseStoreUnavailableException"/> until <see cref="ReconnectAsync"/> succeeds, or until
/// <see cref="TryAgainOnDemand"/> lets the next operation try the database itself.
/// </summary>
internal interface IRecoverableLeaseStore : ILeaseStore
{
    /// <summary>Raised once per loss, on the thread whose operation found it; handlers must not block.</summary>
    event Action<Exception>? ConnectionLost;

    /// <summary>
    /// Why the store could not connect when it was opened (<c>retry-on-startup</c>): it starts out lost, and
    /// recovery begins as soon as someone watches it; null when it opened connected.
    /// </summary>
    Exception? OpenFailure { get; }

    /// <summary>Connects again and checks the schema; throws when the database still cannot be used.</summary>
    Task ReconnectAsync(CancellationToken cancellationToken);

    /// <summary>Stops failing operations at once: the next one tries the database (and reports a new loss).</summary>
    void TryAgainOnDemand();
}
