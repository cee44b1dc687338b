namespace Pukeko.Server.Databases;

/// <summary>
/// A database connection that can be lost (the PostgreSQL lease or host database). After a loss every operation fails
/// at once until <see cref="ReconnectAsync"/> succeeds, or until <see cref="TryAgainOnDemand"/> lets the next operation
/// try the database itself. <see cref="Hosting.DatabaseRecovery"/> watches it with Kea's reconnect and <c>on-fail</c> rules.
/// </summary>
internal interface IRecoverableConnection
{
    /// <summary>Raised once per loss, on the thread whose operation found it; handlers must not block.</summary>
    event Action<Exception>? ConnectionLost;

    /// <summary>
    /// Why it could not connect when it was opened (<c>retry-on-startup</c>): it starts out lost, and recovery begins
    /// as soon as someone watches it; null when it opened connected.
    /// </summary>
    Exception? OpenFailure { get; }

    /// <summary>Connects again and checks the schema; throws when the database still cannot be used.</summary>
    Task ReconnectAsync(CancellationToken cancellationToken);

    /// <summary>Stops failing operations at once: the next one tries the database (and reports a new loss).</summary>
    void TryAgainOnDemand();
}
