using Microsoft.Extensions.Logging;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Configuration;
using Pukeko.Server.Reservations;
using Column = Pukeko.Server.PostgreSql.Host6Statements.Column;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Host reservations read from Kea's tables (<c>hosts</c>, <c>ipv6_reservations</c>, <c>dhcp6_options</c>) as Kea
/// 2.2's or Kea 3.x's <c>kea-admin db-init pgsql</c> creates them (schema 13.0, 29.0 or 34.0: see
/// <see cref="Host6Statements"/>), so Kea and Pukeko servers read the same rows.
/// Every lookup is one parameterized query, prepared on its pooled connection, answered by the database (no cache),
/// so a host written by the host commands, by Kea or by SQL applies to the next packet. The host commands write
/// hosts as Kea's host data source does: one transaction per host, the same columns and values.
/// </summary>
internal sealed class PgSqlHostDataSource : IHostDataSource, Databases.IRecoverableConnection
{
    /// <summary>Kea's <c>host_identifier_type</c> rows for the identifiers a DHCPv6 server uses.</summary>
    private const short HwAddressType = 0, DuidType = 1, FlexIdType = 4;

    /// <summary>Kea's <c>ipv6_reservations.type</c>: 0 an address (IA_NA), 2 a delegated prefix (IA_PD).</summary>
    private const short AddressReservation = 0, PrefixReservation = 2;

    private const string Dhcp6Space = "dhcp6";

    /// <summary>Kea's error for a write to a <c>readonly</c> host database.</summary>
    internal const string ReadOnlyMessage = "PostgreSQL host database backend is configured to operate in read only mode";

    /// <summary>Kea's error when a host, or a reserved address, is in the database already.</summary>
    internal const string DuplicateMessage = "Database duplicate entry error";

    private readonly PgSqlConnectionPools _pools;
    private readonly PgSqlConnectionHealth _health = new("hosts database");
    private volatile Host6Statements _statements;
    private readonly bool _readOnly;

    private PgSqlHostDataSource(PgSqlConnectionPools pools, Host6Statements statements, bool readOnly)
    {
        _pools = pools;
        _statements = statements;
        _readOnly = readOnly;
    }

