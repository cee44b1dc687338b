namespace Pukeko.Server.Configuration;

/// <summary>
/// One <c>loggers</c> entry. <paramref name="Severity"/> is upper case: DEBUG, INFO, WARN, ERROR, FATAL or NONE;
/// <paramref name="DebugLevel"/> (0..99) only matters for DEBUG.
/// </summary>
internal sealed record LoggerConfig(string Name, IReadOnlyList<LoggerOutputConfig> Outputs, string Severity = "INFO", int DebugLevel = 0);
