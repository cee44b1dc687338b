using Npgsql;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// The writes of one packet, command or reclamation batch, each committed by itself as Kea commits its lease writes
/// (autocommit), so a write is durable when it returns and <see cref="CommitAsync"/> has nothing left to do. Writes
/// are conditional in SQL, so the database arbitrates between workers and between servers: an insert does nothing
/// when the address (the primary key) is taken, and an update or delete matches only the row version the caller
/// read — Kea's condition on the old <c>expire</c>, plus the rest of <see cref="Lease6.IsSameVersion"/>.
/// Why no transaction spans a packet: every write locks the one <c>lease6_stat</c> row of its subnet, lease type
/// and state (Kea's counting triggers) until it commits, so the lease writes of every server on the database pass
/// that row one at a time. A transaction open from the first write to the packet's end held the row across the
/// thread hops, reads and the reply's build, and that hold, not the database, bounded the server at a few hundred
/// leases per second. Like memfile's, these writes cannot be undone: <see cref="AbandonAsync"/> answers false.
/// Kea's triggers add the first row of a kind by UPDATE, then INSERT, so when two writes add the first lease of a
/// (subnet, type, state) at once, the later one fails on the statistics table's key. That is no verdict on the
/// lease; the write is run again, when the UPDATE finds the row the other one committed.
/// Each statement takes a pooled connection for its own round trip only, so no connection waits on the pipeline.
/// The SQL is that of <paramref name="statements"/>, the schema version the store found.
/// </summary>
internal sealed class PgSqlUnitOfWork(NpgsqlDataSource dataSource, PgSqlConnectionHealth health, Lease6Statements statements) : ILeaseUnitOfWork
{
    /// <summary>Attempts of a write whose statistics row another write added meanwhile (one race per attempt).</summary>
    internal const int StatisticsRaceAttempts = 4;

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
        var rows = await WriteAsync(statements.Insert, p => statements.AddValues(p, lease), cancellationToken).ConfigureAwait(false);
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

        var rows = await WriteAsync(
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
    /// Runs a write that fires Kea's counting triggers; rows affected. A unique violation on any key but
    /// <c>lease6</c>'s own (the statistics tables') failed the whole statement, which is run again, a bounded number
    /// of times.
    /// </summary>
    private async ValueTask<int> WriteAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            bind(command.Parameters);
            try
            {
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (IsStatisticsRace(e) && attempt < StatisticsRaceAttempts)
            {
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
        var rows = await WriteAsync(statements.Delete, p => AddVersion(p, expected), cancellationToken).ConfigureAwait(false);
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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(statements.DeleteReclaimed, connection);
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

    /// <summary>Nothing to do: every write committed when it returned.</summary>
    public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>The writes took effect at once and stand (as memfile's, and Kea's).</summary>
    public ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(statements.Exists, connection);
        command.Parameters.Add(Lease6Row.Text(Lease6Row.AddressText(expected.Address)));
        var found = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return found is null ? LeaseWriteResult.NotFound : LeaseWriteResult.Conflict;
    }

    private ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        health.ThrowIfLost();
        return PgSqlConnections.OpenAsync(dataSource, cancellationToken);
    }
}
