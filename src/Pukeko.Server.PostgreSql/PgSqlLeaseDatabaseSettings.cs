using Npgsql;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Where the PostgreSQL lease database is, in Kea's <c>lease-database</c> terms. <see cref="Host"/> may be a
/// Unix-socket directory (a path starting with '/'), as libpq and so Kea allow.
/// </summary>
internal sealed record PgSqlLeaseDatabaseSettings
{
    public required string Name { get; init; }

    /// <summary>The settings a parsed <c>lease-database</c> asks for.</summary>
    public static PgSqlLeaseDatabaseSettings From(SqlDatabaseAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        return new()
        {
            Name = access.Name,
            Host = access.Host.Length > 0 ? access.Host : LibpqDefaultHost(),
            Port = access.Port,
            User = access.User,
            Password = access.Password,
            ConnectTimeoutSeconds = (int)Math.Min(access.ConnectTimeout, int.MaxValue),
            RetryOnStartup = access.RetryOnStartup,
            TcpUserTimeout = TimeSpan.FromSeconds(access.TcpUserTimeout),
            Tls = access.Tls,
            MaxPoolSize = PoolSizeFor(access.PacketWorkers),
        };
    }

    public string Host { get; init; } = "localhost";

    /// <summary>
    /// Where libpq connects when the host is empty (Kea passes <c>"host": ""</c> on to libpq as is): <c>PGHOST</c>,
    /// else the Unix-socket directory Debian's libpq is built with.
    /// </summary>
    internal static string LibpqDefaultHost() =>
        Environment.GetEnvironmentVariable("PGHOST") is { Length: > 0 } host ? host : "/var/run/postgresql";

    public int Port { get; init; } = 5432;

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Seconds to wait for a connection (Kea's <c>connect-timeout</c>, default 5).</summary>
    public int ConnectTimeoutSeconds { get; init; } = 5;

    /// <summary>
    /// Kea's <c>tcp-user-timeout</c>, set as <c>TCP_USER_TIMEOUT</c> on every TCP connection once it is open (libpq sets
    /// it before the connect, which <see cref="ConnectTimeoutSeconds"/> bounds anyway); zero = the kernel's default.
    /// Not for a Unix socket, as in libpq.
    /// </summary>
    public TimeSpan TcpUserTimeout { get; init; }

    /// <summary>Kea's <c>retry-on-startup</c>: a failed first connect opens the store lost instead of failing.</summary>
    public bool RetryOnStartup { get; init; }

    /// <summary>
    /// The most connections this server opens; more callers wait for a pooled one (up to the connect timeout)
    /// instead of asking PostgreSQL for more than it allows when several servers share it.
    /// </summary>
    public int MaxPoolSize { get; init; } = PoolSizeFor(1);

    /// <summary>
    /// A statement takes a connection for its own round trip only. Two per packet worker, because packets waiting
    /// on the database are carried on beside the workers (up to the transport's bound), and a few for the lease
    /// reclamation, control commands and HA, which run beside them.
    /// </summary>
    internal static int PoolSizeFor(int packetWorkers) => 2 * Math.Max(packetWorkers, 1) + 4;

    /// <summary>Kea's TLS keys.</summary>
    public SqlDatabaseTls Tls { get; init; } = SqlDatabaseTls.None;

    /// <summary>The Npgsql connection string: pooled, with frequently used statements prepared automatically.</summary>
    public string ToConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Database = Name,
            Host = Host,
            Port = Port,
            Timeout = ConnectTimeoutSeconds,
            Pooling = true,
            MaxPoolSize = MaxPoolSize,
            // Every statement the store runs is parameterized and fixed, so each is prepared on a physical
            // connection once it has been used twice and stays prepared while the connection lives in the pool.
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            // Pukeko leaves no session state on a connection (no SET, temporary table, LISTEN or advisory lock; an
            // open transaction is rolled back on return either way), so the reset Npgsql otherwise sends before a
            // pooled connection's next statement would only double the statements the database runs per lease.
            NoResetOnClose = true,
            ApplicationName = "pukeko-dhcp6",
        };
        if (User is not null)
        {
            builder.Username = User;
        }

        if (Password is not null)
        {
            builder.Password = Password;
        }

        ApplyTls(builder);
        return builder.ConnectionString;
    }

    /// <summary>
    /// Kea 3.x's mapping to libpq: <c>trust-anchor</c> is <c>sslrootcert</c> (and makes the default mode verify-ca),
    /// <c>cert-file</c> <c>sslcert</c>, <c>key-file</c> <c>sslkey</c>, <c>ssl-mode</c> <c>sslmode</c>; any TLS key
    /// makes the default mode require and turns GSS encryption off. <c>key-password</c>, which Kea does not pass to
    /// libpq, decrypts an encrypted key here; <c>cipher-list</c> is accepted and not used, as in Kea.
    /// </summary>
    private void ApplyTls(NpgsqlConnectionStringBuilder builder)
    {
        var mode = Tls.SslMode;
        if (Tls.TrustAnchor is { } anchor)
        {
            builder.RootCertificate = anchor;
            mode ??= "verify-ca";
        }

        if (Tls.CertFile is { } certificate)
        {
            builder.SslCertificate = certificate;
        }

        if (Tls.KeyFile is { } key)
        {
            builder.SslKey = key;
        }

        if (Tls.KeyPassword is { } keyPassword)
        {
            builder.SslPassword = keyPassword;
        }

        if (mode is null && (Tls.CertFile ?? Tls.KeyFile) is not null)
        {
            mode = "require";
        }

        if (mode is not null)
        {
            builder.GssEncryptionMode = GssEncryptionMode.Disable;
            builder.SslMode = mode switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "prefer" => SslMode.Prefer,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                "verify-full" => SslMode.VerifyFull,
                _ => throw new ArgumentException($"unsupported ssl-mode '{mode}'"),
            };
        }
    }

    /// <summary>The settings as a log line may show them (no password).</summary>
    public override string ToString() => $"name={Name} host={Host} port={Port} user={User ?? "(default)"} max-connections={MaxPoolSize}{(TcpUserTimeout > TimeSpan.Zero ? $" tcp-user-timeout={TcpUserTimeout.TotalSeconds}" : string.Empty)}";
}
