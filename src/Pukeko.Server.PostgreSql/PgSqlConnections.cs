using Npgsql;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Opens pooled connections. A server that refuses a new connection because it has as many as it allows (SQLSTATE
/// 53300, too many connections: other servers share it) is still there, so the open is tried again a few times
/// after short waits before the error goes to the caller, which then drops that one packet.
/// </summary>
internal static class PgSqlConnections
{
    internal const int TooManyConnectionsAttempts = 4;

    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(50);

    public static async ValueTask<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var wait = FirstWait;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsTooManyConnections(e) && attempt < TooManyConnectionsAttempts)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                wait *= 2;
            }
        }
    }

    public static bool IsTooManyConnections(Exception error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.TooManyConnections };
}
