namespace Pukeko.Server.Configuration;

/// <summary>Outcome of loading a configuration: the model when valid, plus every error and warning found.</summary>
internal sealed class ConfigLoadResult
{
    public DhcpConfig? Config { get; init; }

    public IReadOnlyList<ConfigError> Errors { get; init; } = [];

    public IReadOnlyList<ConfigWarning> Warnings { get; init; } = [];

    /// <summary>
    /// The <c>loggers</c> section as read even when other sections are bad, so a failed start can still log its
    /// reason where the operator looks (Kea applies logging before the rest of the configuration).
    /// </summary>
    public IReadOnlyList<LoggerConfig> Loggers { get; init; } = [];

    public bool Success => Config is not null && Errors.Count == 0;
}
