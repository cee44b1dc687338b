using Npgsql;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Where the PostgreSQL lease database is, in Kea's <c>lease-database</c> terms. <see cref="Host"/> may be a
/// Unix-socket directory (a path starting with '/'), as libpq and so Kea allow.
/// </summary>
internal sealed record PgSqlLeaseDatabaseSettings
{
    public required string Name { get; init; }

    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 5432;

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Seconds to wait for a connection (Kea's <c>connect-timeout</c>, default 5).</summary>
    public int ConnectTimeoutSeconds { get; init; } = 5;

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
            // Every statement the store runs is parameterized and fixed, so each is prepared on a physical
            // connection once it has been used twice and stays prepared while the connection lives in the pool.
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
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

        return builder.ConnectionString;
    }

    /// <summary>The settings as a log line may show them (no password).</summary>
    public override string ToString() => $"name={Name} host={Host} port={Port} user={User ?? "(default)"}";
}
