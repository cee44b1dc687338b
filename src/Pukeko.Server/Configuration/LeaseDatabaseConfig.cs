namespace Pukeko.Server.Configuration;

/// <summary>
/// <c>lease-database</c>: memfile, or PostgreSQL (<see cref="Sql"/>). <paramref name="FilePath"/> is absolute (resolved
/// against the data directory; memfile only). <paramref name="LfcInterval"/> 0 disables lease file cleanup; <paramref name="MaxRowErrors"/> 0 = unlimited.
/// </summary>
internal sealed record LeaseDatabaseConfig(string Type, string FilePath, bool Persist, uint LfcInterval, uint MaxRowErrors)
{
    public const string Memfile = "memfile";

    public const string PostgreSql = "postgresql";

    /// <summary>Where the database is when <see cref="LeaseDatabaseConfig.Type"/> is <see cref="PostgreSql"/>; null for memfile.</summary>
    public SqlDatabaseAccess? Sql { get; init; }

    /// <summary>Kea's default lease file name inside the data directory.</summary>
    public const string DefaultFileName = "kea-leases6.csv";

    public const uint DefaultLfcInterval = 3600;

    public static LeaseDatabaseConfig Default(ConfigEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new(Memfile, Path.Combine(environment.DataDirectory, DefaultFileName), true, DefaultLfcInterval, 0);
    }
}
