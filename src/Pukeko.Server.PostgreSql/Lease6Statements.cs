using Npgsql;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// Everything the lease store says to one version of Kea's PostgreSQL schema: its SQL, how a lease maps onto a row,
/// and what the schema can hold. The store picks the set whose <see cref="Version"/> equals the database's
/// <c>schema_version</c> at start; there is one set per version Pukeko speaks, and no version check elsewhere.
/// The two schemas differ, for <c>lease6</c>, in three ways: Kea 3.x keeps <c>address</c> as <c>inet</c> (2.2: the
/// address's text), has a <c>pool_id</c> column, and its <c>lease_state</c> and <c>lease6_types</c> tables allow
/// states 0 to 4 (2.2: 0 to 2) and types IA_NA and IA_PD only (2.2: IA_TA too). The statistics tables
/// (<c>lease6_stat</c>; 3.x adds <c>lease6_pool_stat</c> and <c>lease6_stat_by_client_class</c>) are kept by the
/// schema's own triggers, so no statement here writes them.
/// </summary>
internal sealed class Lease6Statements
{
    /// <summary>Kea 2.2's schema (Debian 12's <c>kea-admin db-init pgsql</c>).</summary>
    public static readonly Lease6Statements Kea22 = new(
        (13, 0), "Kea 2.2", addressColumn: "address", addressParameter: "${0}", hasPoolId: false, hasExtendedInfoTables: false,
        highestState: LeaseState.ExpiredReclaimed, leaseTypes: [LeaseType.NA, LeaseType.TA, LeaseType.PD],
        // Text order: "0" sorts below every address text (Kea 2.2's own start value).
        pageStart: "0");

    /// <summary>
    /// Kea 3.0's schema (29.0, the 3.0 stable series): <c>lease6</c> as in 34.0, but its <c>lease6_types</c> still
    /// has IA_TA. What 30.0 to 34.0 added (an option column made NOT NULL, two indexes, the free-lease-queue tables
    /// and new trigger bodies) is nothing these statements read or write.
    /// </summary>
    public static readonly Lease6Statements Kea30 = Kea30Style((29, 0), "Kea 3.0");

    /// <summary>
    /// The schemas of Kea 3.1.0 to 3.1.8 (30.0 to 33.0, development releases): between 29.0 and 34.0, with IA_TA
    /// still in <c>lease6_types</c> (34.0 removed it), so spoken as 29.0.
    /// </summary>
    public static readonly IReadOnlyList<Lease6Statements> Kea31Development =
        [.. Enumerable.Range(30, 4).Select(major => Kea30Style((major, 0), "Kea 3.1 (development)"))];

    private static Lease6Statements Kea30Style((int Major, int Minor) version, string release) => new(
        version, release, addressColumn: "host(address)", addressParameter: "cast(${0} as inet)", hasPoolId: true, hasExtendedInfoTables: true,
        highestState: LeaseState.Registered, leaseTypes: [LeaseType.NA, LeaseType.TA, LeaseType.PD],
        pageStart: "::", hasFreeLeaseQueue: version.Major >= FirstFreeLeaseQueueVersion);

    /// <summary>The first schema with the shared free-lease queue (<c>free_lease6</c>, Kea 3.1.8).</summary>
    private const int FirstFreeLeaseQueueVersion = 33;

    /// <summary>Kea 3.x's schema (Kea 3.1.9 to 3.3.0, and the 3.2 stable series).</summary>
    public static readonly Lease6Statements Kea3 = new(
        (34, 0), "Kea 3.x", addressColumn: "host(address)", addressParameter: "cast(${0} as inet)", hasPoolId: true, hasExtendedInfoTables: true,
        highestState: LeaseState.Registered, leaseTypes: [LeaseType.NA, LeaseType.PD],
        // inet order: the page starts above ::, as Kea 3.x's get_lease6_page does.
        pageStart: "::", hasFreeLeaseQueue: true);

