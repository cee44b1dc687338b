using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Logging;
using Pukeko.Server.Transport;

namespace Pukeko.Daemon.Hosting;

/// <summary>
/// <c>-t</c>/<c>-T</c>: reads the configuration, the loggers and the hook libraries as a start would, without opening
/// sockets or lease files. Exit value 0 when all is well; 1 after logging each problem as an ERROR line and writing
/// a summary to <c>stderr</c>.
/// </summary>
internal static class ConfigCheck
{
    /// <param name="interfaceProblems">What this system lacks of the configured interfaces (the test of Kea's example
    /// files, which name ISC's interfaces, passes a check that finds nothing); the system's own by default.</param>
    public static int Run(
        string configFile,
        ConfigEnvironment environment,
        ILoggerFactory loggers,
        TextWriter stderr,
        Func<IReadOnlyList<InterfaceSpec>, List<(int Index, string Reason)>>? interfaceProblems = null)
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

        // Kea selects the interfaces while parsing, on -t too, and refuses a name (or a unicast address) the system lacks.
        var missing = (interfaceProblems ?? InterfaceInfo.SystemProblems)(result.Config!.Interfaces);
        if (missing.Count > 0)
        {
            var problems = missing.Select(m => $"Dhcp6/interfaces-config/interfaces[{m.Index}]: {m.Reason}").ToList();
            foreach (var problem in problems)
            {
                log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), "configuration error using file: {File}, reason: {Problem}", configFile, problem);
            }

            stderr.WriteLine($"Configuration check failed with: {string.Join("; ", problems)}");
            return 1;
        }

        if (KeaLoggerProvider.Validate(LoggingConfiguration.ToSpecs(result.Config!.Loggers, environment.LogDirectory)) is { } loggingError)
        {
            log.LogError(new EventId(0, "DHCP6_CONFIG_LOAD_FAIL"), "configuration error using file: {File}, reason: Dhcp6/loggers: {Message}", configFile, loggingError);
            stderr.WriteLine($"Syntax check failed with: Dhcp6/loggers: {loggingError}");
            return 1;
        }

        // Like Kea, the check opens every hook library and runs its load() (then unloads it).
        var hookErrors = HooksManager.Validate(result.Config.HooksLibraries, result.Config.MultiThreading.Enabled, loggers,
            new Pukeko.Server.BuiltIn.ForensicLog.ForensicLogBackends { OpenPostgreSql = Pukeko.Server.PostgreSql.PgSqlForensicLog.Open });
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