    /// <summary>
    /// Connects and checks <c>schema_version</c>; <see cref="LeaseDatabaseSchemaException"/> when the schema is
    /// missing or of a version Pukeko does not speak. <c>readonly</c> makes the session's transactions read-only.
    /// </summary>
    public static async Task<PgSqlHostDataSource> OpenAsync(HostsDatabaseConfig database, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = PgSqlLeaseDatabaseSettings.From(database.Access);
        logger.LogInformation(new EventId(0, "DHCPSRV_PGSQL_HOST_DB"), "opening PostgreSQL hosts database: {Settings}{ReadOnly}", settings, database.ReadOnly ? " readonly" : string.Empty);
        var builder = new NpgsqlConnectionStringBuilder(settings.ToConnectionString());
        if (database.ReadOnly)
        {
            builder.Options = "-c default_transaction_read_only=on";
        }

        var pools = new PgSqlConnectionPools(builder.ConnectionString, settings.TcpUserTimeout);
        try
        {
            if (settings.RetryOnStartup)
            {
                // As for the lease database (Kea 2.6+): a database that cannot be reached starts the server with the
                // connection lost, and the recovery retries it; a wrong schema still fails the start.
                try
                {
                    await using var first = await pools.Asynchronous.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (NpgsqlException e)
                {
                    logger.LogInformation(new EventId(0, "DHCPSRV_HOST_MGR_DB_OPEN_CONNECTION_WITH_RETRY_FAILED"),
                        "Failed to connect to database: {Settings} with error: {Reason}", settings, e.Message);
                    var lost = new PgSqlHostDataSource(pools, Host6Statements.Kea22, database.ReadOnly) { OpenFailure = e };
                    lost._health.StartLost();
                    return lost;
                }
            }

            return await OpenAsync(pools, database.ReadOnly, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await pools.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens the database a parsed <c>hosts-database</c> names (what the server calls).</summary>
    public static async Task<IHostDataSource> OpenAsync(HostsDatabaseConfig database, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return await OpenAsync(database, loggers.CreateLogger("kea-dhcp6.hosts"), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PgSqlHostDataSource> OpenAsync(PgSqlConnectionPools pools, bool readOnly, CancellationToken cancellationToken)
    {
        var version = await PgSqlLeaseStore.ReadSchemaVersionAsync(pools.Asynchronous, cancellationToken).ConfigureAwait(false);
        var statements = Host6Statements.For(version)
            ?? throw new LeaseDatabaseSchemaException(
                $"hosts database: {Lease6Statements.MismatchMessage(version)} "
                + "(Pukeko never alters the database, so create or upgrade it with the matching kea-admin)");
        return new PgSqlHostDataSource(pools, statements, readOnly);
    }

    /// <summary>The pool of asynchronous use (what commands and tests use).</summary>
    internal NpgsqlDataSource DataSource => _pools.Asynchronous;

    /// <summary>The SQL for the schema version the database had when opened (or when it was last reconnected).</summary>
    internal Host6Statements Statements => _statements;

    /// <summary>Why the first connect failed with <c>retry-on-startup</c> (the source starts out lost); null when it opened connected.</summary>
    public Exception? OpenFailure { get; private set; }

    public event Action<Exception>? ConnectionLost
    {
        add => _health.Lost += value;
        remove => _health.Lost -= value;
    }

    /// <summary>Drops the pooled connections (after a database restart they are all broken) and checks the schema again.</summary>
    public async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        _pools.Clear();
        var version = await PgSqlLeaseStore.ReadSchemaVersionAsync(_pools.Asynchronous, cancellationToken).ConfigureAwait(false);
        _statements = Host6Statements.For(version) ?? throw new LeaseDatabaseSchemaException($"hosts database: {Lease6Statements.MismatchMessage(version)}");
        OpenFailure = null;
        _health.Restore();
    }

    public void TryAgainOnDemand()
    {
        _pools.Clear();
        _health.Restore();
    }

    public ValueTask<HostReservation?> FindAsync(uint subnetId, HostIdentifierType type, ReadOnlyMemory<byte> identifier, OptionDefinitionSet definitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        return QueryAsync(Statements.SelectByIdentifier, p =>
        {
            p.Add(Lease6Row.BigInt(subnetId));
            p.Add(Lease6Row.SmallInt(TypeCode(type)));
            p.Add(Lease6Row.Bytes(identifier.ToArray()));
        }, definitions, cancellationToken);
    }

    public ValueTask<IReadOnlyList<HostReservation>> FindByAddressAsync(uint subnetId, Ipv6Address address, CancellationToken cancellationToken = default) =>
        FindByReservationAsync(subnetId, new Ipv6Prefix(address, 128), AddressReservation, cancellationToken);

    public ValueTask<IReadOnlyList<HostReservation>> FindByPrefixAsync(uint subnetId, Ipv6Prefix prefix, CancellationToken cancellationToken = default) =>
        FindByReservationAsync(subnetId, prefix, PrefixReservation, cancellationToken);

    public async ValueTask<IReadOnlyList<StoredHost>> SelectAsync(HostSelection selection, OptionDefinitionSet definitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(definitions);
        await using var command = _pools.Asynchronous.CreateCommand();
        command.CommandText = Statements.Select(selection, command.Parameters);
        return await ReadHostsAsync(command, definitions, firstOnly: false, blocking: false, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask AddAsync(HostReservation host, bool uniqueReservations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        await WriteAsync(async (connection, transaction) =>
        {
            await InsertAsync(connection, transaction, host, uniqueReservations, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<bool> ReplaceAsync(HostReservation host, bool uniqueReservations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        // As Kea's update: delete (the schema cascades to options and reservations) and add, in one transaction.
        return WriteAsync(async (connection, transaction) =>
        {
            await using (var delete = new NpgsqlCommand(Statements.DeleteByIdentifier, connection, transaction))
            {
                BindIdentifier(delete.Parameters, host.SubnetId ?? 0, host.IdentifierType, host.Identifier);
                if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }

            await InsertAsync(connection, transaction, host, uniqueReservations, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public ValueTask<bool> DeleteAsync(uint subnetId, HostIdentifierType type, ReadOnlyMemory<byte> identifier, CancellationToken cancellationToken = default) =>
        DeleteWithAsync(Statements.DeleteByIdentifier, p => BindIdentifier(p, subnetId, type, identifier.ToArray()), cancellationToken);

    public ValueTask<bool> DeleteByAddressAsync(uint subnetId, Ipv6Address address, CancellationToken cancellationToken = default) =>
        DeleteWithAsync(Statements.DeleteByAddress, p =>
        {
            p.Add(Lease6Row.BigInt(subnetId));
            p.Add(Lease6Row.Text(Lease6Row.AddressText(address)));
        }, cancellationToken);

    public ValueTask DisposeAsync() => _pools.DisposeAsync();

    private static void BindIdentifier(NpgsqlParameterCollection parameters, uint subnetId, HostIdentifierType type, byte[] identifier)
    {
        parameters.Add(Lease6Row.BigInt(subnetId));
        parameters.Add(Lease6Row.SmallInt(TypeCode(type)));
        parameters.Add(Lease6Row.Bytes(identifier));
    }

    private ValueTask<bool> DeleteWithAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            bind(command.Parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction and commits it; any failure rolls everything back. A unique key
    /// violation is Kea's duplicate error; a read-only database refuses before it is asked, as Kea does.
    /// </summary>
    private async ValueTask<bool> WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> write, CancellationToken cancellationToken)
    {
        if (_readOnly)
        {
            throw new HostDatabaseWriteException(ReadOnlyMessage);
        }

        _health.ThrowIfLost();
        try
        {
            return await WriteInTransactionAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }

    private async ValueTask<bool> WriteInTransactionAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> write, CancellationToken cancellationToken)
    {
        await using var connection = await _pools.Asynchronous.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await write(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new HostDatabaseWriteException(DuplicateMessage, e);
        }
    }

    /// <summary>The host's rows: <c>hosts</c>, then its options, then its addresses and prefixes (Kea's order).</summary>
    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, HostReservation host, bool uniqueReservations, CancellationToken cancellationToken)
    {
        CheckSchemaHolds(host);
        long hostId;
        await using (var insert = new NpgsqlCommand(Statements.InsertHost, connection, transaction))
        {
            insert.Parameters.Add(Lease6Row.Bytes(host.Identifier));
            insert.Parameters.Add(Lease6Row.SmallInt(TypeCode(host.IdentifierType)));
            insert.Parameters.Add(Lease6Row.BigInt(host.SubnetId ?? 0));
            // Kea binds the hostname and the class list as strings, empty when there are none.
            insert.Parameters.Add(Lease6Row.Text(host.Hostname ?? string.Empty));
            insert.Parameters.Add(Lease6Row.Text(string.Join(',', host.ClientClasses)));
            insert.Parameters.Add(UserContextParameter(host.UserContext));
            hostId = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var option in host.Options)
        {
            await using var insert = new NpgsqlCommand(Statements.InsertOption, connection, transaction);
            // Kea keeps either the text (formatted_value) or, for data given as hex, the payload (value).
            insert.Parameters.Add(Lease6Row.Integer(option.Code));
            insert.Parameters.Add(option.FormattedValue is null && option.Data.Length > 0 ? Lease6Row.Bytes(option.Data) : Null(NpgsqlTypes.NpgsqlDbType.Bytea));
            insert.Parameters.Add(option.FormattedValue is { } text ? Lease6Row.Text(text) : Null(NpgsqlTypes.NpgsqlDbType.Text));
            insert.Parameters.Add(Lease6Row.Text(option.Space));
            insert.Parameters.Add(Lease6Row.Bool(option.AlwaysSend));
            insert.Parameters.Add(UserContextParameter(option.UserContext));
            insert.Parameters.Add(Lease6Row.BigInt(hostId));
            if (Statements.HoldsKea3Extras)
            {
                insert.Parameters.Add(Lease6Row.Bool(option.NeverSend));
                insert.Parameters.Add(Lease6Row.Text(ClassListText(option.ClientClasses ?? [])));
            }

            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (block, type) in host.IpAddresses.Select(a => (new Ipv6Prefix(a, 128), AddressReservation))
            .Concat(host.Prefixes.Select(p => (p, PrefixReservation))))
        {
            await using var insert = new NpgsqlCommand(uniqueReservations ? Statements.InsertUniqueReservation : Statements.InsertReservation, connection, transaction);
            insert.Parameters.Add(Lease6Row.Text(Lease6Row.AddressText(block.First)));
            insert.Parameters.Add(Lease6Row.SmallInt(block.Length));
            insert.Parameters.Add(Lease6Row.SmallInt(type));
            insert.Parameters.Add(Lease6Row.BigInt(hostId));
            if (Statements.HoldsKea3Extras)
            {
                var excluded = type == PrefixReservation && host.ExcludedPrefixes.TryGetValue(block, out var e) ? e : (Ipv6Prefix?)null;
                insert.Parameters.Add(excluded is { } x ? Lease6Row.Text(Lease6Row.AddressText(x.First)) : Null(NpgsqlTypes.NpgsqlDbType.Text));
                insert.Parameters.Add(Lease6Row.SmallInt((short)(excluded?.Length ?? 0)));
            }

            // No row: the unique insert found the address or prefix reserved already (Kea's duplicate error).
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new HostDatabaseWriteException(DuplicateMessage);
            }
        }
    }

    /// <summary>Kea 2.2's schema has no column for never-send, an option's classes or an excluded prefix: refused, not dropped.</summary>
    private void CheckSchemaHolds(HostReservation host)
    {
        if (Statements.HoldsKea3Extras)
        {
            return;
        }

        var what = host.ExcludedPrefixes.Count > 0 ? "excluded-prefixes"
            : host.Options.Any(o => o.NeverSend) ? "an option with never-send"
            : host.Options.Any(o => o.ClientClasses is { Count: > 0 }) ? "an option with client-classes"
            : null;
        if (what is not null)
        {
            throw new HostDatabaseWriteException(
                $"the hosts database has schema {Statements.Version.Major}.{Statements.Version.Minor} ({Statements.Release}), which cannot store {what}; upgrade it with kea-admin db-upgrade pgsql");
        }
    }

    private static NpgsqlParameter Null(NpgsqlTypes.NpgsqlDbType type) => new() { NpgsqlDbType = type, Value = DBNull.Value };

    /// <summary>A user context as Kea writes <c>user_context</c>: its map's text as Kea prints JSON, or NULL when there is none.</summary>
    private static NpgsqlParameter UserContextParameter(string? json) =>
        json is null ? Null(NpgsqlTypes.NpgsqlDbType.Text) : Lease6Row.Text(Control.CommandJson.SerializeSorted(System.Text.Json.Nodes.JsonNode.Parse(json)!));

    /// <summary>An option's classes as Kea 3.x writes <c>client_classes</c>: its JSON list text (<c>[  ]</c> when none).</summary>
    private static string ClassListText(IReadOnlyList<string> classes) =>
        "[ " + string.Join(", ", classes.Select(c => System.Text.Json.JsonSerializer.Serialize(c))) + " ]";

    private ValueTask<IReadOnlyList<HostReservation>> FindByReservationAsync(uint subnetId, Ipv6Prefix block, short reservationType, CancellationToken cancellationToken) =>
        QueryAllAsync(Statements.SelectByReservation, p =>
        {
            p.Add(Lease6Row.BigInt(subnetId));
            // Kea 2.2 keeps addresses as text in their canonical (RFC 5952) form, which is how it writes them;
            // Kea 3.x's statement casts the same text to inet.
            p.Add(Lease6Row.Text(Lease6Row.AddressText(block.First)));
            p.Add(Lease6Row.SmallInt(block.Length));
            p.Add(Lease6Row.SmallInt(reservationType));
        }, OptionDefinitionSet.StandardOnly, cancellationToken);

    internal static short TypeCode(HostIdentifierType type) => type switch
    {
        HostIdentifierType.HwAddress => HwAddressType,
        HostIdentifierType.Duid => DuidType,
        HostIdentifierType.FlexId => FlexIdType,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no host identifier type in Kea's schema"),
    };

    private static HostIdentifierType? IdentifierType(short code) => code switch
    {
        HwAddressType => HostIdentifierType.HwAddress,
        DuidType => HostIdentifierType.Duid,
        FlexIdType => HostIdentifierType.FlexId,
        _ => null,
    };

    /// <summary>Runs a host query and builds the first host it returns (the lowest host_id) from its rows.</summary>
    private async ValueTask<HostReservation?> QueryAsync(string sql, Action<NpgsqlParameterCollection> bind, OptionDefinitionSet definitions, CancellationToken cancellationToken)
    {
        var blocking = BlockingIo.IsAllowed;
        await using var command = _pools.For(blocking).CreateCommand(sql);
        bind(command.Parameters);
        var hosts = await ReadHostsAsync(command, definitions, firstOnly: true, blocking, cancellationToken).ConfigureAwait(false);
        return hosts.Count > 0 ? hosts[0].Host : null;
    }

    /// <summary>Runs a host query and builds every host it returns, in host_id order.</summary>
    private async ValueTask<IReadOnlyList<HostReservation>> QueryAllAsync(string sql, Action<NpgsqlParameterCollection> bind, OptionDefinitionSet definitions, CancellationToken cancellationToken)
    {
        var blocking = BlockingIo.IsAllowed;
        await using var command = _pools.For(blocking).CreateCommand(sql);
        bind(command.Parameters);
        var hosts = await ReadHostsAsync(command, definitions, firstOnly: false, blocking, cancellationToken).ConfigureAwait(false);
        return [.. hosts.Select(h => h.Host)];
    }

    /// <summary>
    /// Runs a host query; while the connection is lost it fails at once, and an error that means a lost connection
    /// starts the recovery (as for the lease database).
    /// </summary>
    private async ValueTask<List<StoredHost>> ReadHostsAsync(NpgsqlCommand command, OptionDefinitionSet definitions, bool firstOnly, bool blocking, CancellationToken cancellationToken)
    {
        _health.ThrowIfLost();
        try
        {
            return await ReadHostRowsAsync(command, definitions, firstOnly, blocking, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (_health.Observe(e))
        {
            throw;
        }
    }

    /// <summary>
    /// With <paramref name="blocking"/> (on a packet worker's thread, <see cref="BlockingIo"/>) the query blocks, as a Kea
    /// worker's does, reader and connection included; otherwise it is asynchronous.
    /// </summary>
    private static async ValueTask<List<StoredHost>> ReadHostRowsAsync(
        NpgsqlCommand command, OptionDefinitionSet definitions, bool firstOnly, bool blocking, CancellationToken cancellationToken)
    {
        var reader = blocking ? command.ExecuteReader() : await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadHostRowsAsync(reader, definitions, firstOnly, blocking, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await PgSqlConnections.DisposeAsync(reader, blocking).ConfigureAwait(false);
        }
    }

    private static async ValueTask<List<StoredHost>> ReadHostRowsAsync(
        NpgsqlDataReader reader, OptionDefinitionSet definitions, bool firstOnly, bool blocking, CancellationToken cancellationToken)
    {
        var hosts = new List<StoredHost>(1);
        HostRows? host = null;
        while (blocking ? reader.Read() : await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var hostId = reader.GetInt32((int)Column.HostId);
            if (host is null || host.HostId != hostId)
            {
                // Rows come ordered by host_id, so a new id means the previous host is complete.
                if (host is not null)
                {
                    hosts.Add(new StoredHost(host.HostId, host.Build()));
                    if (firstOnly)
                    {
                        return hosts;
                    }
                }

                host = HostRows.Read(reader, hostId);
            }

            host.AddOption(reader, definitions);
            host.AddReservation(reader);
        }

        if (host is not null)
        {
            hosts.Add(new StoredHost(host.HostId, host.Build()));
        }

        return hosts;
    }

    /// <summary>One host's rows as they arrive: each option and each reservation repeats across the join's rows.</summary>
    private sealed class HostRows
    {
        private readonly HashSet<int> _optionIds = [];
        private readonly HashSet<int> _reservationIds = [];
        private readonly List<Configuration.OptionDescriptor> _options = [];
        private readonly List<Ipv6Address> _addresses = [];
        private readonly List<Ipv6Prefix> _prefixes = [];
        private readonly Dictionary<Ipv6Prefix, Ipv6Prefix> _excludedPrefixes = [];

        private HostRows(int hostId, HostIdentifierType type, byte[] identifier, uint? subnetId, string? hostname, IReadOnlyList<string> classes)
        {
            HostId = hostId;
            Type = type;
            Identifier = identifier;
            SubnetId = subnetId;
            Hostname = hostname;
            Classes = classes;
        }

        public int HostId { get; }

        private HostIdentifierType Type { get; }

        private byte[] Identifier { get; }

        private uint? SubnetId { get; }

        private string? Hostname { get; }

        private IReadOnlyList<string> Classes { get; }

        private string? UserContext { get; init; }

        public static HostRows Read(NpgsqlDataReader reader, int hostId)
        {
            var typeCode = reader.GetInt16(At(Column.IdentifierType));
            var type = IdentifierType(typeCode)
                ?? throw new InvalidDataException($"host {hostId}: identifier type {typeCode} is not a DHCPv6 host identifier (hw-address 0, duid 1, flex-id 4)");
            // dhcp6_subnet_id 0 is Kea's global reservation; the engine spells that as no subnet.
            var subnet = reader.IsDBNull(At(Column.SubnetId)) ? 0 : reader.GetInt64(At(Column.SubnetId));
            var hostname = reader.IsDBNull(At(Column.Hostname)) ? null : reader.GetString(At(Column.Hostname));
            // Kea stores a host's classes comma-separated (ClientClasses::toText(",")) and trims each name on read.
            var classes = reader.IsDBNull(At(Column.HostClasses))
                ? []
                : reader.GetString(At(Column.HostClasses)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new HostRows(hostId, type, (byte[])reader[At(Column.Identifier)], subnet == 0 ? null : checked((uint)subnet), hostname is { Length: > 0 } ? hostname : null, classes)
            {
                UserContext = ReadUserContext(reader, Column.HostUserContext, $"host {hostId}"),
            };
        }

        public void AddOption(NpgsqlDataReader reader, OptionDefinitionSet definitions)
        {
            if (reader.IsDBNull(At(Column.OptionId)) || !_optionIds.Add(reader.GetInt32(At(Column.OptionId))))
            {
                return;
            }

            var code = checked((ushort)reader.GetInt32(At(Column.OptionCode)));
            var value = reader.IsDBNull(At(Column.OptionValue)) ? [] : (byte[])reader[At(Column.OptionValue)];
            var formatted = reader.IsDBNull(At(Column.OptionFormattedValue)) ? string.Empty : reader.GetString(At(Column.OptionFormattedValue));
            var space = reader.IsDBNull(At(Column.OptionSpace)) || reader.GetString(At(Column.OptionSpace)).Length == 0 ? Dhcp6Space : reader.GetString(At(Column.OptionSpace));
            var persistent = reader.GetBoolean(At(Column.OptionPersistent));
            var cancelled = reader.GetBoolean(At(Column.OptionCancelled));
            var classes = reader.IsDBNull(At(Column.OptionClasses)) ? null : ClassList(reader.GetString(At(Column.OptionClasses)), space, code);
            definitions.TryGetByCode(space, code, out var definition);
            byte[] data;
            if (definition is null || formatted.Length == 0)
            {
                // As Kea: the binary value when no text is given, or when no definition can read the text.
                data = value;
            }
            else
            {
                try
                {
                    data = OptionDataEncoder.Encode(definition, formatted, csvFormat: true);
                }
                catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                {
                    throw new InvalidDataException($"host {HostId}: option {space}.{code} formatted_value '{formatted}' does not match the option's definition: {e.Message}", e);
                }
            }

            _options.Add(new Configuration.OptionDescriptor(code, space, definition?.Name, data, persistent, cancelled, classes,
                definition is not null && formatted.Length > 0 ? formatted : null,
                ReadUserContext(reader, Column.OptionUserContext, $"host {HostId}: option {space}.{code}")));
        }

        public void AddReservation(NpgsqlDataReader reader)
        {
            if (reader.IsDBNull(At(Column.ReservationId)) || !_reservationIds.Add(reader.GetInt32(At(Column.ReservationId))))
            {
                return;
            }

            var address = ReadAddress(reader, Column.ReservationAddress, "reserved address");
            var length = reader.GetInt16(At(Column.ReservationPrefixLength));
            if (reader.GetInt16(At(Column.ReservationType)) != PrefixReservation)
            {
                _addresses.Add(address);
                return;
            }

            var prefix = new Ipv6Prefix(address, length);
            _prefixes.Add(prefix);
            if (!reader.IsDBNull(At(Column.ExcludedPrefix)))
            {
                // Kea 3.x's pd-exclude for this prefix; kept only when RFC 6603 allows it, as the config's check.
                var excluded = new Ipv6Prefix(ReadAddress(reader, Column.ExcludedPrefix, "excluded prefix"), reader.GetInt16(At(Column.ExcludedPrefixLength)));
                if (excluded.Length <= prefix.Length || !prefix.Contains(excluded.Address))
                {
                    throw new InvalidDataException($"host {HostId}: excluded prefix {excluded} must be longer than, and inside, the reserved prefix {prefix}");
                }

                _excludedPrefixes[prefix] = excluded;
            }
        }

        public HostReservation Build() => new()
        {
            IdentifierType = Type,
            Identifier = Identifier,
            SubnetId = SubnetId,
            IpAddresses = _addresses,
            Prefixes = _prefixes,
            ExcludedPrefixes = _excludedPrefixes,
            Hostname = Hostname,
            Options = _options,
            ClientClasses = Classes,
            UserContext = UserContext,
        };

        /// <summary>A <c>user_context</c> column: null when NULL or empty (Kea reads both as none), else a JSON map, as Kea requires.</summary>
        private static string? ReadUserContext(NpgsqlDataReader reader, Column column, string owner)
        {
            var text = reader.IsDBNull(At(column)) ? null : reader.GetString(At(column));
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            try
            {
                if (System.Text.Json.Nodes.JsonNode.Parse(text) is System.Text.Json.Nodes.JsonObject)
                {
                    return text;
                }
            }
            catch (System.Text.Json.JsonException)
            {
            }

            throw new InvalidDataException($"{owner}: user_context '{text}' is not a JSON map");
        }

        private static int At(Column column) => (int)column;

        private Ipv6Address ReadAddress(NpgsqlDataReader reader, Column column, string what)
        {
            var text = reader.GetString(At(column));
            return Ipv6Address.TryParse(text, out var address)
                ? address
                : throw new InvalidDataException($"host {HostId}: {what} '{text}' is not an IPv6 address");
        }

        /// <summary>
        /// Kea 3.x's <c>dhcp6_options.client_classes</c>: a JSON list of class names (Kea writes <c>[  ]</c> for
        /// none). Null when empty: the option is then sent whatever the client's classes.
        /// </summary>
        private IReadOnlyList<string>? ClassList(string json, string space, ushort code)
        {
            try
            {
                var names = System.Text.Json.JsonSerializer.Deserialize<string[]>(json);
                return names is { Length: > 0 } ? names : null;
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"host {HostId}: option {space}.{code} client_classes '{json}' is not a list of class names: {e.Message}", e);
            }
        }
    }
}
