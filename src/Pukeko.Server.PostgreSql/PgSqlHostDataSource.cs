using Microsoft.Extensions.Logging;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Server.Configuration;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Host reservations read from Kea's tables (<c>hosts</c>, <c>ipv6_reservations</c>, <c>dhcp6_options</c>) as Kea
/// 2.2's <c>kea-admin db-init pgsql</c> creates them (schema 13.0), so Kea and Pukeko servers read the same rows.
/// Only reads: reservations are written by the operator (SQL, or Kea's host commands). Every lookup is one
/// parameterized query, prepared on its pooled connection, answered by the database (no cache).
/// </summary>
internal sealed class PgSqlHostDataSource : IHostDataSource
{
    // The DHCPv6 part of Kea's host query: the host's row joined with its options and its reservations, so a host
    // comes back as (options × reservations) rows, in Kea's order.
    private const string SelectHost =
        "SELECT h.host_id, h.dhcp_identifier, h.dhcp_identifier_type, h.dhcp6_subnet_id, h.hostname, h.dhcp6_client_classes, "
        + "o.option_id, o.code, o.value, o.formatted_value, o.space, o.persistent, "
        + "r.reservation_id, r.address, r.prefix_len, r.type "
        + "FROM hosts AS h "
        + "LEFT JOIN dhcp6_options AS o ON h.host_id = o.host_id "
        + "LEFT JOIN ipv6_reservations AS r ON h.host_id = r.host_id ";

    private const string OrderRows = " ORDER BY h.host_id, o.option_id, r.reservation_id";

    private const string ByIdentifier = SelectHost
        + "WHERE h.dhcp6_subnet_id = $1 AND h.dhcp_identifier_type = $2 AND h.dhcp_identifier = $3" + OrderRows;

    // By reservation, as Kea's getAll6(subnet, address): every host whose reservations include the block (several
    // when ip-reservations-unique is false), each with all of its reservations (not only the matching one). (address, prefix_len) is the schema's index.
    private const string ByReservation = SelectHost
        + "WHERE h.dhcp6_subnet_id = $1 AND h.host_id IN "
        + "(SELECT host_id FROM ipv6_reservations WHERE address = $2 AND prefix_len = $3 AND type = $4)" + OrderRows;

    /// <summary>Kea's <c>host_identifier_type</c> rows for the identifiers a DHCPv6 server uses.</summary>
    private const short HwAddressType = 0, DuidType = 1, FlexIdType = 4;

    /// <summary>Kea's <c>ipv6_reservations.type</c>: 0 an address (IA_NA), 2 a delegated prefix (IA_PD).</summary>
    private const short AddressReservation = 0, PrefixReservation = 2;

    private const string Dhcp6Space = "dhcp6";

    private readonly NpgsqlDataSource _dataSource;

