using Microsoft.Extensions.Logging;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// The lease database on PostgreSQL, in the <c>lease6</c> table exactly as Kea 2.2's <c>kea-admin db-init pgsql</c>
/// creates it (schema 13.0), so Pukeko and Kea servers can share one database. Every statement is parameterized
/// and prepared on its pooled connection; every query is answered by the database, not from a cache, so leases
/// written by another server are seen at once. The database's triggers keep Kea's <c>lease6_stat</c> table.
/// </summary>
internal sealed class PgSqlLeaseStore : IRecoverableLeaseStore
{
    /// <summary>The schema version this store speaks: Kea 2.2's (Debian 12).</summary>
    public static readonly (int Major, int Minor) SupportedSchema = (13, 0);

    private const string FromLease6 = "SELECT " + Lease6Row.SelectColumns + " FROM lease6 ";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PgSqlConnectionHealth _health = new();
    private readonly PgSqlTransactionSlots _transactions;

    private PgSqlLeaseStore(NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _transactions = new PgSqlTransactionSlots(dataSource.ConnectionString);
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
        var dataSource = NpgsqlDataSource.Create(settings.ToConnectionString());
        try
        {
            if (settings.RetryOnStartup)
            {
                // Kea 2.6: any failure to connect (refused, no such database, wrong password) starts the server
                // with the connection lost; the recovery then retries it. A connection to a wrong schema still
                // fails the start.
                try
                {
                    await using var first = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (NpgsqlException e)
                {
                    logger.LogInformation(new EventId(0, "DHCPSRV_LEASE_MGR_DB_OPEN_CONNECTION_WITH_RETRY_FAILED"),
                        "Failed to connect to database: {Settings} with error: {Reason}", settings, e.Message);
                    var store = new PgSqlLeaseStore(dataSource, ownsDataSource: true) { OpenFailure = e };
                    store._health.StartLost();
                    return store;
                }
            }

            return await OpenAsync(dataSource, ownsDataSource: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
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
    public static async Task<PgSqlLeaseStore> OpenAsync(NpgsqlDataSource dataSource, bool ownsDataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var (major, minor) = await ReadSchemaVersionAsync(dataSource, cancellationToken).ConfigureAwait(false);
        if ((major, minor) != SupportedSchema)
        {
            throw new LeaseDatabaseSchemaException(
                $"PostgreSQL schema version mismatch: need version: {SupportedSchema.Major}.{SupportedSchema.Minor} "
                + $"found version: {major}.{minor} (Pukeko speaks Kea 2.2's lease schema; it never alters the database, "
                + "so create or upgrade it with the matching kea-admin)");
        }

        return new PgSqlLeaseStore(dataSource, ownsDataSource);
    }

    internal NpgsqlDataSource DataSource => _dataSource;

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
        _dataSource.Clear();
        var version = await ReadSchemaVersionAsync(_dataSource, cancellationToken).ConfigureAwait(false);
        if (version != SupportedSchema)
        {
            throw new LeaseDatabaseSchemaException($"PostgreSQL schema version mismatch: need version: {SupportedSchema.Major}.{SupportedSchema.Minor} found version: {version.Major}.{version.Minor}");
        }

        OpenFailure = null;
        _health.Restore();
    }

    public void TryAgainOnDemand()
    {
        _dataSource.Clear();
        _health.Restore();
    }

    public ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default) =>
        QuerySingleAsync(FromLease6 + "WHERE address = $1", p => p.Add(Lease6Row.Text(Lease6Row.AddressText(address))), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, CancellationToken cancellationToken = default) =>
        QueryAsync(FromLease6 + "WHERE duid = $1 AND iaid = $2 AND lease_type = $3", p =>
        {
            p.Add(Lease6Row.Bytes(duid.ToArray()));
            p.Add(Lease6Row.Integer(unchecked((int)iaid)));
            p.Add(Lease6Row.SmallInt((short)type));
        }, cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByDuidAsync(ReadOnlyMemory<byte> duid, CancellationToken cancellationToken = default) =>
        QueryAsync(FromLease6 + "WHERE duid = $1", p => p.Add(Lease6Row.Bytes(duid.ToArray())), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByHardwareAddressAsync(ReadOnlyMemory<byte> hardwareAddress, CancellationToken cancellationToken = default) =>
        QueryAsync(FromLease6 + "WHERE hwaddr = $1 AND length(hwaddr) > 0", p => p.Add(Lease6Row.Bytes(hardwareAddress.ToArray())), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByHostnameAsync(string hostname, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hostname);
        // lower(hostname) is what Kea's lease6_by_hostname index covers.
        return QueryAsync(FromLease6 + "WHERE lower(hostname) = lower($1)", p => p.Add(Lease6Row.Text(hostname)), cancellationToken);
    }

    public ValueTask<IReadOnlyList<Lease6>> GetBySubnetAsync(uint subnetId, CancellationToken cancellationToken = default) =>
        QueryAsync(FromLease6 + "WHERE subnet_id = $1", p => p.Add(Lease6Row.BigInt(subnetId)), cancellationToken);

    public ValueTask<IReadOnlyList<Lease6>> GetByStateAsync(LeaseState state, CancellationToken cancellationToken = default) =>
        QueryAsync(FromLease6 + "WHERE state = $1", p => p.Add(Lease6Row.BigInt((uint)state)), cancellationToken);

    /// <summary>
    /// A page in Kea 2.2's order: the schema keeps addresses as text, so, as Kea's <c>get_lease6_page</c> does,
    /// pages follow the text order of <c>address</c> (the database's collation), and the start (no address, or
    /// <c>::</c>) is bound as "0", below every address text. Paging visits every lease once, but not in numeric order.
    /// </summary>
    public ValueTask<IReadOnlyList<Lease6>> GetPageAsync(Ipv6Address? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var lowerBound = after is { } start && start != Ipv6Address.Any ? Lease6Row.AddressText(start) : "0";
        return QueryAsync(FromLease6 + "WHERE address > $1 ORDER BY address LIMIT $2", p =>
        {
            p.Add(Lease6Row.Text(lowerBound));
            p.Add(Lease6Row.BigInt(limit));
        }, cancellationToken);
    }

    public ValueTask<IReadOnlyList<Lease6>> GetExpiredAsync(long now, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        // LIMIT NULL is no limit. Kea's statement has expire < now; the store contract (and memfile) include now.
        return QueryAsync(
            FromLease6 + "WHERE state != $1 AND valid_lifetime != $2 AND expire <= $3 ORDER BY expire LIMIT $4",
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
        QueryAsync(FromLease6, null, cancellationToken);

    public ValueTask<IReadOnlyList<LeaseCount>> CountAsync(uint? subnetId, CancellationToken cancellationToken = default) =>
        subnetId is { } id
            ? CountQueryAsync("WHERE subnet_id = $1", p => p.Add(Lease6Row.BigInt(id)), cancellationToken)
            : CountQueryAsync(string.Empty, null, cancellationToken);

    /// <summary>Counts of a pool: the text addresses are compared as <c>inet</c>, which orders IPv6 numerically.</summary>
    public ValueTask<IReadOnlyList<LeaseCount>> CountRangeAsync(Ipv6Address first, Ipv6Address last, CancellationToken cancellationToken = default) =>
        CountQueryAsync("WHERE address::inet BETWEEN $1::inet AND $2::inet", p =>
        {
            p.Add(Lease6Row.Text(Lease6Row.AddressText(first)));
            p.Add(Lease6Row.Text(Lease6Row.AddressText(last)));
        }, cancellationToken);

    /// <summary>Kea 2.2's <c>lease_state</c> table has states 0 to 2: no "released" (3).</summary>
    public bool KeepsReleasedLeases => false;

    public ILeaseUnitOfWork BeginWork() => new PgSqlUnitOfWork(_dataSource, _health, _transactions);

    /// <summary>How many lease transactions may be open at once (half of the connection pool).</summary>
    internal int TransactionSlots => _transactions.Count;

    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
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

    private async ValueTask<Lease6?> QuerySingleAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        var leases = await QueryAsync(sql, bind, cancellationToken).ConfigureAwait(false);
        return leases.Count == 0 ? null : leases[0];
    }

    private async ValueTask<IReadOnlyList<Lease6>> QueryAsync(string sql, Action<NpgsqlParameterCollection>? bind, CancellationToken cancellationToken)
    {
        _health.ThrowIfLost();
        try
        {
            await using var connection = await PgSqlConnections.OpenAsync(_dataSource, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            bind?.Invoke(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var result = new List<Lease6>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(Lease6Row.Read(reader));
            }

            return result;
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }

    private async ValueTask<IReadOnlyList<LeaseCount>> CountQueryAsync(string where, Action<NpgsqlParameterCollection>? bind, CancellationToken cancellationToken)
    {
        _health.ThrowIfLost();
        try
        {
            await using var connection = await PgSqlConnections.OpenAsync(_dataSource, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "SELECT subnet_id, lease_type, state, count(*) FROM lease6 " + where + " GROUP BY subnet_id, lease_type, state",
                connection);
            bind?.Invoke(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var result = new List<LeaseCount>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(new LeaseCount(
                    checked((uint)reader.GetInt64(0)),
                    (LeaseType)checked((byte)reader.GetInt16(1)),
                    (LeaseState)checked((uint)reader.GetInt64(2)),
                    reader.GetInt64(3)));
            }

            return result;
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }
}
