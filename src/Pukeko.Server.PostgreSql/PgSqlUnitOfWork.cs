using Npgsql;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// One database transaction: begun on a pooled connection at the first write, committed by
/// <see cref="CommitAsync"/>, rolled back by <see cref="AbandonAsync"/> (or disposal without a commit). Writes are
/// conditional in SQL, so the database arbitrates between workers and between servers: an insert does nothing
/// when the address (the primary key) is taken, and an update or delete matches only the row version the caller
/// read — Kea's condition on the old <c>expire</c>, plus the rest of <see cref="Lease6.IsSameVersion"/>.
/// An insert or update runs behind a savepoint: Kea's statistics triggers add the first row of a kind by UPDATE,
/// then INSERT, so when two transactions add the first lease of a (subnet, type, state) at once, the later one
/// fails on the statistics table's key. That is no verdict on the lease; the statement is rolled back to the
/// savepoint and run again, when the UPDATE finds the row the other transaction committed.
/// The SQL is that of <paramref name="statements"/>, the schema version the store found. The transaction takes one
/// of the store's <see cref="PgSqlTransactionSlots"/> before its connection.
/// </summary>
internal sealed class PgSqlUnitOfWork(NpgsqlDataSource dataSource, PgSqlConnectionHealth health, Lease6Statements statements, PgSqlTransactionSlots slots) : ILeaseUnitOfWork
{
    /// <summary>Attempts of a write whose statistics row another transaction added meanwhile (one race per attempt).</summary>
    internal const int StatisticsRaceAttempts = 4;

    private const string Savepoint = "pukeko_write";

    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private bool _holdsSlot;

