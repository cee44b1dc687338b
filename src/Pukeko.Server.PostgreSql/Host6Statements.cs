namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Everything the host source says to one version of Kea's PostgreSQL schema, as <see cref="Lease6Statements"/> is
/// for leases: one set per schema version, picked by the database's <c>schema_version</c> at start. Between Kea
/// 2.2's schema (13.0) and Kea 3.x's (34.0), <c>hosts</c> is unchanged; <c>ipv6_reservations</c> keeps
/// <c>address</c> as <c>inet</c> (2.2: text) and gains <c>excluded_prefix</c> (<c>inet</c>) and
/// <c>excluded_prefix_len</c> (RFC 6603); <c>dhcp6_options</c> gains <c>cancelled</c> (never-send) and
/// <c>client_classes</c> (a JSON list of class names). Both versions' queries return the same columns, in
/// <see cref="Column"/>'s order; what 13.0 lacks is selected as a constant (not cancelled, no classes, no
/// excluded prefix), so one reader serves both.
/// </summary>
internal sealed class Host6Statements
{
    /// <summary>Kea 2.2's schema.</summary>
    public static readonly Host6Statements Kea22 = new(
        Lease6Statements.Kea22, addressColumn: "r.address", addressParameter: "$2",
        cancelledColumn: "false", optionClassesColumn: "NULL::text",
        excludedPrefixColumns: "NULL::text, 0::smallint", kea3: false);

    /// <summary>Kea 3.x's schema; <c>host()</c> gives an <c>inet</c>'s address without its mask, as Kea reads it.</summary>
    public static readonly Host6Statements Kea3 = Kea3Style(Lease6Statements.Kea3);

    /// <summary>
    /// Kea 3.0's schema (29.0): the same host tables as 34.0, except that <c>dhcp6_options.client_classes</c> may be
    /// NULL (read as no classes, as on 13.0).
    /// </summary>
    public static readonly Host6Statements Kea30 = Kea3Style(Lease6Statements.Kea30);

    /// <summary>Every schema version the host source speaks, oldest first.</summary>
    public static readonly IReadOnlyList<Host6Statements> All = [Kea22, Kea30, .. Lease6Statements.Kea31Development.Select(Kea3Style), Kea3];

    private static Host6Statements Kea3Style(Lease6Statements schema) => new(
        schema, addressColumn: "host(r.address)", addressParameter: "cast($2 as inet)",
        cancelledColumn: "o.cancelled", optionClassesColumn: "o.client_classes",
        excludedPrefixColumns: "host(r.excluded_prefix), r.excluded_prefix_len", kea3: true);

