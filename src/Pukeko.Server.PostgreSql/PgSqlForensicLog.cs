using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// The forensic log's PostgreSQL backend (<c>"type": "postgresql"</c>, Kea 3.0's <c>PgSqlStore</c>): each entry is one
/// row of Kea's <c>logs</c> table, written with Kea's statement <c>INSERT INTO logs(address, log) VALUES ($1, $2)</c>
/// (the <c>timestamp</c> column takes its default, the time of the insert).
/// </summary>
/// <remarks>
/// Kea inserts inside the <c>pkt6_send</c> callout, so a slow or lost database holds up every packet. Here
/// <see cref="Write"/> only queues the entry and one background writer inserts them in order, so packets never wait
/// on the database. While the database is lost (the last insert failed for want of a connection), <see cref="Write"/>
/// refuses new entries at once (the library logs LEGAL_LOG_LEASE6_WRITE_ERROR and its callout returns an error, as
/// Kea's does while its connection is unusable); the entries already queued are kept and inserted once the database
/// answers again, tried every <c>reconnect-wait-time</c> (1 s when 0). An entry the database rejects (no
/// <c>logs</c> table, an address too long for its column) is logged and dropped. Nothing connects before the first
/// entry, so <c>-t</c> and an idle server open no connection.
/// </remarks>
internal sealed class PgSqlForensicLog : IForensicLogSink
{
    /// <summary>Kea's statement.</summary>
    public const string InsertStatement = "INSERT INTO logs(address, log) VALUES ($1, $2)";

    /// <summary>Entries waiting for the database before new ones are refused.</summary>
    internal const int QueueCapacity = 4096;

    /// <summary>How long closing waits for the queued entries to be written.</summary>
    internal static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _settings;
    private readonly ILogger _log;
    private readonly ILogger _databaseLog;
    private readonly TimeSpan _retryWait;
    private readonly uint _maxRetries;
    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _writer;
    private volatile string? _lost;
    private int _inFlight;
    private long _deferredFailures;
    private long _written;
    private bool _disposed;

    private readonly record struct Entry(string Text, string Address, string ErrorId);

    private PgSqlForensicLog(PgSqlLeaseDatabaseSettings settings, SqlDatabaseAccess access, ILoggerFactory loggers)
    {
        _settings = settings.ToString();
        _dataSource = NpgsqlDataSource.Create(settings.ToConnectionString());
        _log = loggers.CreateLogger(ForensicLogLibrary.LoggerName);
        _databaseLog = loggers.CreateLogger("kea-dhcp6.pgsql-fb-hooks");
        _retryWait = TimeSpan.FromMilliseconds(access.ReconnectWaitTime > 0 ? access.ReconnectWaitTime : 1000);
        _maxRetries = access.MaxReconnectTries;
    }

    /// <summary>The sink for a parsed <c>"type": "postgresql"</c>; connects with its first entry.</summary>
    public static IForensicLogSink Open(SqlDatabaseAccess access, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(loggers);

        // One writer inserts at a time; a second connection covers a reconnect racing a closing one.
        var settings = PgSqlLeaseDatabaseSettings.From(access) with { MaxPoolSize = 2 };
        var sink = new PgSqlForensicLog(settings, access, loggers);
        sink._databaseLog.LogInformation(new EventId(0, "PGSQL_FB_DB"), "opening PostgreSQL log database: {Settings}", sink._settings);
        return sink;
    }

    /// <summary>Entries inserted so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    public long DeferredFailures => Interlocked.Read(ref _deferredFailures);

    /// <summary>Why the database is taken as lost; null while it answers.</summary>
    public string? LostReason => _lost;

    public void Write(string text, string address, string errorId)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(address);
        if (text.Length == 0)
        {
            return; // as Kea: an empty entry is not written
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer ??= Task.Run(WriteQueuedAsync);
        }

        if (_lost is { } reason)
        {
            throw new ForensicLogWriteException($"the forensic log database is unreachable: {reason}");
        }