    /// <summary>Every schema version Pukeko speaks, oldest first.</summary>
    public static readonly IReadOnlyList<Lease6Statements> All = [Kea22, Kea30, .. Kea31Development, Kea3];

    private readonly bool _hasPoolId;
    private readonly LeaseType[] _leaseTypes;

    private Lease6Statements(
        (int Major, int Minor) version, string release, string addressColumn, string addressParameter, bool hasPoolId, bool hasExtendedInfoTables,
        LeaseState highestState, LeaseType[] leaseTypes, string pageStart, bool hasFreeLeaseQueue = false)
    {
        HasFreeLeaseQueue = hasFreeLeaseQueue;
        Version = version;
        HasExtendedInfoTables = hasExtendedInfoTables;
        Release = release;
        HighestState = highestState;
        PageStart = pageStart;
        _hasPoolId = hasPoolId;
        _leaseTypes = leaseTypes;

        string Address(int parameter) => string.Format(System.Globalization.CultureInfo.InvariantCulture, addressParameter, parameter);

        var selectColumns = addressColumn + ", duid, valid_lifetime, extract(epoch from expire)::bigint, subnet_id, pref_lifetime, "
            + "lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context"
            + (hasPoolId ? ", pool_id" : string.Empty);
        var writeColumns = "address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, "
            + "lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype, hwaddr_source, state, user_context"
            + (hasPoolId ? ", pool_id" : string.Empty);
        WriteColumnCount = hasPoolId ? 18 : 17;
        var values = Address(1) + ", " + string.Join(", ", Enumerable.Range(2, WriteColumnCount - 1).Select(i => "$" + i));
        var fromLease6 = "SELECT " + selectColumns + " FROM lease6 ";

        // The version the caller read, bound after the written columns. A NULL duid (another writer's row) reads
        // as empty, so it is compared that way.
        string VersionCondition(int first) =>
            $"address = {Address(first)} AND expire = ${first + 1} AND valid_lifetime = ${first + 2} AND lease_type = ${first + 3} "
            + $"AND state = ${first + 4} AND iaid = ${first + 5} AND coalesce(duid, ''::bytea) = ${first + 6}";

        SelectByAddress = fromLease6 + $"WHERE address = {Address(1)}";
        SelectByClient = fromLease6 + "WHERE duid = $1 AND iaid = $2 AND lease_type = $3";
        SelectByDuid = fromLease6 + "WHERE duid = $1";
        SelectByHardwareAddress = fromLease6 + "WHERE hwaddr = $1 AND length(hwaddr) > 0";
        // lower(hostname) is what Kea's lease6_by_hostname index covers.
        SelectByHostname = fromLease6 + "WHERE lower(hostname) = lower($1)";
        SelectBySubnet = fromLease6 + "WHERE subnet_id = $1";
        SelectByState = fromLease6 + "WHERE state = $1";
        SelectPage = fromLease6 + $"WHERE address > {Address(1)} ORDER BY address LIMIT $2";
        // LIMIT NULL is no limit. Kea's statement has expire < now; the store contract (and memfile) include now.
        SelectExpired = fromLease6 + "WHERE state != $1 AND valid_lifetime != $2 AND expire <= $3 ORDER BY expire LIMIT $4";
        SelectAll = fromLease6;
        CountAll = "SELECT subnet_id, lease_type, state, count(*) FROM lease6 GROUP BY subnet_id, lease_type, state";
        CountBySubnet = "SELECT subnet_id, lease_type, state, count(*) FROM lease6 WHERE subnet_id = $1 GROUP BY subnet_id, lease_type, state";
        // inet compares IPv6 addresses numerically; Kea 2.2's text addresses are cast for the comparison.
        CountRange = "SELECT subnet_id, lease_type, state, count(*) FROM lease6 "
            + "WHERE address::inet BETWEEN cast($1 as inet) AND cast($2 as inet) GROUP BY subnet_id, lease_type, state";
        // Kea's own statement reads the counters its triggers keep; leases may be NULL in that table.
        SelectStatistics = "SELECT subnet_id, lease_type, state, coalesce(leases, 0) FROM lease6_stat "
            + "WHERE subnet_id BETWEEN $1 AND $2 ORDER BY subnet_id, lease_type, state";
        Insert = $"INSERT INTO lease6 ({writeColumns}) VALUES ({values}) ON CONFLICT (address) DO NOTHING";
        // The array of texts is cast as one address is (to inet[] where the column is inet).
        var addressArray = Address(1).Replace(" as inet)", " as inet[])", StringComparison.Ordinal);
        DeleteAddresses = $"DELETE FROM lease6 WHERE address = ANY({addressArray})";
        // One statement for many rows: parameter n is the array of column n's values, typed by its binding.
        var columnNames = Enumerable.Range(1, WriteColumnCount).Select(i => "c" + i).ToList();
        var selected = string.Format(System.Globalization.CultureInfo.InvariantCulture, addressParameter.Replace("$", string.Empty, StringComparison.Ordinal), "c1")
            + ", " + string.Join(", ", columnNames.Skip(1));
        InsertMany = $"INSERT INTO lease6 ({writeColumns}) SELECT {selected} FROM unnest("
            + string.Join(", ", columnNames.Select((_, i) => "$" + (i + 1))) + $") AS v({string.Join(", ", columnNames)}) ON CONFLICT (address) DO NOTHING";
        SelectExisting = $"SELECT {addressColumn} FROM lease6 WHERE address = ANY({addressArray})";
        Update = $"UPDATE lease6 SET ({writeColumns}) = ({values}) WHERE {VersionCondition(WriteColumnCount + 1)}";
        Delete = $"DELETE FROM lease6 WHERE {VersionCondition(1)}";
        DeleteReclaimed = "DELETE FROM lease6 WHERE state = $1 AND expire < $2 RETURNING " + selectColumns;
        Exists = $"SELECT 1 FROM lease6 WHERE address = {Address(1)}";
        if (hasFreeLeaseQueue)
        {
            // Kea's sflqInsertLease6, sflqUpdateLease6 and sflqDeleteLease6 do the same around their own conditions: a
            // written lease in state 2 (expired-reclaimed) or a deleted one is free, any other written lease is not.
            // Here the write keeps this store's conditions (insert unless held, update and delete of the version read)
            // and the queue follows what it wrote, in the same statement. Each returns the count of leases written as its one value (a SELECT has no rows affected).
            const string FollowQueue =
                ", taken AS (DELETE FROM free_lease6 WHERE address IN (SELECT address FROM written WHERE state <> 2))"
                + ", freed AS (INSERT INTO free_lease6 (address, bin_address) SELECT address, inetToBytea(address) FROM written WHERE state = 2 ON CONFLICT DO NOTHING)"
                + " SELECT count(*)::int FROM written";
            QueueInsert = $"WITH written AS (INSERT INTO lease6 ({writeColumns}) VALUES ({values}) ON CONFLICT (address) DO NOTHING RETURNING address, state)" + FollowQueue;
            QueueUpdate = $"WITH written AS (UPDATE lease6 SET ({writeColumns}) = ({values}) WHERE {VersionCondition(WriteColumnCount + 1)} RETURNING address, state)" + FollowQueue;
            QueueDelete = $"WITH written AS (DELETE FROM lease6 WHERE {VersionCondition(1)} RETURNING address)"
                + ", freed AS (INSERT INTO free_lease6 (address, bin_address) SELECT address, inetToBytea(address) FROM written ON CONFLICT DO NOTHING)"
                + " SELECT count(*)::int FROM written";
        }
    }

