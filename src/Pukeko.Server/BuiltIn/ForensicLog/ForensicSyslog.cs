using System.Globalization;
using Pukeko.Server.Logging;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>
/// The syslog backend (<c>"type": "syslog"</c>). Kea 3.0 gives the library a logger of its own
/// (<c>kea-dhcp6.legal-log-&lt;n&gt;</c>) whose only destination is <c>syslog:&lt;facility&gt;</c> with the configured
/// <c>pattern</c> (Kea's syslog default <c>%-5p [%c.%t] %m\n</c> when none), and logs each entry with severity INFO as
/// message <c>LEGAL_LOG_SYSLOG</c>, whose text is the entry. The same is done here with the server's own syslog
/// writer and pattern layout: one datagram <c>&lt;PRI&gt;kea-dhcp6[pid]: &lt;pattern output&gt;</c> on the local
/// syslog socket, PRI being facility * 8 + 6 (info). The entry has no timestamp of its own (syslog adds one) and its
/// lines are sent together in one message.
/// </summary>
internal sealed class ForensicSyslog : IForensicLogSink
{
    /// <summary>The message id Kea logs each entry under.</summary>
    public const string MessageId = "LEGAL_LOG_SYSLOG";

    private static int s_instances;

    private readonly SyslogSink _sink;
    private readonly KeaPattern _pattern;
    private readonly TimeProvider _time;
    private readonly int _processId;

    public ForensicSyslog(ForensicLogOptions options, string socketPath, TimeProvider? time = null, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(socketPath);
        _time = time ?? TimeProvider.System;
        _processId = Environment.ProcessId;
        _pattern = KeaPattern.Parse(options.Pattern ?? KeaOutputSpec.DefaultSyslogPattern);
        _sink = new SyslogSink(options.Facility, socketPath, KeaLoggers.Root, _processId, warn ?? (_ => { }));
        _sink.Activate();

        // Kea names the logger after the library's object address; any number unique in the process does as well.
        LoggerName = string.Create(CultureInfo.InvariantCulture, $"{KeaLoggers.Root}.legal-log-{Interlocked.Increment(ref s_instances)}");
    }

    /// <summary>The logger name <c>%c</c> prints.</summary>
    public string LoggerName { get; }

    public void Write(string text, string address, string errorId)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return; // Kea writes no empty entry
        }

        var utc = _time.GetUtcNow();
        var entry = new KeaLogEvent(utc, TimeZoneInfo.ConvertTime(utc, _time.LocalTimeZone), KeaSeverity.Info, LoggerName, _processId,
            Environment.CurrentManagedThreadId, MessageId + " " + text, Environment.MachineName);
        _sink.Write(KeaSeverity.Info, _pattern.Format(entry));
    }

    public void Dispose() => _sink.Dispose();
}
