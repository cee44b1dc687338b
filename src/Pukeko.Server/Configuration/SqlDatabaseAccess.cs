namespace Pukeko.Server.Configuration;

/// <summary>
/// How to reach an SQL lease database (<c>lease-database</c> with <c>"type": "postgresql"</c>), in Kea's keys.
/// <paramref name="Host"/> may be a Unix-socket directory (starting with '/'); <paramref name="ConnectTimeout"/> is
/// in seconds.
/// </summary>
internal sealed record SqlDatabaseAccess(string Name, string Host, int Port, string? User, string? Password, uint ConnectTimeout)
{
    /// <summary>Kea's <c>max-reconnect-tries</c>: attempts after the first immediate one; 0 = no reconnecting.</summary>
    public uint MaxReconnectTries { get; init; }

    /// <summary>Kea's <c>reconnect-wait-time</c> in milliseconds between attempts; 0 = no reconnecting.</summary>
    public uint ReconnectWaitTime { get; init; }

    /// <summary>Kea's <c>on-fail</c>.</summary>
    public DatabaseOnFail OnFail { get; init; } = DatabaseOnFail.StopRetryExit;

    /// <summary>Kea's defaults: localhost, PostgreSQL's port, a 5 s connect timeout.</summary>
    public static SqlDatabaseAccess Default { get; } = new(string.Empty, "localhost", 5432, null, null, 5);

    /// <summary>No password in logs or diagnostics.</summary>
    public override string ToString() => $"name={Name} host={Host} port={Port} user={User ?? "(default)"} connect-timeout={ConnectTimeout}";
}
