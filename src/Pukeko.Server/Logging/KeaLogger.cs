using System.Text;
using Microsoft.Extensions.Logging;

namespace Pukeko.Server.Logging;

internal sealed class KeaLogger : ILogger
{
    private static readonly int s_warnRank = KeaSeverities.Rank(KeaSeverity.Warn, 0);

    [ThreadStatic]
    private static StringBuilder? t_builder;

    private readonly KeaLoggerProvider _provider;
    private readonly string _displayName;
    private readonly bool _foreign;
    private volatile Resolved? _resolved;

    public KeaLogger(KeaLoggerProvider provider, string category)
    {
        _provider = provider;
        string normalized = KeaLoggers.Normalize(category);
        _foreign = !KeaLoggers.IsKeaName(normalized);
        _displayName = _foreign ? KeaLoggers.Dhcp6 : normalized;
    }

    private sealed class Resolved(KeaLoggerProvider.Snapshot snapshot, KeaLoggerProvider.Rule rule, int threshold)
    {
        public KeaLoggerProvider.Snapshot Snapshot { get; } = snapshot;
        public KeaLoggerProvider.Rule Rule { get; } = rule;
        public int Threshold { get; } = threshold;
    }

    private Resolved Resolve()
    {
        KeaLoggerProvider.Snapshot current = _provider.Current;
        Resolved? r = _resolved;
        if (r is null || !ReferenceEquals(r.Snapshot, current))
        {
            KeaLoggerProvider.Rule rule = current.Resolve(_displayName);
            r = new Resolved(current, rule, _foreign ? Math.Max(rule.Threshold, s_warnRank) : rule.Threshold);
            _resolved = r;
        }
        return r;
    }

    // Highest rank a message of this level can have (Debug/Trace may carry debug level 0).
    private static int MaxRank(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => KeaSeverities.Rank(KeaSeverity.Debug, 0),
        LogLevel.Information => KeaSeverities.Rank(KeaSeverity.Info, 0),
        LogLevel.Warning => KeaSeverities.Rank(KeaSeverity.Warn, 0),
        LogLevel.Error => KeaSeverities.Rank(KeaSeverity.Error, 0),
        LogLevel.Critical => KeaSeverities.Rank(KeaSeverity.Fatal, 0),
        _ => -1,
    };

    public bool IsEnabled(LogLevel logLevel) => MaxRank(logLevel) >= Resolve().Threshold;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.None)
        {
            return;
        }
        KeaSeverity severity = KeaSeverities.FromLogLevel(logLevel);
        int rank = KeaSeverities.Rank(severity, severity == KeaSeverity.Debug ? KeaDebugLevel.Of(logLevel, eventId.Id) : 0);
        Resolved r = Resolve();
        if (rank < r.Threshold)
        {
            return;
        }

        string text = formatter(state, exception) ?? string.Empty;
        string message = string.IsNullOrEmpty(eventId.Name)
            ? text
            : text.Length == 0 ? eventId.Name : eventId.Name + " " + text;
        if (exception is not null)
        {
            message += $" ({exception.GetType().Name}: {exception.Message})";
        }

        KeaLoggingOptions o = _provider.Options;
        DateTimeOffset utc = o.Clock.GetUtcNow();
        var evt = new KeaLogEvent(
            utc,
            TimeZoneInfo.ConvertTime(utc, o.Clock.LocalTimeZone),
            severity,
            _displayName,
            o.ProcessId,
            o.ThreadId(),
            message,
            o.HostName);

        StringBuilder sb = t_builder ??= new StringBuilder(256);
        foreach (KeaLoggerProvider.Output output in r.Rule.Outputs)
        {
            sb.Clear();
            output.Pattern.Format(evt, sb);
            try
            {
                output.Sink.Write(severity, sb.ToString());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // A broken destination must never take the server down.
            }
        }
        if (sb.Capacity > 16 * 1024)
        {
            t_builder = null;
        }
    }
}