    /// <summary>The schema has Kea 3.x's shared free-lease queue (<c>free_lease6</c>); the Queue* statements are set.</summary>
    public bool HasFreeLeaseQueue { get; }

    /// <summary><see cref="Insert"/> that also takes the address out of the free-lease queue (or adds it, state 2); returns the count written.</summary>
    public string? QueueInsert { get; }

    /// <summary><see cref="Update"/> that also moves the address into or out of the free-lease queue by its new state; returns the count written.</summary>
    public string? QueueUpdate { get; }

    /// <summary><see cref="Delete"/> that also returns the address to the free-lease queue; returns the count deleted.</summary>
    public string? QueueDelete { get; }

    /// <summary>The <c>schema_version</c> (version, minor) this set speaks.</summary>
    public (int Major, int Minor) Version { get; }

    /// <summary>
    /// The schema has Kea's extended-info tables (<c>lease6_relay_id</c>, <c>lease6_remote_id</c>, keyed by an
    /// <c>inet</c> address with a cascading foreign key to <c>lease6</c>); the statements below are for those schemas.
    /// </summary>
    public bool HasExtendedInfoTables { get; }

    /// <summary>Kea's DELETE_RELAY_ID6: $1 the lease address.</summary>
    public const string DeleteRelayIds = "DELETE FROM lease6_relay_id WHERE lease_addr = cast($1 as inet)";

