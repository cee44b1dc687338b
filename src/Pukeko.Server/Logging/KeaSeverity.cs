using Microsoft.Extensions.Logging;

namespace Pukeko.Server.Logging;

/// <summary>Kea's severities, lowest first. <see cref="None"/> disables a logger.</summary>
internal enum KeaSeverity
{
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
    Fatal = 4,
    None = 5,
}

/// <summary>Conversions between Kea severities, Kea names and <see cref="LogLevel"/>.</summary>
internal static class KeaSeverities
{
    /// <summary>Highest Kea debug level (<c>debuglevel</c> range is 0..99).</summary>
    public const int MaxDebugLevel = 99;

    /// <summary>The upper-case name Kea prints (<c>%p</c>): DEBUG, INFO, WARN, ERROR, FATAL, NONE.</summary>
    public static string ToKeaName(this KeaSeverity severity) => severity switch
    {
        KeaSeverity.Debug => "DEBUG",
        KeaSeverity.Info => "INFO",
        KeaSeverity.Warn => "WARN",
        KeaSeverity.Error => "ERROR",
        KeaSeverity.Fatal => "FATAL",
        _ => "NONE",
    };

    /// <summary>Parses a configured severity (case-insensitive; WARNING is accepted for WARN).</summary>
    public static bool TryParse(string? text, out KeaSeverity severity)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "DEBUG": severity = KeaSeverity.Debug; return true;
            case "INFO": severity = KeaSeverity.Info; return true;
            case "WARN":
            case "WARNING": severity = KeaSeverity.Warn; return true;
            case "ERROR": severity = KeaSeverity.Error; return true;
            case "FATAL": severity = KeaSeverity.Fatal; return true;
            case "NONE": severity = KeaSeverity.None; return true;
            default: severity = KeaSeverity.Info; return false;
        }
    }

    /// <summary>
    /// Kea severity of a <see cref="LogLevel"/>: Trace and Debug are DEBUG, Information is
    /// INFO, Warning is WARN, Error is ERROR, Critical is FATAL.
    /// </summary>
    public static KeaSeverity FromLogLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => KeaSeverity.Debug,
        LogLevel.Information => KeaSeverity.Info,
        LogLevel.Warning => KeaSeverity.Warn,
        LogLevel.Error => KeaSeverity.Error,
        LogLevel.Critical => KeaSeverity.Fatal,
        _ => KeaSeverity.None,
    };

    // Internal ordering used for filtering: one integer per (severity, debuglevel).
    // DEBUG level L ranks 99 - L (so DEBUG 0 is the most important debug message),
    // INFO 100, WARN 200, ERROR 300, FATAL 400. A message passes when rank >= threshold.
    internal static int Rank(KeaSeverity severity, int debugLevel) => severity switch
    {
        KeaSeverity.Debug => MaxDebugLevel - Math.Clamp(debugLevel, 0, MaxDebugLevel),
        KeaSeverity.Info => 100,
        KeaSeverity.Warn => 200,
        KeaSeverity.Error => 300,
        KeaSeverity.Fatal => 400,
        _ => int.MaxValue,
    };
}