    private Host6Statements(
        Lease6Statements schema, string addressColumn, string addressParameter, string cancelledColumn,
        string optionClassesColumn, string excludedPrefixColumns, bool kea3)
    {
        Version = schema.Version;
        Release = schema.Release;
        HoldsKea3Extras = kea3;
        _addressParameter = addressParameter;

        // The DHCPv6 part of Kea's host query: the host's row joined with its options and its reservations, so a
        // host comes back as (options × reservations) rows, in Kea's order.
        _selectColumns =
            "SELECT h.host_id, h.dhcp_identifier, h.dhcp_identifier_type, h.dhcp6_subnet_id, h.hostname, h.dhcp6_client_classes, "
            + $"o.option_id, o.code, o.value, o.formatted_value, o.space, o.persistent, {cancelledColumn}, {optionClassesColumn}, "
            + $"r.reservation_id, {addressColumn}, r.prefix_len, r.type, {excludedPrefixColumns}, h.user_context, o.user_context ";
        var selectHost = _selectColumns
            + "FROM hosts AS h "
            + JoinRows;

        SelectByIdentifier = selectHost
            + "WHERE h.dhcp6_subnet_id = $1 AND h.dhcp_identifier_type = $2 AND h.dhcp_identifier = $3" + OrderRows;
        // As Kea's getAll6(subnet, address): every host whose reservations include the block (several when
        // ip-reservations-unique is false), each with all of its reservations, not only the matching one.
        // (address, prefix_len) is the schema's index.
        SelectByReservation = selectHost
            + "WHERE h.dhcp6_subnet_id = $1 AND h.host_id IN "
            + $"(SELECT host_id FROM ipv6_reservations WHERE address = {addressParameter} AND prefix_len = $3 AND type = $4)" + OrderRows;

        // Kea's inserts: a DHCPv6 host has no DHCPv4 subnet (NULL) and writes the DHCPv4 columns empty or 0, as Kea's
        // host exchange binds them.
        InsertHost =
            "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id, dhcp6_subnet_id, ipv4_address, hostname, "
            + "dhcp4_client_classes, dhcp6_client_classes, user_context, dhcp4_next_server, dhcp4_server_hostname, dhcp4_boot_file_name, auth_key) "
            + "VALUES ($1, $2, NULL, $3, 0, $4, '', $5, $6, 0, '', '', NULL) RETURNING host_id";
        var address = kea3 ? "cast($1 as inet)" : "$1";
        var (reservationColumns, reservationValues) = kea3
            ? ("address, prefix_len, type, dhcp6_iaid, excluded_prefix, excluded_prefix_len, host_id", $"{address}, $2, $3, NULL, cast($5 as inet), $6, $4")
            : ("address, prefix_len, type, dhcp6_iaid, host_id", $"{address}, $2, $3, NULL, $4");
        InsertReservation = $"INSERT INTO ipv6_reservations ({reservationColumns}) VALUES ({reservationValues})";
        // As Kea with ip-reservations-unique: no row when the address and length are reserved already, in any subnet.
        InsertUniqueReservation = $"INSERT INTO ipv6_reservations ({reservationColumns}) SELECT {reservationValues} "
            + $"WHERE NOT EXISTS (SELECT 1 FROM ipv6_reservations WHERE address = {address} AND prefix_len = $2 LIMIT 1)";
        InsertOption = kea3
            ? "INSERT INTO dhcp6_options (code, value, formatted_value, space, persistent, user_context, host_id, scope_id, cancelled, client_classes) "
              + "VALUES ($1, $2, $3, $4, $5, $6, $7, 3, $8, $9)"
            : "INSERT INTO dhcp6_options (code, value, formatted_value, space, persistent, user_context, host_id, scope_id) "
              + "VALUES ($1, $2, $3, $4, $5, $6, $7, 3)";
        DeleteByIdentifier = "DELETE FROM hosts WHERE dhcp6_subnet_id = $1 AND dhcp_identifier_type = $2 AND dhcp_identifier = $3";
        // Kea 2.2's own statement lacks the join condition (it deletes every host of the subnet once any host has the
        // address); this is the corrected one Kea 3.x uses. Options and reservations go by the schema's cascade.
        DeleteByAddress = "DELETE FROM hosts USING ipv6_reservations AS r WHERE hosts.host_id = r.host_id "
            + $"AND hosts.dhcp6_subnet_id = $1 AND r.address = {(kea3 ? "cast($2 as inet)" : "$2")}";
    }

    private const string JoinRows =
        "LEFT JOIN dhcp6_options AS o ON h.host_id = o.host_id "
        + "LEFT JOIN ipv6_reservations AS r ON h.host_id = r.host_id ";

    private const string OrderRows = " ORDER BY h.host_id, o.option_id, r.reservation_id";

    private readonly string _selectColumns;
    private readonly string _addressParameter;

    /// <summary>The result columns of both queries, by position.</summary>
    public enum Column
    {
        HostId, Identifier, IdentifierType, SubnetId, Hostname, HostClasses,
        OptionId, OptionCode, OptionValue, OptionFormattedValue, OptionSpace, OptionPersistent, OptionCancelled, OptionClasses,
        ReservationId, ReservationAddress, ReservationPrefixLength, ReservationType, ExcludedPrefix, ExcludedPrefixLength,
        HostUserContext, OptionUserContext,
    }

    /// <summary>The <c>schema_version</c> (version, minor) this set speaks.</summary>
    public (int Major, int Minor) Version { get; }

