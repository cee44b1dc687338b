using Npgsql;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Lets at most half of the connection pool hold lease transactions at once. A packet's transaction holds the
/// <c>lease6_stat</c> row locks of Kea's triggers from its first write until it commits, and meanwhile it reads on
/// another pooled connection (the candidates for its next IA, an IA_PD after an IA_NA). The transport adds workers
/// beside stalled ones, so more packets than workers can be at work; without this limit the transactions queued on
/// those locks took every pooled connection, the lock holder's read waited for one until the connect timeout, and the
/// server (and every other server queued on the same rows) stood still that long. Reads never wait on row locks, so
/// with half of the pool left to them the holder always gets its read done and commits.
/// </summary>
internal sealed class PgSqlTransactionSlots
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _wait;

    public PgSqlTransactionSlots(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Count = Math.Max(1, builder.MaxPoolSize / 2);
        _slots = new SemaphoreSlim(Count, Count);
        _wait = TimeSpan.FromSeconds(Math.Max(1, builder.Timeout));
    }

    /// <summary>How many transactions may be open at once.</summary>
    public int Count { get; }

    /// <summary>Waits for a slot as long as for a pooled connection; when none comes free, only this packet fails.</summary>
    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(_wait, cancellationToken).ConfigureAwait(false))
        {
            throw new PgSqlPoolExhaustedException(
                $"no lease transaction could start within {_wait.TotalSeconds:F0} s: all {Count} allowed beside the reads are at work");
        }
    }

    public void Leave() => _slots.Release();
}
