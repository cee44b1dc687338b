using Pukeko.Server.Configuration;

namespace Pukeko.Server.Hosting;

/// <summary>A configuration that failed validation, with every error found.</summary>
internal sealed class ConfigurationRejectedException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join("; ", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    /// <summary>The <c>loggers</c> section of the rejected file, so the reason can be logged where the operator looks.</summary>
    public IReadOnlyList<LoggerConfig> Loggers { get; init; } = [];
}
