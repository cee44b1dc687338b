namespace Pukeko.Server.Logging;

/// <summary>
/// One Kea <c>loggers[]</c> entry. <paramref name="Name"/> is <c>kea-dhcp6</c> (root) or a
/// child such as <c>kea-dhcp6.packets</c> (short names like <c>packets</c> are expanded).
/// <paramref name="Severity"/> is DEBUG/INFO/WARN/ERROR/FATAL/NONE (case-insensitive);
/// <paramref name="DebugLevel"/> 0..99 only matters for DEBUG. An empty or null
/// <paramref name="Outputs"/> list inherits the root logger's outputs (stdout for the root).
/// </summary>
internal sealed record KeaLoggerSpec(
    string Name,
    string Severity = "INFO",
    int DebugLevel = 0,
    IReadOnlyList<KeaOutputSpec>? Outputs = null);

/// <summary>
/// One <c>output-options[]</c> entry. <paramref name="Output"/>: <c>stdout</c>, <c>stderr</c>,
/// <c>syslog</c> or <c>syslog:FACILITY</c> (default facility local0), anything else is a file
/// path. <paramref name="MaxSize"/> 0 disables rotation; otherwise the file rotates to
/// <c>file.1</c> … <c>file.MaxVer</c> once it exceeds max(MaxSize, 204800) bytes.
/// A null/empty <paramref name="Pattern"/> uses the default of the output type.
/// </summary>
internal sealed record KeaOutputSpec(
    string Output,
    bool Flush = true,
    long MaxSize = KeaOutputSpec.DefaultMaxSize,
    int MaxVer = KeaOutputSpec.DefaultMaxVer,
    string? Pattern = null)
{
    public const long DefaultMaxSize = 10_240_000;
    public const int DefaultMaxVer = 1;

    /// <summary>Default pattern for stdout, stderr and files.</summary>
    public const string DefaultPattern = "%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c/%i.%t] %m\n";

    /// <summary>Default pattern for syslog (syslog adds its own time stamp and pid).</summary>
    public const string DefaultSyslogPattern = "%-5p [%c.%t] %m\n";
}

/// <summary>Thrown by <see cref="KeaLoggerProvider.Apply"/> for an invalid logging configuration; the previous configuration stays in force.</summary>
internal sealed class KeaLoggingConfigException : Exception
{
    public KeaLoggingConfigException() { }
    public KeaLoggingConfigException(string message) : base(message) { }
    public KeaLoggingConfigException(string message, Exception inner) : base(message, inner) { }
}
