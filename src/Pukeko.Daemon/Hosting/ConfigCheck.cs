using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Logging;

namespace Pukeko.Daemon.Hosting;

/// <summary>
/// <c>-t</c>/<c>-T</c>: reads the configuration, the loggers and the hook libraries as a start would, without opening
/// sockets or lease files. Exit value 0 when all is well; 1 after logging each problem as an ERROR line and writing
/// a summary to <c>stderr</c>.
/// </summary>
internal static class ConfigCheck
{
    public static int Run(string configFile, ConfigEnvironment environment, ILoggerFactory loggers, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(stderr);
        var log = loggers.CreateLogger("kea-dhcp6.dhcp6");
        var result = ConfigLoader.LoadFile(configFile, environment);
        foreach (var warning in result.Warnings)
        {
            log.LogWarning(new EventId(0, warning.LogId), "{Path}: {Message}", warning.Path, warning.Message);
        }

        if (!result.Success)
        {
            foreach (var problem in result.Errors)
            {
                log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), "configuration error using file: {File}, reason: {Path}: {Message}", configFile, problem.Path, problem.Message);
            }

            stderr.WriteLine($"Syntax check failed with: {string.Join("; ", result.Errors)}");
            return 1;
        }

        if (KeaLoggerProvider.Validate(LoggingConfiguration.ToSpecs(result.Config!.Loggers, environment.LogDirectory)) is { } loggingError)
        {
            log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), "configuration error using file: {File}, reason: Dhcp6/loggers: {Message}", configFile, loggingError);
            stderr.WriteLine($"Syntax check failed with: Dhcp6/loggers: {loggingError}");
            return 1;
        }

        // Like Kea, the check opens every hook library and runs its load() (then unloads it).
        var hookErrors = HooksManager.Validate(result.Config.HooksLibraries, result.Config.MultiThreading.Enabled, loggers);
        if (hookErrors.Count > 0)
        {
            foreach (var problem in hookErrors)
            {
                log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), "configuration error using file: {File}, reason: Dhcp6/hooks-libraries: {Message}", configFile, problem);
            }

            stderr.WriteLine($"Configuration check failed with: Dhcp6/hooks-libraries: {string.Join("; ", hookErrors)}");
            return 1;
        }

        log.LogInformation(new EventId(0, "DHCP6_CONFIG_CHECK_OK"), "configuration check of {File} successful", configFile);
        return 0;
    }
}
