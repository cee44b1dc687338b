namespace Pukeko.Server.Logging;

/// <summary>Process-level settings of <see cref="KeaLoggerProvider"/>; the defaults are right for production, tests inject the rest.</summary>
internal sealed class KeaLoggingOptions
{
    /// <summary>
    /// <c>-d</c>: the default configuration is DEBUG 99 instead of INFO, and, as in Kea, every
    /// configured logger is forced to DEBUG 99 (outputs are kept).
    /// </summary>
    public bool Verbose { get; init; }

    /// <summary>Clock; lines use its local time (<see cref="TimeProvider.LocalTimeZone"/>).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The <c>pid</c> printed by <c>%i</c>.</summary>
    public int ProcessId { get; init; } = Environment.ProcessId;

    /// <summary>The thread id printed by <c>%t</c>; default: the managed thread id.</summary>
    public Func<int> ThreadId { get; init; } = static () => Environment.CurrentManagedThreadId;

    /// <summary>Where <c>stdout</c> goes; default <see cref="Console.Out"/>.</summary>
    public TextWriter? Stdout { get; init; }

    /// <summary>Where <c>stderr</c> goes (and the provider's own warnings); default <see cref="Console.Error"/>.</summary>
    public TextWriter? Stderr { get; init; }

    /// <summary>Local syslog datagram socket.</summary>
    public string SyslogSocketPath { get; init; } = "/dev/log";

    /// <summary>Identity sent to syslog (Kea uses the root logger name).</summary>
    public string SyslogIdent { get; init; } = KeaLoggers.Root;

    /// <summary>Smallest effective rotation size (log4cplus, hence Kea, enforces 200 KiB); tests lower it.</summary>
    public long MinimumRotationSize { get; init; } = 204_800;

    /// <summary>Host name printed by <c>%h</c>/<c>%H</c>.</summary>
    public string HostName { get; init; } = Environment.MachineName;
}
