using Microsoft.Extensions.Logging;

namespace Pukeko.Daemon.Tests.Hosting;

/// <summary>Keeps every formatted log line with its level, so tests can read what <c>-t</c> reported.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly List<(LogLevel Level, string Text)> _lines = [];
    private readonly List<string?> _ids = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public IEnumerable<string> At(LogLevel level) => Lines.Where(l => l.Level == level).Select(l => l.Text);

    /// <summary>Each line as "MESSAGE_ID text" (the event's name, Kea's message id), in order.</summary>
    public IReadOnlyList<string> WithIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines.Select((l, i) => $"{_ids[i]} {l.Text}")];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._gate)
            {
                owner._lines.Add((logLevel, formatter(state, exception)));
                owner._ids.Add(eventId.Name);
            }
        }
    }
}
