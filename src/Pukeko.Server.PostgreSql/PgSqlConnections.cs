using Npgsql;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Opens pooled connections. A server that refuses a new connection because it has as many as it allows (SQLSTATE
/// 53300, too many connections: other servers share it) is still there, so the open is tried again a few times
/// after short waits before the error goes to the caller, which then drops that one packet. Likewise a wait for a
/// pooled connection that times out while all of them are busy is no lost database.
/// </summary>
internal static class PgSqlConnections
{
    internal const int TooManyConnectionsAttempts = 4;

    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(50);

    /// <param name="blocking">Open on the calling thread, which may block (<see cref="Concurrency.BlockingIo"/>).</param>
    public static async ValueTask<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, bool blocking, CancellationToken cancellationToken)
    {
        var wait = FirstWait;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return blocking ? dataSource.OpenConnection() : await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsTooManyConnections(e) && attempt < TooManyConnectionsAttempts)
            {
                if (blocking)
                {
                    Thread.Sleep(wait);
                }
                else
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                wait *= 2;
            }
            catch (NpgsqlException e) when (e is not PostgresException && IsPoolExhausted(e))
            {
                // Every pooled connection is at work and none came free within the connect timeout: the database
                // answers (a connection that stops answering fails its own statement), it is only busy.
                throw new PgSqlPoolExhaustedException(e.Message, e);
            }
        }
    }

    /// <summary>Disposes on the calling thread with <paramref name="blocking"/> (a reader left unread reads its rest there).</summary>
    public static ValueTask DisposeAsync<T>(T disposable, bool blocking)
        where T : IDisposable, IAsyncDisposable
    {
        if (!blocking)
        {
            return disposable.DisposeAsync();
        }

        disposable.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Npgsql says so only in its message (a timeout inside, no SQLSTATE); the pool's counts are not public. A test
    /// (PgSqlLeaseStoreTests) holds this to the Npgsql version in use.
    /// </summary>
    private static bool IsPoolExhausted(NpgsqlException error) =>
        error.InnerException is TimeoutException
        && error.Message.StartsWith("The connection pool has been exhausted", StringComparison.Ordinal);

    public static bool IsTooManyConnections(Exception error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.TooManyConnections };
}
