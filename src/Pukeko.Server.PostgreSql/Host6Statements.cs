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
        excludedPrefixColumns: "NULL::text, 0::smallint");

    /// <summary>Kea 3.x's schema; <c>host()</c> gives an <c>inet</c>'s address without its mask, as Kea reads it.</summary>
    public static readonly Host6Statements Kea3 = new(
        Lease6Statements.Kea3, addressColumn: "host(r.address)", addressParameter: "cast($2 as inet)",
        cancelledColumn: "o.cancelled", optionClassesColumn: "o.client_classes",
        excludedPrefixColumns: "host(r.excluded_prefix), r.excluded_prefix_len");

    /// <summary>Every schema version the host source speaks, oldest first.</summary>
    public static readonly IReadOnlyList<Host6Statements> All = [Kea22, Kea3];

    private Host6Statements(
        Lease6Statements schema, string addressColumn, string addressParameter, string cancelledColumn,
        string optionClassesColumn, string excludedPrefixColumns)
    {
        Version = schema.Version;
        Release = schema.Release;

        // The DHCPv6 part of Kea's host query: the host's row joined with its options and its reservations, so a
        // host comes back as (options × reservations) rows, in Kea's order.
        var selectHost =
            "SELECT h.host_id, h.dhcp_identifier, h.dhcp_identifier_type, h.dhcp6_subnet_id, h.hostname, h.dhcp6_client_classes, "
            + $"o.option_id, o.code, o.value, o.formatted_value, o.space, o.persistent, {cancelledColumn}, {optionClassesColumn}, "
            + $"r.reservation_id, {addressColumn}, r.prefix_len, r.type, {excludedPrefixColumns} "
            + "FROM hosts AS h "
            + "LEFT JOIN dhcp6_options AS o ON h.host_id = o.host_id "
            + "LEFT JOIN ipv6_reservations AS r ON h.host_id = r.host_id ";
        const string OrderRows = " ORDER BY h.host_id, o.option_id, r.reservation_id";

        SelectByIdentifier = selectHost
            + "WHERE h.dhcp6_subnet_id = $1 AND h.dhcp_identifier_type = $2 AND h.dhcp_identifier = $3" + OrderRows;
        // As Kea's getAll6(subnet, address): every host whose reservations include the block (several when
        // ip-reservations-unique is false), each with all of its reservations, not only the matching one.
        // (address, prefix_len) is the schema's index.
        SelectByReservation = selectHost
            + "WHERE h.dhcp6_subnet_id = $1 AND h.host_id IN "
            + $"(SELECT host_id FROM ipv6_reservations WHERE address = {addressParameter} AND prefix_len = $3 AND type = $4)" + OrderRows;
    }

    /// <summary>The result columns of both queries, by position.</summary>
    public enum Column
    {
        HostId, Identifier, IdentifierType, SubnetId, Hostname, HostClasses,
        OptionId, OptionCode, OptionValue, OptionFormattedValue, OptionSpace, OptionPersistent, OptionCancelled, OptionClasses,
        ReservationId, ReservationAddress, ReservationPrefixLength, ReservationType, ExcludedPrefix, ExcludedPrefixLength,
    }

    /// <summary>The <c>schema_version</c> (version, minor) this set speaks.</summary>
    public (int Major, int Minor) Version { get; }

    /// <summary>The Kea releases whose <c>kea-admin db-init pgsql</c> makes this schema, for messages.</summary>
    public string Release { get; }

    /// <summary>$1 subnet id, $2 identifier type, $3 identifier.</summary>
    public string SelectByIdentifier { get; }

    /// <summary>$1 subnet id, $2 the block's first address (text), $3 its length, $4 the reservation type.</summary>
    public string SelectByReservation { get; }

    /// <summary>The set for a database's <c>schema_version</c>, or null when the host source does not speak it.</summary>
    public static Host6Statements? For((int Major, int Minor) version) => All.FirstOrDefault(s => s.Version == version);
}
