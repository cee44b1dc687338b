namespace Pukeko.Server.Configuration;

/// <summary>Outcome of loading a configuration: the model when valid, plus every error and warning found.</summary>
public sealed class ConfigLoadResult
{
    public DhcpConfig? Config { get; init; }

    public IReadOnlyList<ConfigError> Errors { get; init; } = [];

    public IReadOnlyList<ConfigWarning> Warnings { get; init; } = [];

    /// <summary>
    /// The <c>loggers</c> as read, also when the configuration is rejected: Kea applies them before the rest of the
    /// configuration, so a start-up failure is logged where the operator (or Forge) looks.
    /// </summary>
    public IReadOnlyList<LoggerConfig> Loggers { get; init; } = [];

    public bool Success => Config is not null && Errors.Count == 0;
}
