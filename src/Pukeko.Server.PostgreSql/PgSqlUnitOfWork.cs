using Npgsql;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// The writes of one packet, command or reclamation batch. Writes are conditional in SQL, so the database arbitrates
/// between workers and between servers: an insert does nothing when the address (the primary key) is taken, and an
/// update or delete matches only the row version the caller read — Kea's condition on the old <c>expire</c>, plus
/// the rest of <see cref="Lease6.IsSameVersion"/>.
/// By default each write commits by itself, as Kea commits its lease writes (autocommit): a write is durable when it
/// returns, <see cref="CommitAsync"/> has nothing left to do, and, like memfile's, the writes cannot be undone
/// (<see cref="AbandonAsync"/> answers false). Each statement then takes a pooled connection for its own round trip
/// only. Why no transaction spans a packet: every write locks the one <c>lease6_stat</c> row of its subnet, lease
/// type and state (Kea's counting triggers) until it commits, so the lease writes of every server on the database
/// pass that row one at a time. A transaction open from the first write to the packet's end held the row across the
/// thread hops, reads and the reply's build, and that hold, not the database, bounded the server at a few hundred
/// leases per second.
/// With <paramref name="inOneTransaction"/> (writes that must take effect all or nothing; a lease import uses
/// <see cref="PgSqlLeaseStore.WriteBatchAsync"/> instead, for speed) the writes share one transaction on one connection, begun at the first write, each
/// behind a savepoint that is released once it is done (left open, savepoints nest, and a transaction of many writes
/// costs the database time growing with the square of their number).
/// Kea's triggers add the first row of a kind by UPDATE, then INSERT, so when two writes add the first lease of a
/// (subnet, type, state) at once, the later one fails on the statistics table's key. That is no verdict on the
/// lease; the write is run again (after a rollback to its savepoint), when the UPDATE finds the row the other one
/// committed. The SQL is that of <paramref name="statements"/>, the schema version the store found.
/// A write outside a transaction on a packet worker's thread blocks, on the workers' pool
/// (<see cref="PgSqlConnectionPools"/>), as a Kea worker's write does; the transaction is asynchronous throughout.
/// With <paramref name="extendedInfoTables"/>, a write that changes a lease's relay information then rewrites its rows
/// in Kea's extended-info tables (<see cref="IExtendedInfoTables"/>), in the same transaction when there is one; like
/// Kea's, that second step is not atomic with an autocommitted lease write.
/// </summary>
internal sealed class PgSqlUnitOfWork(
    PgSqlConnectionPools pools, PgSqlConnectionHealth health, Lease6Statements statements, bool inOneTransaction, bool extendedInfoTables = false,
    IReadOnlySet<(uint SubnetId, LeaseType Type)>? freeLeaseQueueSubnets = null) : ILeaseUnitOfWork
{
    /// <summary>Attempts of a write whose statistics row another write added meanwhile (one race per attempt).</summary>
    internal const int StatisticsRaceAttempts = 4;

    private const string Savepoint = "pukeko_write";

    // Only with inOneTransaction.
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

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
        var queue = FollowsQueue(lease);
        var rows = await WriteAsync(queue ? statements.QueueInsert! : statements.Insert, queue, p => statements.AddValues(p, lease), cancellationToken).ConfigureAwait(false);
        if (rows != 1)
        {
            return LeaseWriteResult.Conflict;
        }

        if (extendedInfoTables && !string.IsNullOrEmpty(lease.UserContext))
        {
            await MaintainExtendedInfoAsync(lease, deleteFirst: false, cancellationToken).ConfigureAwait(false);
        }

        return LeaseWriteResult.Written;
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

        var queue = FollowsQueue(updated);
        var rows = await WriteAsync(
            queue ? statements.QueueUpdate! : statements.Update,
            queue,
            p =>
            {
                statements.AddValues(p, updated);
                AddVersion(p, expected);
            },
            cancellationToken).ConfigureAwait(false);
        if (rows != 1)
        {
            return await MissedAsync(expected, cancellationToken).ConfigureAwait(false);
        }

        // Kea rewrites the rows only when the relay information changed (its extended-info action), deleting them
        // when it went away (a reclaimed lease loses its user context).
        if (extendedInfoTables && !string.Equals(expected.UserContext, updated.UserContext, StringComparison.Ordinal))
        {
            await MaintainExtendedInfoAsync(updated, deleteFirst: true, cancellationToken).ConfigureAwait(false);
        }

        return LeaseWriteResult.Written;
    }

    private async ValueTask MaintainExtendedInfoAsync(Lease6 lease, bool deleteFirst, CancellationToken cancellationToken)
    {
        if (inOneTransaction)
        {
            await BeginAsync(cancellationToken).ConfigureAwait(false);
            await WriteExtendedInfoAsync(_connection!, _transaction, lease, deleteFirst, cancellationToken).ConfigureAwait(false);
            return;
        }

        var blocking = BlockingIo.IsAllowed;
        var connection = await pools.OpenAsync(blocking, cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteExtendedInfoAsync(connection, null, lease, deleteFirst, cancellationToken, blocking).ConfigureAwait(false);
        }
        finally
        {
            await PgSqlConnections.DisposeAsync(connection, blocking).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// In one round trip: the lease's old rows (with <paramref name="deleteFirst"/>), then a row per relay-id and
    /// remote-id of its relay information (<see cref="LeaseExtendedInfoIds"/>). True when it added any.
    /// </summary>
    internal static async ValueTask<bool> WriteExtendedInfoAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Lease6 lease, bool deleteFirst, CancellationToken cancellationToken, bool blocking = false)
    {
        var (relayIds, remoteIds) = LeaseExtendedInfoIds.Extract(lease.UserContext);
        if (!deleteFirst && relayIds.Count == 0 && remoteIds.Count == 0)
        {
            return false;
        }

        var address = Lease6Row.AddressText(lease.Address);
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (deleteFirst)
        {
            foreach (var sql in (ReadOnlySpan<string>)[Lease6Statements.DeleteRelayIds, Lease6Statements.DeleteRemoteIds])
            {
                var delete = new NpgsqlBatchCommand(sql);
                delete.Parameters.Add(Lease6Row.Text(address));
                batch.BatchCommands.Add(delete);
            }
        }

        void Add(string sql, byte[] id)
        {
            var insert = new NpgsqlBatchCommand(sql);
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea, TypedValue = id });
            insert.Parameters.Add(Lease6Row.Text(address));
            batch.BatchCommands.Add(insert);
        }

        foreach (var id in relayIds)
        {
            Add(Lease6Statements.AddRelayId, id);
        }

        foreach (var id in remoteIds)
        {
            Add(Lease6Statements.AddRemoteId, id);
        }

        if (blocking)
        {
            batch.ExecuteNonQuery();
        }
        else
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return relayIds.Count + remoteIds.Count > 0;
    }

    /// <summary>
    /// Runs a write that fires Kea's counting triggers; rows affected. A unique violation on any key but
    /// <c>lease6</c>'s own (the statistics tables') failed the write, which is run again, a bounded number of times.
    /// </summary>
    /// <param name="countInResult">The statement is a free-lease-queue write, which ends in a SELECT of its count: that is its result, not its rows affected.</param>
    private async ValueTask<int> WriteAsync(string sql, bool countInResult, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return inOneTransaction
                    ? await WriteBehindSavepointAsync(sql, countInResult, bind, cancellationToken).ConfigureAwait(false)
                    : await WriteAndCommitAsync(sql, countInResult, bind, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsStatisticsRace(e) && attempt < StatisticsRaceAttempts)
            {
                if (_transaction is not null)
                {
                    await _transaction.RollbackAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async ValueTask<int> WriteAndCommitAsync(string sql, bool countInResult, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        var blocking = BlockingIo.IsAllowed;
        await using var statement = await StatementAsync(sql, blocking, cancellationToken).ConfigureAwait(false);
        bind(statement.Command.Parameters);
        if (countInResult)
        {
            return (int)(blocking ? statement.Command.ExecuteScalar() : await statement.Command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        return blocking ? statement.Command.ExecuteNonQuery() : await statement.Command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The savepoint, the write and the savepoint's release, in one round trip.</summary>
    private async ValueTask<int> WriteBehindSavepointAsync(string sql, bool countInResult, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        await BeginAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT " + Savepoint));
        var write = new NpgsqlBatchCommand(sql);
        bind(write.Parameters);
        batch.BatchCommands.Add(write);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("RELEASE SAVEPOINT " + Savepoint));
        if (!countInResult)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return checked((int)write.RecordsAffected);
        }

        // The write's count is the one value among the batch's results (the savepoint commands have none).
        var written = 0;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            if (reader.FieldCount == 1 && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                written = reader.GetInt32(0);
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));

        return written;
    }

    /// <summary>The lease's subnet uses Kea's <c>shared-flq</c> allocator for its type, and the schema has the queue.</summary>
    private bool FollowsQueue(Lease6 lease) =>
        statements.HasFreeLeaseQueue && freeLeaseQueueSubnets is { Count: > 0 } subnets && subnets.Contains((lease.SubnetId, lease.Type));

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
        var queue = FollowsQueue(expected);
        var rows = await WriteAsync(queue ? statements.QueueDelete! : statements.Delete, queue, p => AddVersion(p, expected), cancellationToken).ConfigureAwait(false);
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
        await using var statement = await StatementAsync(statements.DeleteReclaimed, blocking: false, cancellationToken).ConfigureAwait(false);
        var command = statement.Command;
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

    /// <summary>One transaction: rolled back. Otherwise the writes took effect at once and stand (as memfile's, and Kea's).</summary>
    public async ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        await ReleaseAsync().ConfigureAwait(false);
        return inOneTransaction;
    }

    // Disposing an uncommitted transaction rolls it back.
    public ValueTask DisposeAsync() => ReleaseAsync();

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
        var blocking = BlockingIo.IsAllowed && !inOneTransaction;
        await using var statement = await StatementAsync(statements.Exists, blocking, cancellationToken).ConfigureAwait(false);
        var command = statement.Command;
        command.Parameters.Add(Lease6Row.Text(Lease6Row.AddressText(expected.Address)));
        var found = blocking ? command.ExecuteScalar() : await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return found is null ? LeaseWriteResult.NotFound : LeaseWriteResult.Conflict;
    }

    /// <summary>
    /// A command on the unit's transaction, or on a pooled connection of its own that goes back with it. Opened and
    /// disposed on the calling thread with <paramref name="blocking"/> (never for the unit's transaction, which is
    /// asynchronous throughout).
    /// </summary>
    private async ValueTask<Statement> StatementAsync(string sql, bool blocking, CancellationToken cancellationToken)
    {
        if (inOneTransaction)
        {
            await BeginAsync(cancellationToken).ConfigureAwait(false);
            return new Statement(new NpgsqlCommand(sql, _connection, _transaction), null, blocking: false);
        }

        health.ThrowIfLost();
        var connection = await pools.OpenAsync(blocking, cancellationToken).ConfigureAwait(false);
        return new Statement(new NpgsqlCommand(sql, connection), connection, blocking);
    }

    private async ValueTask BeginAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            health.ThrowIfLost();
            _connection = await pools.OpenAsync(blocking: false, cancellationToken).ConfigureAwait(false);
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
    }

    private readonly struct Statement(NpgsqlCommand command, NpgsqlConnection? ownConnection, bool blocking) : IAsyncDisposable
    {
        public NpgsqlCommand Command => command;

        public async ValueTask DisposeAsync()
        {
            await PgSqlConnections.DisposeAsync(command, blocking).ConfigureAwait(false);
            if (ownConnection is not null)
            {
                await PgSqlConnections.DisposeAsync(ownConnection, blocking).ConfigureAwait(false);
            }
        }
    }
}
