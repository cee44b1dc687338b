using Microsoft.Extensions.Logging;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// The lease database on PostgreSQL, in the <c>lease6</c> table exactly as Kea's <c>kea-admin db-init pgsql</c>
/// creates it, Kea 2.2's schema (13.0) or Kea 3.x's (34.0), so Pukeko and Kea servers can share one database. The
/// <c>schema_version</c> read at start picks the <see cref="Lease6Statements"/> used from then on. Every statement
/// is parameterized and prepared on its pooled connection; every query is answered by the database, not from a
/// cache, so leases written by another server are seen at once. On a packet worker's thread the statements block
/// (<see cref="BlockingIo"/>), as a Kea worker's do; elsewhere they are asynchronous. The database's triggers keep
/// Kea's statistics tables (<c>lease6_stat</c>, and on 3.x <c>lease6_pool_stat</c>).
/// </summary>
internal sealed class PgSqlLeaseStore : IRecoverableLeaseStore, ITransactionalLeaseStore, ILeaseImportTarget, IExtendedInfoTables, ISharedFreeLeaseQueue
{
    private readonly PgSqlConnectionPools _pools;
    private readonly PgSqlConnectionHealth _health = new();

    // Replaced only by a reconnect that finds another version (the schema upgraded while the database was away).
    private volatile Lease6Statements _statements;
    private volatile bool _extendedInfoTablesEnabled;
    private IReadOnlySet<(uint SubnetId, LeaseType Type)> _sharedFreeLeaseQueueSubnets = new HashSet<(uint SubnetId, LeaseType Type)>();

    private PgSqlLeaseStore(PgSqlConnectionPools pools, Lease6Statements statements)
    {
        _pools = pools;
        _statements = statements;
    }

