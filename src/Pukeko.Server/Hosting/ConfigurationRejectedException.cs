using Pukeko.Server.Configuration;

namespace Pukeko.Server.Hosting;

/// <summary>A configuration that failed validation, with every error found.</summary>
public sealed class ConfigurationRejectedException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join("; ", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