    /// <summary>Kea's DELETE_REMOTE_ID6: $1 the lease address.</summary>
    public const string DeleteRemoteIds = "DELETE FROM lease6_remote_id WHERE lease_addr = cast($1 as inet)";

    /// <summary>Kea's ADD_RELAY_ID6: $1 the relay-id, $2 the lease address.</summary>
    public const string AddRelayId = "INSERT INTO lease6_relay_id(relay_id, lease_addr) VALUES ($1, cast($2 as inet))";

    /// <summary>Kea's ADD_REMOTE_ID6: $1 the remote-id, $2 the lease address.</summary>
    public const string AddRemoteId = "INSERT INTO lease6_remote_id(remote_id, lease_addr) VALUES ($1, cast($2 as inet))";

    /// <summary>Kea's WIPE_RELAY_ID6 and WIPE_REMOTE_ID6.</summary>
    public const string WipeExtendedInfo = "DELETE FROM lease6_relay_id; DELETE FROM lease6_remote_id";

    /// <summary>The Kea releases whose <c>kea-admin db-init pgsql</c> makes this schema, for messages.</summary>
    public string Release { get; }

    /// <summary>The highest lease state the schema's <c>lease_state</c> table holds.</summary>
    public LeaseState HighestState { get; }

    /// <summary>Whether a release can keep the lease in state 3 (Kea 3.x's lease affinity).</summary>
    public bool KeepsReleasedLeases => HighestState >= LeaseState.Released;

    /// <summary>The address text <see cref="SelectPage"/> starts above when no address is given.</summary>
    public string PageStart { get; }

    /// <summary>How many parameters <see cref="AddValues"/> binds.</summary>
    public int WriteColumnCount { get; }

    public string SelectByAddress { get; }

    public string SelectByClient { get; }

    public string SelectByDuid { get; }

    public string SelectByHardwareAddress { get; }

    public string SelectByHostname { get; }

    public string SelectBySubnet { get; }

    public string SelectByState { get; }

    public string SelectPage { get; }

    public string SelectExpired { get; }

    public string SelectAll { get; }

    public string CountAll { get; }

    public string CountBySubnet { get; }

    /// <summary>Kea's <c>lease6_stat</c> rows of a range of subnets (<c>stat-lease6-get</c>).</summary>
    public string SelectStatistics { get; }

    public string CountRange { get; }

    /// <summary>Does nothing when the address is taken (<c>lease6_pkey</c>).</summary>
    public string Insert { get; }

    /// <summary>
    /// $1 an array of address texts: the leases they have (an import's <c>--overwrite</c>, before
    /// <see cref="InsertMany"/>). Not an UPDATE: Kea's update trigger leaves <c>lease6_stat_by_client_class</c> alone
    /// when either user context has no classes (its comparison of the two class lists is then NULL), while its delete
    /// and insert triggers count right.
    /// </summary>
    public string DeleteAddresses { get; }

    /// <summary>
    /// <see cref="Insert"/> for many leases in one statement: parameter n is the array of column n's values, bound
    /// as <see cref="AddValues"/> binds one lease. Kea's row triggers still run once per row.
    /// </summary>
    public string InsertMany { get; }

