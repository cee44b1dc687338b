namespace Pukeko.Server.Configuration;

/// <summary>Reads a Kea <c>kea-dhcp6</c> configuration file into a <see cref="DhcpConfig"/>.</summary>
public static class ConfigLoader
{
    /// <summary>Reads the file (comments, includes relative to its directory) and validates it.</summary>
    public static ConfigLoadResult LoadFile(string path, ConfigEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(environment);
        throw new NotImplementedException();
    }

    /// <summary>Parses configuration text; includes are resolved against <paramref name="baseDirectory"/> (or the current directory).</summary>
    public static ConfigLoadResult LoadText(string text, string? baseDirectory, ConfigEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        throw new NotImplementedException();
    }
}
