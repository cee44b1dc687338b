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

    /// <summary>
    /// Kea 2.6's <c>retry-on-startup</c>: a database that cannot be reached at start does not fail the start; the
    /// server comes up and reconnects as after a lost connection (<see cref="MaxReconnectTries"/>, <see cref="OnFail"/>).
    /// </summary>
    public bool RetryOnStartup { get; init; }

    /// <summary>
    /// Kea 3.3's <c>password-file</c>, as given: the file <see cref="Password"/> was read from (its first line), or
    /// null. The parser reads it, so the rest of the server only ever sees <see cref="Password"/>.
    /// </summary>
    public string? PasswordFile { get; init; }

    /// <summary>Kea's TLS keys (3.x passes them to libpq); null or empty = not given.</summary>
    public SqlDatabaseTls Tls { get; init; } = SqlDatabaseTls.None;

    /// <summary>
    /// How many packets the server works on at once (its <c>multi-threading</c> workers), which sizes the
    /// connection pool. Not a Kea key: the server sets it when it opens the database.
    /// </summary>
    public int PacketWorkers { get; init; } = 1;

    /// <summary>
    /// Kea 3.x's <c>tcp-user-timeout</c> in seconds (libpq's <c>tcp_user_timeout</c>): how long data sent on a TCP
    /// connection may stay unacknowledged before the kernel drops the connection; 0 = the kernel's default.
    /// </summary>
    public uint TcpUserTimeout { get; init; }

    /// <summary>Kea's <c>on-fail</c>.</summary>
    public DatabaseOnFail OnFail { get; init; } = DatabaseOnFail.StopRetryExit;

    /// <summary>Kea's defaults: localhost, PostgreSQL's port, a 5 s connect timeout.</summary>
    public static SqlDatabaseAccess Default { get; } = new(string.Empty, "localhost", 5432, null, null, 5);

    /// <summary>No password in logs or diagnostics.</summary>
    public override string ToString() => $"name={Name} host={Host} port={Port} user={User ?? "(default)"} connect-timeout={ConnectTimeout}";
}

/// <summary>
/// Kea's TLS keys of an SQL database: <c>trust-anchor</c> (CA file), <c>cert-file</c> and <c>key-file</c> (client
/// certificate), <c>key-password</c>, <c>ssl-mode</c> (libpq's sslmode values) and <c>cipher-list</c>.
/// </summary>
internal sealed record SqlDatabaseTls(string? TrustAnchor, string? CertFile, string? KeyFile, string? KeyPassword, string? SslMode, string? CipherList)
{
    public static SqlDatabaseTls None { get; } = new(null, null, null, null, null, null);

    /// <summary>The values libpq accepts for <c>sslmode</c>, which Kea passes on unchanged.</summary>
    public static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    /// <summary>No key password in logs or diagnostics.</summary>
    public override string ToString() =>
        $"trust-anchor={TrustAnchor} cert-file={CertFile} key-file={KeyFile} ssl-mode={SslMode} cipher-list={CipherList}";
}