    /// <summary>
    /// Connects, checks <c>schema_version</c> and returns the store; <see cref="LeaseDatabaseSchemaException"/> when
    /// the schema is missing or of a version this store does not speak.
    /// </summary>
    public static async Task<PgSqlLeaseStore> OpenAsync(PgSqlLeaseDatabaseSettings settings, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        logger.LogInformation(new EventId(0, "DHCPSRV_PGSQL_DB"), "opening PostgreSQL lease database: {Settings}", settings);
        var pools = new PgSqlConnectionPools(settings.ToConnectionString(), settings.TcpUserTimeout);
        try
        {
            if (settings.RetryOnStartup)
            {
                // Kea 2.6: any failure to connect (refused, no such database, wrong password) starts the server
                // with the connection lost; the recovery then retries it. A connection to a wrong schema still
                // fails the start.
                try
                {
                    await using var first = await pools.Asynchronous.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (NpgsqlException e)
                {
                    logger.LogInformation(new EventId(0, "DHCPSRV_LEASE_MGR_DB_OPEN_CONNECTION_WITH_RETRY_FAILED"),
                        "Failed to connect to database: {Settings} with error: {Reason}", settings, e.Message);
                    // The schema is read when the connection is made; until then every operation fails as lost.
                    var store = new PgSqlLeaseStore(pools, Lease6Statements.Kea22) { OpenFailure = e };
                    store._health.StartLost();
                    return store;
                }
            }

            return await OpenAsync(pools, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await pools.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens the database a parsed <c>lease-database</c> names (what the server calls).</summary>
    public static async Task<ILeaseStore> OpenAsync(SqlDatabaseAccess access, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return await OpenAsync(PgSqlLeaseDatabaseSettings.From(access), loggers.CreateLogger("kea-dhcp6.dhcpsrv"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The same over a data source the caller keeps (and disposes) itself.</summary>
    public static Task<PgSqlLeaseStore> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return OpenAsync(PgSqlConnectionPools.Borrowed(dataSource), cancellationToken);
    }

    private static async Task<PgSqlLeaseStore> OpenAsync(PgSqlConnectionPools pools, CancellationToken cancellationToken)
    {
        var statements = await ReadStatementsAsync(pools.Asynchronous, cancellationToken).ConfigureAwait(false);
        return new PgSqlLeaseStore(pools, statements);
    }

    /// <summary>The pool of asynchronous use (what commands and tests use).</summary>
    internal NpgsqlDataSource DataSource => _pools.Asynchronous;

    /// <summary>The statements of the schema version found at the last open or reconnect.</summary>
    internal Lease6Statements Statements => _statements;

    public Exception? OpenFailure { get; private set; }

    public event Action<Exception>? ConnectionLost
    {
        add => _health.Lost += value;
        remove => _health.Lost -= value;
    }

    /// <summary>
    /// Drops the pooled connections (after a database restart they are all broken), connects and checks the schema
    /// again; the store is usable from then on.
    /// </summary>
    public async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        _pools.Clear();
        _statements = await ReadStatementsAsync(_pools.Asynchronous, cancellationToken).ConfigureAwait(false);
        OpenFailure = null;
        _health.Restore();
    }

    public void TryAgainOnDemand()
    {
        _pools.Clear();
        _health.Restore();
    }

    public ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default) =>
        QuerySingleAsync(s => s.SelectByAddress, p => p.Add(Lease6Row.Text(Lease6Row.AddressText(address))), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, CancellationToken cancellationToken = default) =>
        QueryAsync(s => s.SelectByClient, p =>
        {
            p.Add(Lease6Row.Bytes(duid.ToArray()));
            p.Add(Lease6Row.Integer(unchecked((int)iaid)));
            p.Add(Lease6Row.SmallInt((short)type));
        }, cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByDuidAsync(ReadOnlyMemory<byte> duid, CancellationToken cancellationToken = default) =>
        QueryAsync(s => s.SelectByDuid, p => p.Add(Lease6Row.Bytes(duid.ToArray())), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByHardwareAddressAsync(ReadOnlyMemory<byte> hardwareAddress, CancellationToken cancellationToken = default) =>
        QueryAsync(s => s.SelectByHardwareAddress, p => p.Add(Lease6Row.Bytes(hardwareAddress.ToArray())), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByHostnameAsync(string hostname, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hostname);
        return QueryAsync(s => s.SelectByHostname, p => p.Add(Lease6Row.Text(hostname)), cancellationToken);
    }

    public ValueTask<IReadOnlyList<Lease6>> GetBySubnetAsync(uint subnetId, CancellationToken cancellationToken = default) =>
        QueryAsync(s => s.SelectBySubnet, p => p.Add(Lease6Row.BigInt(subnetId)), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByStateAsync(LeaseState state, CancellationToken cancellationToken = default) =>
        QueryAsync(s => s.SelectByState, p => p.Add(Lease6Row.BigInt((uint)state)), cancellationToken);

    /// <summary>
    /// A page in the order of the schema's <c>address</c> column, as Kea's <c>get_lease6_page</c> pages. Kea 3.x keeps
    /// addresses as <c>inet</c>: numeric order. Kea 2.2 keeps them as text, so pages follow the text order (the
    /// database's collation) and visit every lease once, but not in numeric order. Without an address (or with
    /// <c>::</c>) the page starts below every address.
    /// </summary>
    public ValueTask<IReadOnlyList<Lease6>> GetPageAsync(Ipv6Address? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var statements = _statements;
        var lowerBound = after is { } start && start != Ipv6Address.Any ? Lease6Row.AddressText(start) : statements.PageStart;
        return QueryAsync(statements, s => s.SelectPage, p =>
        {
            p.Add(Lease6Row.Text(lowerBound));
            p.Add(Lease6Row.BigInt(limit));
        }, cancellationToken);
    }

    public ValueTask<IReadOnlyList<Lease6>> GetExpiredAsync(long now, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return QueryAsync(
            s => s.SelectExpired,
            p =>
            {
                p.Add(Lease6Row.BigInt((uint)LeaseState.ExpiredReclaimed));
                p.Add(Lease6Row.BigInt(Lease6.InfiniteLifetime));
                p.Add(Lease6Row.Expire(Math.Clamp(now, 0, KeaDatabaseTime.MaxDatabaseTime)));
                p.Add(max == 0 ? new NpgsqlParameter<long?> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint, TypedValue = null } : Lease6Row.BigInt(max));
            },
            cancellationToken);
    }

    public ValueTask<IReadOnlyList<Lease6>> GetAllAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(s => s.SelectAll, null, cancellationToken);

    public ValueTask<IReadOnlyList<LeaseCount>> CountAsync(uint? subnetId, CancellationToken cancellationToken = default) =>
        subnetId is { } id
            ? CountQueryAsync(_statements.CountBySubnet, p => p.Add(Lease6Row.BigInt(id)), cancellationToken)
            : CountQueryAsync(_statements.CountAll, null, cancellationToken);

    public ValueTask<IReadOnlyList<LeaseCount>> GetLeaseStatisticsAsync(uint firstSubnetId, uint lastSubnetId, CancellationToken cancellationToken = default) =>
        CountQueryAsync(_statements.SelectStatistics, p =>
        {
            p.Add(Lease6Row.BigInt(firstSubnetId));
            p.Add(Lease6Row.BigInt(lastSubnetId));
        }, cancellationToken);

    /// <summary>Counts of a pool: addresses are compared as <c>inet</c>, which orders IPv6 numerically.</summary>
    public ValueTask<IReadOnlyList<LeaseCount>> CountRangeAsync(Ipv6Address first, Ipv6Address last, CancellationToken cancellationToken = default) =>
        CountQueryAsync(_statements.CountRange, p =>
        {
            p.Add(Lease6Row.Text(Lease6Row.AddressText(first)));
            p.Add(Lease6Row.Text(Lease6Row.AddressText(last)));
        }, cancellationToken);

    /// <summary>Kea 3.x's <c>lease_state</c> table has "released" (3); Kea 2.2's has states 0 to 2 only.</summary>
    public bool KeepsReleasedLeases => _statements.KeepsReleasedLeases;

    public bool ReadsCostRoundTrips => true;

    /// <summary>Each write commits by itself, as Kea's (see <see cref="PgSqlUnitOfWork"/> for why).</summary>
    public ILeaseUnitOfWork BeginWork() => new PgSqlUnitOfWork(_pools, _health, _statements, inOneTransaction: false, MaintainsExtendedInfo, SharedFreeLeaseQueueSubnets);

    public ILeaseUnitOfWork BeginTransaction() => new PgSqlUnitOfWork(_pools, _health, _statements, inOneTransaction: true, MaintainsExtendedInfo, SharedFreeLeaseQueueSubnets);

    public bool HasSharedFreeLeaseQueue => _statements.HasFreeLeaseQueue;

    /// <inheritdoc/>
    public IReadOnlySet<(uint SubnetId, LeaseType Type)> SharedFreeLeaseQueueSubnets
    {
        get => Volatile.Read(ref _sharedFreeLeaseQueueSubnets);
        set => Volatile.Write(ref _sharedFreeLeaseQueueSubnets, value ?? throw new ArgumentNullException(nameof(value)));
    }

    public bool HasExtendedInfoTables => _statements.HasExtendedInfoTables;

    public bool ExtendedInfoTablesEnabled
    {
        get => _extendedInfoTablesEnabled;
        set => _extendedInfoTablesEnabled = value;
    }

    private bool MaintainsExtendedInfo => _extendedInfoTablesEnabled && _statements.HasExtendedInfoTables;

    public async ValueTask WipeExtendedInfoAsync(CancellationToken cancellationToken = default)
    {
        if (!_statements.HasExtendedInfoTables)
        {
            return;
        }

        try
        {
            await using var command = _pools.Asynchronous.CreateCommand(Lease6Statements.WipeExtendedInfo);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }

    public async ValueTask<bool> AddExtendedInfoAsync(Lease6 lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!_statements.HasExtendedInfoTables)
        {
            return false;
        }

        try
        {
            await using var connection = await _pools.Asynchronous.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await PgSqlUnitOfWork.WriteExtendedInfoAsync(connection, null, lease, deleteFirst: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }

    public void ThrowIfNotStorable(Lease6 lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _statements.ThrowIfNotStorable(lease);
    }

    public async ValueTask<IReadOnlyList<Ipv6Address>> FindExistingAsync(IReadOnlyList<Ipv6Address> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return await ReadAllAsync(_statements.SelectExisting, p => p.Add(AddressArray(addresses)), r => Ipv6Address.Parse(r.GetString(0)), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// One transaction and one insert statement for the whole batch (<see cref="Lease6Statements.InsertMany"/>), after
    /// one delete of its addresses when replacing (<see cref="Lease6Statements.DeleteAddresses"/> says why).
    /// Kea's triggers add a row version of a <c>lease6_stat</c> row per lease, which no one can reclaim before the
    /// transaction ends and which every later lease of the transaction steps over: the cost of a transaction grows
    /// with the square of its leases, so an import commits batch by batch.
    /// </summary>
    public async ValueTask WriteBatchAsync(IReadOnlyList<Lease6> leases, bool replaceExisting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var statements = _statements;
        foreach (var lease in leases)
        {
            statements.ThrowIfNotStorable(lease);
        }

        _health.ThrowIfLost();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await WriteBatchOnceAsync(statements, leases, replaceExisting, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (PostgresException e) when (PgSqlUnitOfWork.IsStatisticsRace(e) && attempt < PgSqlUnitOfWork.StatisticsRaceAttempts)
                {
                    // Another writer added a statistics row first: the batch was rolled back and is run again.
                }
            }
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }

    private async Task WriteBatchOnceAsync(Lease6Statements statements, IReadOnlyList<Lease6> leases, bool replaceExisting, CancellationToken cancellationToken)
    {
        await using var connection = await _pools.OpenAsync(blocking: false, cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (replaceExisting)
        {
            await using var delete = new NpgsqlCommand(statements.DeleteAddresses, connection, transaction);
            delete.Parameters.Add(AddressArray(leases.Select(l => l.Address)));
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = new NpgsqlCommand(statements.InsertMany, connection, transaction);
        statements.AddColumnArrays(insert.Parameters, leases);
        var written = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (written != leases.Count)
        {
            // Disposing the transaction rolls the batch back.
            throw new InvalidOperationException(
                $"{leases.Count - written} of the leases from {leases[0].Address} to {leases[^1].Address} were added to the database during the copy; is a server still using it?");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter<string[]> AddressArray(IEnumerable<Ipv6Address> addresses) => new()
    {
        NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        TypedValue = [.. addresses.Select(Lease6Row.AddressText)],
    };

    public void Dispose()
    {
        _pools.Dispose();
    }

    internal static async Task<(int Major, int Minor)> ReadSchemaVersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT version, minor FROM schema_version");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new LeaseDatabaseSchemaException(
                    "the PostgreSQL lease database's schema_version table is empty: create the schema with 'kea-admin db-init pgsql'");
            }

            return (reader.GetInt32(0), reader.IsDBNull(1) ? 0 : reader.GetInt32(1));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new LeaseDatabaseSchemaException(
                "the PostgreSQL lease database has no Kea schema (no schema_version table): create it with 'kea-admin db-init pgsql'", e);
        }
    }

    /// <summary>The statements for the database's <c>schema_version</c>; <see cref="LeaseDatabaseSchemaException"/> for a version Pukeko does not speak.</summary>
    private static async Task<Lease6Statements> ReadStatementsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var version = await ReadSchemaVersionAsync(dataSource, cancellationToken).ConfigureAwait(false);
        return Lease6Statements.For(version) ?? throw new LeaseDatabaseSchemaException(
            Lease6Statements.MismatchMessage(version) + " (Pukeko speaks the lease schemas of "
            + string.Join(" and ", Lease6Statements.All.Select(s => $"{s.Release} ({s.Version.Major}.{s.Version.Minor})"))
            + "; it never alters the database, so create or upgrade it with the matching kea-admin)");
    }

    private async ValueTask<Lease6?> QuerySingleAsync(Func<Lease6Statements, string> sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        var leases = await QueryAsync(sql, bind, cancellationToken).ConfigureAwait(false);
        return leases.Count == 0 ? null : leases[0];
    }

    private ValueTask<IReadOnlyList<Lease6>> QueryAsync(Func<Lease6Statements, string> sql, Action<NpgsqlParameterCollection>? bind, CancellationToken cancellationToken) =>
        QueryAsync(_statements, sql, bind, cancellationToken);

    /// <summary>Runs a query of <paramref name="statements"/> and reads its rows (the SQL and the reading from one set).</summary>
    private async ValueTask<IReadOnlyList<Lease6>> QueryAsync(
        Lease6Statements statements, Func<Lease6Statements, string> sql, Action<NpgsqlParameterCollection>? bind, CancellationToken cancellationToken) =>
        await ReadAllAsync(sql(statements), bind, statements.Read, cancellationToken).ConfigureAwait(false);

    private async ValueTask<IReadOnlyList<LeaseCount>> CountQueryAsync(string sql, Action<NpgsqlParameterCollection>? bind, CancellationToken cancellationToken) =>
        await ReadAllAsync(sql, bind, ReadCount, cancellationToken).ConfigureAwait(false);

    private static LeaseCount ReadCount(NpgsqlDataReader reader) => new(
        checked((uint)reader.GetInt64(0)),
        (LeaseType)checked((byte)reader.GetInt16(1)),
        (LeaseState)checked((uint)reader.GetInt64(2)),
        reader.GetInt64(3));

    /// <summary>
    /// Runs a query on a pooled connection of its own and reads every row. On a packet worker's thread
    /// (<see cref="BlockingIo"/>) it blocks from the connection's open to its return to the pool, so the packet never
    /// leaves the thread; elsewhere it is asynchronous throughout.
    /// </summary>
    private async ValueTask<List<T>> ReadAllAsync<T>(string sql, Action<NpgsqlParameterCollection>? bind, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        _health.ThrowIfLost();
        var blocking = BlockingIo.IsAllowed;
        try
        {
            var connection = await _pools.OpenAsync(blocking, cancellationToken).ConfigureAwait(false);
            try
            {
                using var command = new NpgsqlCommand(sql, connection);
                bind?.Invoke(command.Parameters);
                var reader = blocking ? command.ExecuteReader() : await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var result = new List<T>();
                    while (blocking ? reader.Read() : await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        result.Add(read(reader));
                    }

                    return result;
                }
                finally
                {
                    await PgSqlConnections.DisposeAsync(reader, blocking).ConfigureAwait(false);
                }
            }
            finally
            {
                await PgSqlConnections.DisposeAsync(connection, blocking).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }
}
