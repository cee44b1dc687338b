using Pukeko.Server.Configuration;

namespace Pukeko.Server.Hosting;

/// <summary>A configuration that failed validation, with every error found.</summary>
public sealed class ConfigurationRejectedException(IReadOnlyList<ConfigError> errors, IReadOnlyList<LoggerConfig>? loggers = null)
    : Exception(string.Join("; ", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    /// <summary>The rejected file's <c>loggers</c>, so the failure can be logged where they point.</summary>
    public IReadOnlyList<LoggerConfig> Loggers { get; } = loggers ?? [];
}