    private PgSqlHostDataSource(NpgsqlDataSource dataSource) => _dataSource = dataSource;

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

        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            return await OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens the database a parsed <c>hosts-database</c> names (what the server calls).</summary>
    public static async Task<IHostDataSource> OpenAsync(HostsDatabaseConfig database, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return await OpenAsync(database, loggers.CreateLogger("kea-dhcp6.hosts"), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PgSqlHostDataSource> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var (major, minor) = await PgSqlLeaseStore.ReadSchemaVersionAsync(dataSource, cancellationToken).ConfigureAwait(false);
        if ((major, minor) != Lease6Statements.Kea22.Version)
        {
            // Hosts are read from Kea 2.2's schema only, even where leases are kept in Kea 3.x's.
            var (needMajor, needMinor) = Lease6Statements.Kea22.Version;
            throw new LeaseDatabaseSchemaException(
                $"PostgreSQL hosts database schema version mismatch: need version: {needMajor}.{needMinor} found version: {major}.{minor} "
                + "(Pukeko speaks Kea 2.2's schema; it never alters the database, so create or upgrade it with the matching kea-admin)");
        }

        return new PgSqlHostDataSource(dataSource);
    }

    internal NpgsqlDataSource DataSource => _dataSource;

    public ValueTask<HostReservation?> FindAsync(uint subnetId, HostIdentifierType type, ReadOnlyMemory<byte> identifier, OptionDefinitionSet definitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        return QueryAsync(ByIdentifier, p =>
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

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private ValueTask<IReadOnlyList<HostReservation>> FindByReservationAsync(uint subnetId, Ipv6Prefix block, short reservationType, CancellationToken cancellationToken) =>
        QueryAllAsync(ByReservation, p =>
        {
            p.Add(Lease6Row.BigInt(subnetId));
            // Kea 2.2 keeps addresses as text in their canonical (RFC 5952) form, which is how it writes them.
            p.Add(Lease6Row.Text(Lease6Row.AddressText(block.First)));
            p.Add(Lease6Row.SmallInt(block.Length));
            p.Add(Lease6Row.SmallInt(reservationType));
        }, OptionDefinitionSet.StandardOnly, cancellationToken);

    private static short TypeCode(HostIdentifierType type) => type switch
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
        var hosts = await ReadHostsAsync(sql, bind, definitions, firstOnly: true, cancellationToken).ConfigureAwait(false);
        return hosts.Count > 0 ? hosts[0] : null;
    }

    /// <summary>Runs a host query and builds every host it returns, in host_id order.</summary>
    private async ValueTask<IReadOnlyList<HostReservation>> QueryAllAsync(string sql, Action<NpgsqlParameterCollection> bind, OptionDefinitionSet definitions, CancellationToken cancellationToken) =>
        await ReadHostsAsync(sql, bind, definitions, firstOnly: false, cancellationToken).ConfigureAwait(false);

    private async ValueTask<List<HostReservation>> ReadHostsAsync(string sql, Action<NpgsqlParameterCollection> bind, OptionDefinitionSet definitions, bool firstOnly, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var hosts = new List<HostReservation>(1);
        HostRows? host = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var hostId = reader.GetInt32(0);
            if (host is null || host.HostId != hostId)
            {
                // Rows come ordered by host_id, so a new id means the previous host is complete.
                if (host is not null)
                {
                    hosts.Add(host.Build());
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
            hosts.Add(host.Build());
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

        public static HostRows Read(NpgsqlDataReader reader, int hostId)
        {
            var typeCode = reader.GetInt16(2);
            var type = IdentifierType(typeCode)
                ?? throw new InvalidDataException($"host {hostId}: identifier type {typeCode} is not a DHCPv6 host identifier (hw-address 0, duid 1, flex-id 4)");
            // dhcp6_subnet_id 0 is Kea's global reservation; the engine spells that as no subnet.
            var subnet = reader.IsDBNull(3) ? 0 : reader.GetInt64(3);
            var hostname = reader.IsDBNull(4) ? null : reader.GetString(4);
            // Kea stores a host's classes comma-separated (ClientClasses::toText(",")) and trims each name on read.
            var classes = reader.IsDBNull(5)
                ? []
                : reader.GetString(5).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new HostRows(hostId, type, (byte[])reader[1], subnet == 0 ? null : checked((uint)subnet), hostname is { Length: > 0 } ? hostname : null, classes);
        }

        public void AddOption(NpgsqlDataReader reader, OptionDefinitionSet definitions)
        {
            if (reader.IsDBNull(6) || !_optionIds.Add(reader.GetInt32(6)))
            {
                return;
            }

            var code = checked((ushort)reader.GetInt32(7));
            var value = reader.IsDBNull(8) ? [] : (byte[])reader[8];
            var formatted = reader.IsDBNull(9) ? string.Empty : reader.GetString(9);
            var space = reader.IsDBNull(10) || reader.GetString(10).Length == 0 ? Dhcp6Space : reader.GetString(10);
            var persistent = reader.GetBoolean(11);
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

            _options.Add(new Configuration.OptionDescriptor(code, space, definition?.Name, data, persistent, NeverSend: false));
        }

        public void AddReservation(NpgsqlDataReader reader)
        {
            if (reader.IsDBNull(12) || !_reservationIds.Add(reader.GetInt32(12)))
            {
                return;
            }

            var text = reader.GetString(13);
            if (!Ipv6Address.TryParse(text, out var address))
            {
                throw new InvalidDataException($"host {HostId}: reserved address '{text}' is not an IPv6 address");
            }

            var length = reader.GetInt16(14);
            if (reader.GetInt16(15) == PrefixReservation)
            {
                _prefixes.Add(new Ipv6Prefix(address, length));
            }
            else
            {
                _addresses.Add(address);
            }
        }

        public HostReservation Build() => new()
        {
            IdentifierType = Type,
            Identifier = Identifier,
            SubnetId = SubnetId,
            IpAddresses = _addresses,
            Prefixes = _prefixes,
            Hostname = Hostname,
            Options = _options,
            ClientClasses = Classes,
        };
    }
}
