namespace Pukeko.Server.Configuration;

/// <summary>
/// One <c>output-options</c> entry of a logger. <paramref name="Output"/> is "stdout", "stderr", "syslog" or
/// "syslog:name", or a file path (relative paths resolved in the log directory).
/// </summary>
internal sealed record LoggerOutputConfig(
    string Output,
    bool Flush = true,
    long MaxSize = 10240000,
    int MaxVer = 1,
    string? Pattern = null);
