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