    public async ValueTask<LeaseWriteResult> InsertAsync(Lease6 lease, CancellationToken cancellationToken = default)
    {
        try
        {
            return await InsertCoreAsync(lease, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (health.Observe(e))
        {
            throw;
        }
    }

    private async ValueTask<LeaseWriteResult> InsertCoreAsync(Lease6 lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        statements.ThrowIfNotStorable(lease);
        var rows = await WriteBehindSavepointAsync(statements.Insert, p => statements.AddValues(p, lease), cancellationToken).ConfigureAwait(false);
        return rows == 1 ? LeaseWriteResult.Written : LeaseWriteResult.Conflict;
    }

    public async ValueTask<LeaseWriteResult> UpdateAsync(Lease6 expected, Lease6 updated, CancellationToken cancellationToken = default)
    {
        try
        {
            return await UpdateCoreAsync(expected, updated, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (health.Observe(e))
        {
            throw;
        }
    }

    private async ValueTask<LeaseWriteResult> UpdateCoreAsync(Lease6 expected, Lease6 updated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(updated);
        statements.ThrowIfNotStorable(updated);
        if (updated.Address != expected.Address)
        {
            throw new ArgumentException($"an update keeps the address: {expected.Address} cannot become {updated.Address}", nameof(updated));
        }

        var rows = await WriteBehindSavepointAsync(
            statements.Update,
            p =>
            {
                statements.AddValues(p, updated);
                AddVersion(p, expected);
            },
            cancellationToken).ConfigureAwait(false);
        return rows == 1 ? LeaseWriteResult.Written : await MissedAsync(expected, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a write that fires Kea's counting triggers, with a savepoint set before it and released after it in the
    /// same round trip; rows affected.
    /// A unique violation on any key but <c>lease6</c>'s own (the statistics tables') rolls back to the savepoint
    /// and runs the write again, a bounded number of times.
    /// </summary>
    private async ValueTask<int> WriteBehindSavepointAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var batch = await BatchAsync(cancellationToken).ConfigureAwait(false);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT " + Savepoint));
            var write = new NpgsqlBatchCommand(sql);
            bind(write.Parameters);
            batch.BatchCommands.Add(write);

            // Released once the write is done (a failed write skips this and can be rolled back to it). Savepoints
            // left open nest: a transaction of many writes (a migration copy) then costs the database time that
            // grows with the square of their number (4000 writes: 196 s, against 6 s released).
            batch.BatchCommands.Add(new NpgsqlBatchCommand("RELEASE SAVEPOINT " + Savepoint));
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return checked((int)write.RecordsAffected);
            }
            catch (PostgresException e) when (IsStatisticsRace(e) && attempt < StatisticsRaceAttempts)
            {
                await _transaction!.RollbackAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A unique violation on a key other than the lease table's: another transaction added a statistics row.</summary>
    internal static bool IsStatisticsRace(PostgresException error) =>
        error.SqlState == PostgresErrorCodes.UniqueViolation && error.ConstraintName != "lease6_pkey";

    public async ValueTask<LeaseWriteResult> DeleteAsync(Lease6 expected, CancellationToken cancellationToken = default)
    {
        try
        {
            return await DeleteCoreAsync(expected, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (health.Observe(e))
        {
            throw;
        }
    }

    private async ValueTask<LeaseWriteResult> DeleteCoreAsync(Lease6 expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        int rows;
        await using (var command = await CommandAsync(statements.Delete, cancellationToken).ConfigureAwait(false))
        {
            AddVersion(command.Parameters, expected);
            rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return rows == 1 ? LeaseWriteResult.Written : await MissedAsync(expected, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<Lease6>> DeleteExpiredReclaimedAsync(long olderThan, CancellationToken cancellationToken = default)
    {
        try
        {
            return await DeleteExpiredReclaimedCoreAsync(olderThan, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (health.Observe(e))
        {
            throw;
        }
    }

    private async ValueTask<IReadOnlyList<Lease6>> DeleteExpiredReclaimedCoreAsync(long olderThan, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(statements.DeleteReclaimed, cancellationToken).ConfigureAwait(false);
        command.Parameters.Add(Lease6Row.BigInt((uint)LeaseState.ExpiredReclaimed));
        command.Parameters.Add(Lease6Row.Expire(Math.Clamp(olderThan, 0, KeaDatabaseTime.MaxDatabaseTime)));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var removed = new List<Lease6>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            removed.Add(statements.Read(reader));
        }

        return removed;
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is not null)
        {
            try
            {
                await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (health.Observe(e))
            {
                throw;
            }
        }

        await ReleaseAsync().ConfigureAwait(false);
    }

    public async ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        await ReleaseAsync().ConfigureAwait(false);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing an uncommitted transaction rolls it back.
        await ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>Binds the version condition: the columns <see cref="Lease6.IsSameVersion"/> compares, as stored.</summary>
    private static void AddVersion(NpgsqlParameterCollection parameters, Lease6 expected)
    {
        parameters.Add(Lease6Row.Text(Lease6Row.AddressText(expected.Address)));
        parameters.Add(Lease6Row.Expire(KeaDatabaseTime.ExpireOf(expected.Cltt, expected.ValidLifetime)));
        parameters.Add(Lease6Row.BigInt(expected.ValidLifetime));
        parameters.Add(Lease6Row.SmallInt((short)expected.Type));
        parameters.Add(Lease6Row.BigInt((uint)expected.State));
        parameters.Add(Lease6Row.Integer(unchecked((int)expected.Iaid)));
        parameters.Add(Lease6Row.Bytes(expected.Duid));
    }

    /// <summary>Why a conditional write matched no row: the address is free (not found) or holds another version.</summary>
    private async ValueTask<LeaseWriteResult> MissedAsync(Lease6 expected, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(statements.Exists, cancellationToken).ConfigureAwait(false);
        command.Parameters.Add(Lease6Row.Text(Lease6Row.AddressText(expected.Address)));
        var found = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return found is null ? LeaseWriteResult.NotFound : LeaseWriteResult.Conflict;
    }

    private async ValueTask<NpgsqlCommand> CommandAsync(string sql, CancellationToken cancellationToken)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        return new NpgsqlCommand(sql, _connection, _transaction);
    }

    private async ValueTask<NpgsqlBatch> BatchAsync(CancellationToken cancellationToken)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        return new NpgsqlBatch(_connection, _transaction);
    }

    private async ValueTask BeginAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            health.ThrowIfLost();
            if (!_holdsSlot)
            {
                await slots.EnterAsync(cancellationToken).ConfigureAwait(false);
                _holdsSlot = true;
            }

            _connection = await PgSqlConnections.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            _transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask ReleaseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        if (_holdsSlot)
        {
            _holdsSlot = false;
            slots.Leave();
        }
    }
}
