using Pukeko.Server.Configuration;
using Pukeko.Server.Logging;

namespace Pukeko.Daemon.Hosting;

/// <summary>Maps the config's <c>loggers</c> onto the Kea logging provider's specs.</summary>
internal static class LoggingConfiguration
{
    public static IReadOnlyList<KeaLoggerSpec> ToSpecs(IReadOnlyList<LoggerConfig> loggers, string logDirectory)
    {
        var specs = new List<KeaLoggerSpec>(loggers.Count);
        foreach (var logger in loggers)
        {
            var outputs = logger.Outputs.Select(o => new KeaOutputSpec(ResolveOutput(o.Output, logDirectory), o.Flush, o.MaxSize, o.MaxVer, o.Pattern)).ToList();
            specs.Add(new KeaLoggerSpec(logger.Name, logger.Severity, logger.DebugLevel, outputs));
        }

        return specs;
    }

    /// <summary>A relative log file name lives in the log directory (KEA_LOG_FILE_DIR), as in Kea ≥ 2.7.9.</summary>
    private static string ResolveOutput(string output, string logDirectory) =>
        output is "stdout" or "stderr" || output.StartsWith("syslog", StringComparison.Ordinal) || Path.IsPathRooted(output)
            ? output
            : Path.Combine(logDirectory, output);
}
