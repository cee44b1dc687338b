using Npgsql;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Whether a database's connection is usable (the lease store and its units of work, or a host database). An error of the
/// classes Kea treats as a lost connection marks it lost (once, raising <see cref="Lost"/>); from then on every
/// operation fails at once until <see cref="Restore"/>, instead of waiting out a connect timeout per packet.
/// </summary>
/// <param name="database">What the database is, for the message of an operation refused while it is lost.</param>
internal sealed class PgSqlConnectionHealth(string database = "lease database")
{
    private int _lost;

    public event Action<Exception>? Lost;

    public bool IsLost => Volatile.Read(ref _lost) != 0;

    /// <exception cref="LeaseStoreUnavailableException">The connection is lost.</exception>
    public void ThrowIfLost()
    {
        if (IsLost)
        {
            throw new LeaseStoreUnavailableException($"the PostgreSQL {database} connection was lost and is not recovered yet");
        }
    }

    /// <summary>
    /// For exception filters: marks the connection lost when <paramref name="error"/> says so. Always false, so the
    /// error goes on to the caller unchanged.
    /// </summary>
    public bool Observe(Exception error)
    {
        if (IsConnectionLoss(error) && Interlocked.Exchange(ref _lost, 1) == 0)
        {
            Lost?.Invoke(error);
        }

        return false;
    }

    public void Restore() => Volatile.Write(ref _lost, 0);

    /// <summary>Lost from the start (the first connect failed), without raising <see cref="Lost"/>: no one watches yet.</summary>
    public void StartLost() => Volatile.Write(ref _lost, 1);

    /// <summary>
    /// Kea's rule (PgSqlConnection::checkStatementError): SQLSTATE classes 08 (connection), 53 (resources), 54
    /// (limits), 57 (operator intervention: the server shut down) and 58 (system), or no SQLSTATE at all, which is
    /// how a broken socket, a refused connection or a timeout shows. Except 53300 (too many connections): the
    /// server answered and serves the connections it has, so only that packet fails (Kea would give up the
    /// database, which with several servers on one database turns a busy moment into an exit).
    /// </summary>
    public static bool IsConnectionLoss(Exception error) => error switch
    {
        _ when PgSqlConnections.IsTooManyConnections(error) => false,
        PostgresException pg => pg.SqlState.Length >= 2 && pg.SqlState[..2] is "08" or "53" or "54" or "57" or "58",
        NpgsqlException => true,
        _ => false,
    };
}
