namespace Pukeko.Server.Configuration;

/// <summary>
/// <c>lease-database</c>. Only memfile is supported. <paramref name="FilePath"/> is absolute (resolved against the data
/// directory). <paramref name="LfcInterval"/> 0 disables lease file cleanup; <paramref name="MaxRowErrors"/> 0 = unlimited.
/// </summary>
internal sealed record LeaseDatabaseConfig(string Type, string FilePath, bool Persist, uint LfcInterval, uint MaxRowErrors)
{
    public const string Memfile = "memfile";

    /// <summary>Kea's default lease file name inside the data directory.</summary>
    public const string DefaultFileName = "kea-leases6.csv";

    public const uint DefaultLfcInterval = 3600;

    public static LeaseDatabaseConfig Default(ConfigEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new(Memfile, Path.Combine(environment.DataDirectory, DefaultFileName), true, DefaultLfcInterval, 0);
    }
}
