using Microsoft.Extensions.Logging;

namespace Pukeko.Hooks.Testing;

/// <summary>
/// The loggers the engine and the libraries write to: every line is kept, in order, with a sequence number,
/// so an exchange can tell which lines were written while it ran.
/// </summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly Lock _gate = new();
    private readonly List<HookTestLogEntry> _entries = [];

    /// <summary>Lines written so far; the index of the next line.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The lines from <paramref name="start"/> on.</summary>
    public IReadOnlyList<HookTestLogEntry> Since(int start)
    {
        lock (_gate)
        {
            return _entries.Count <= start ? [] : _entries[start..];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
        // Everything is recorded here; other providers are not needed in a test.
    }

    public void Dispose()
    {
    }

    private void Add(HookTestLogEntry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }

    private sealed class Recorder(RecordingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.None)
            {
                return;
            }

            owner.Add(new HookTestLogEntry(logLevel, category, eventId.Name ?? string.Empty, formatter(state, exception), exception));
        }
    }
}