    /// <summary>The Kea releases whose <c>kea-admin db-init pgsql</c> makes this schema, for messages.</summary>
    public string Release { get; }

    /// <summary>$1 subnet id, $2 identifier type, $3 identifier.</summary>
    public string SelectByIdentifier { get; }

    /// <summary>$1 subnet id, $2 the block's first address (text), $3 its length, $4 the reservation type.</summary>
    public string SelectByReservation { get; }

    /// <summary>Kea 3.x's schema: reservations hold an excluded prefix, options <c>cancelled</c> and <c>client_classes</c>.</summary>
    public bool HoldsKea3Extras { get; }

    /// <summary>$1 identifier, $2 identifier type, $3 DHCPv6 subnet id, $4 hostname, $5 classes (comma-separated), $6 user context (JSON text or NULL); returns host_id.</summary>
    public string InsertHost { get; }

    /// <summary>$1 address (text), $2 prefix length, $3 type, $4 host id; on Kea 3.x also $5 excluded prefix (text or NULL), $6 its length.</summary>
    public string InsertReservation { get; }

    /// <summary><see cref="InsertReservation"/>, inserting nothing when the address and length are reserved already.</summary>
    public string InsertUniqueReservation { get; }

    /// <summary>$1 code, $2 value, $3 formatted value, $4 space, $5 persistent, $6 user context (JSON text or NULL), $7 host id; on Kea 3.x also $8 cancelled, $9 classes (JSON).</summary>
    public string InsertOption { get; }

    /// <summary>$1 subnet id, $2 identifier type, $3 identifier.</summary>
    public string DeleteByIdentifier { get; }

    /// <summary>$1 subnet id, $2 address (text).</summary>
    public string DeleteByAddress { get; }

    /// <summary>
    /// The host query for a host command's <paramref name="selection"/>, its parameters added to <paramref name="parameters"/>
    /// in order. Conditions and the page limit apply to <c>hosts</c> in a subquery, so the limit counts hosts, not
    /// the join's rows.
    /// </summary>
    public string Select(Reservations.HostSelection selection, Npgsql.NpgsqlParameterCollection parameters)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(parameters);
        var conditions = new List<string> { "dhcp6_subnet_id IS NOT NULL" };
        string Next(Npgsql.NpgsqlParameter parameter)
        {
            parameters.Add(parameter);
            return "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (selection.SubnetId is { } subnetId)
        {
            conditions.Add($"dhcp6_subnet_id = {Next(Lease6Row.BigInt(subnetId))}");
        }

        if (selection.IdentifierType is { } type && selection.Identifier is { } identifier)
        {
            conditions.Add($"dhcp_identifier_type = {Next(Lease6Row.SmallInt(PgSqlHostDataSource.TypeCode(type)))}");
            conditions.Add($"dhcp_identifier = {Next(Lease6Row.Bytes(identifier))}");
        }

        if (selection.Hostname is { } hostname)
        {
            conditions.Add($"lower(hostname) = lower({Next(Lease6Row.Text(hostname))})");
        }

        if (selection.Address is { } address)
        {
            var parameter = Next(Lease6Row.Text(Lease6Row.AddressText(address)));
            conditions.Add("host_id IN (SELECT host_id FROM ipv6_reservations WHERE address = "
                + _addressParameter.Replace("$2", parameter, StringComparison.Ordinal) + ")");
        }

        if (selection.AfterHostId > 0)
        {
            conditions.Add($"host_id > {Next(Lease6Row.BigInt(selection.AfterHostId))}");
        }

        var limit = selection.Limit is { } count ? $" LIMIT {Next(Lease6Row.BigInt(count))}" : string.Empty;
        return _selectColumns
            + $"FROM (SELECT * FROM hosts WHERE {string.Join(" AND ", conditions)} ORDER BY host_id{limit}) AS h "
            + JoinRows + OrderRows;
    }

    /// <summary>The set for a database's <c>schema_version</c>, or null when the host source does not speak it.</summary>
    public static Host6Statements? For((int Major, int Minor) version) => All.FirstOrDefault(s => s.Version == version);
}