        if (!_queue.Writer.TryWrite(new Entry(text, address, errorId)))
        {
            throw new ForensicLogWriteException($"the forensic log database is not keeping up: {QueueCapacity} entries are waiting");
        }
    }

    private async Task WriteQueuedAsync()
    {
        var token = _stop.Token;
        var opened = false;
        try
        {
            await foreach (var entry in _queue.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                Volatile.Write(ref _inFlight, 1);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await InsertAsync(entry, token).ConfigureAwait(false);
                        Interlocked.Increment(ref _written);
                        if (!opened || _lost is not null)
                        {
                            opened = true;
                            _lost = null;
                            _log.LogInformation(new EventId(0, "LEGAL_LOG_STORE_OPENED"), "Legal store opened: {Settings}", _settings);
                        }

                        break;
                    }
                    catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !token.IsCancellationRequested)
                    {
                        if (!IsConnectionLoss(e))
                        {
                            // The database answered and refused this entry: trying it again cannot help.
                            Interlocked.Increment(ref _deferredFailures);
                            _log.LogError(new EventId(0, entry.ErrorId), "Could not write to the legal store: {Reason}", e.Message);
                            break;
                        }

                        if (_lost is null)
                        {
                            _lost = e.Message;
                            _log.LogError(new EventId(0, entry.ErrorId), "Could not write to the legal store: {Reason}", e.Message);
                        }

                        if (_maxRetries > 0 && attempt <= _maxRetries)
                        {
                            _databaseLog.LogInformation(new EventId(0, "LEGAL_LOG_PGSQL_DB_RECONNECT_ATTEMPT_SCHEDULE"), "scheduling attempt {Attempt} of {Max} in {Wait} milliseconds",
                                attempt, _maxRetries, (long)_retryWait.TotalMilliseconds);
                        }
                        else if (_maxRetries > 0 && attempt == _maxRetries + 1)
                        {
                            // Kea stops trying here; the entries are kept and tried on, so none is lost to a long outage.
                            _databaseLog.LogError(new EventId(0, "LEGAL_LOG_PGSQL_DB_RECONNECT_FAILED"), "maximum number of database reconnect attempts: {Max}, has been exhausted without success", _maxRetries);
                        }

                        _dataSource.Clear();
                        await Task.Delay(_retryWait, token).ConfigureAwait(false);
                    }
                }

                Volatile.Write(ref _inFlight, 0);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closing: what is left in the queue is counted by Dispose.
        }
    }

    private async Task InsertAsync(Entry entry, CancellationToken token)
    {
        await using var command = _dataSource.CreateCommand(InsertStatement);
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Address, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Text, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }

    /// <summary>
    /// True when the failure says nothing about the entry: no connection (refused, timed out, broken), or a server
    /// that is shutting down, starting or full (SQLSTATE classes 08 and 57P, 53300).
    /// </summary>
    internal static bool IsConnectionLoss(Exception error) => error switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || p.SqlState == PostgresErrorCodes.TooManyConnections,
        NpgsqlException or TimeoutException or InvalidOperationException => true,
        _ => false,
    };

    public void Dispose()
    {
        Task? writer;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            writer = _writer;
        }

        _queue.Writer.TryComplete();
        try
        {
            // The queued entries get a moment to be written, unless the database is lost and they would only wait.
            if (writer is not null && (_lost is not null || !writer.Wait(CloseWait)))
            {
                _stop.Cancel();
                writer.Wait(CloseWait);
            }
        }
        catch (AggregateException)
        {
            // The writer ends only by cancellation or a closed queue; anything else has been logged already.
        }

        var left = writer is { IsCompleted: true } ? Volatile.Read(ref _inFlight) : 0;
        while (_queue.Reader.TryRead(out _))
        {
            left++;
        }

        if (left > 0)
        {
            Interlocked.Add(ref _deferredFailures, left);
            _log.LogError(new EventId(0, "LEGAL_LOG_STORE_CLOSE_ERROR"), "An error occurred closing the store: {Settings}, error: {Reason}", _settings,
                string.Create(CultureInfo.InvariantCulture, $"{left} entries were not written ({_lost ?? "the database did not answer in time"})"));
        }

        _stop.Dispose();
        _dataSource.Dispose();
    }
}