    /// <summary>$1 an array of address texts: those of them that have a row.</summary>
    public string SelectExisting { get; }

    /// <summary>The written columns, then the version read (as <see cref="Delete"/> binds it).</summary>
    public string Update { get; }

    /// <summary>Matches only the row version the caller read.</summary>
    public string Delete { get; }

    public string DeleteReclaimed { get; }

    public string Exists { get; }

    /// <summary>The set for a database's <c>schema_version</c>, or null when Pukeko does not speak it.</summary>
    public static Lease6Statements? For((int Major, int Minor) version) => All.FirstOrDefault(s => s.Version == version);

    /// <summary>Kea's mismatch message, listing every version Pukeko speaks.</summary>
    public static string MismatchMessage((int Major, int Minor) found) =>
        $"PostgreSQL schema version mismatch: need version: {string.Join(" or ", All.Select(s => $"{s.Version.Major}.{s.Version.Minor}"))} "
        + $"found version: {found.Major}.{found.Minor}";

    /// <summary>Binds the written columns of <paramref name="lease"/> as positional parameters.</summary>
    public void AddValues(NpgsqlParameterCollection parameters, Lease6 lease)
    {
        Lease6Row.AddValues(parameters, lease);
        if (_hasPoolId)
        {
            parameters.Add(Lease6Row.BigInt(lease.PoolId));
        }
    }

    /// <summary>Binds the written columns of <paramref name="leases"/> for <see cref="InsertMany"/>: one array per column.</summary>
    public void AddColumnArrays(NpgsqlParameterCollection parameters, IReadOnlyList<Lease6> leases)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(leases);
        using var scratch = new NpgsqlCommand();
        var one = scratch.Parameters;
        var columns = new Array?[WriteColumnCount];
        var types = new NpgsqlTypes.NpgsqlDbType[WriteColumnCount];
        for (var row = 0; row < leases.Count; row++)
        {
            one.Clear();
            AddValues(one, leases[row]);
            for (var column = 0; column < WriteColumnCount; column++)
            {
                var value = one[column].Value!;
                types[column] = one[column].NpgsqlDbType;
                columns[column] ??= Array.CreateInstance(value.GetType(), leases.Count);
                columns[column]!.SetValue(value, row);
            }
        }

        for (var column = 0; column < WriteColumnCount; column++)
        {
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | types[column], Value = columns[column] });
        }
    }

    /// <summary>Reads the current row of a <c>Select*</c> or <see cref="DeleteReclaimed"/> result.</summary>
    public Lease6 Read(NpgsqlDataReader reader)
    {
        var lease = Lease6Row.Read(reader);
        if (_hasPoolId && !reader.IsDBNull(Lease6Row.ColumnCount))
        {
            lease.PoolId = checked((uint)reader.GetInt64(Lease6Row.ColumnCount));
        }

        return lease;
    }

    /// <summary>
    /// Refuses, before the database does (with a foreign-key error), a lease whose state or type the schema's
    /// <c>lease_state</c> or <c>lease6_types</c> table does not hold.
    /// </summary>
    public void ThrowIfNotStorable(Lease6 lease)
    {
        if ((uint)lease.State > (uint)HighestState)
        {
            throw new InvalidOperationException(
                $"lease {lease.Address}: state {(uint)lease.State} cannot be stored in {Release}'s PostgreSQL schema ({Version.Major}.{Version.Minor}), "
                + $"whose lease_state table has states 0 to {(uint)HighestState} only");
        }

        if (Array.IndexOf(_leaseTypes, lease.Type) < 0)
        {
            throw new InvalidOperationException(
                $"lease {lease.Address}: lease type {(byte)lease.Type} (IA_{lease.Type}) cannot be stored in {Release}'s PostgreSQL schema ({Version.Major}.{Version.Minor}), "
                + $"whose lease6_types table has {string.Join(" and ", _leaseTypes.Select(t => $"IA_{t}"))} only");
        }
    }
}
