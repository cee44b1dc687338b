using Pukeko.Daemon.CommandLine;
using Pukeko.Server.Configuration;

namespace Pukeko.Daemon.Hosting;

/// <summary>The directories and rules every configuration load of this process uses: Kea's variables plus <c>-X</c>.</summary>
internal static class DaemonEnvironment
{
    /// <summary>
    /// Kea's directory variables from <paramref name="getVariable"/>; <c>-X</c> relaxes the path rules Kea 3.x
    /// enforces, for the check, the start and every later reconfiguration.
    /// </summary>
    public static ConfigEnvironment From(CommandLineOptions options, Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ConfigEnvironment.FromVariables(getVariable) with { RelaxedSecurity = options.RelaxSecurity };
    }
}
