using Npgsql;
using NpgsqlTypes;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// How a <see cref="Lease6"/> maps onto the <c>lease6</c> columns that Kea 2.2's schema (13.0) and Kea 3.x's (34.0)
/// share, column for column as Kea writes them: the address as its compressed text, the IAID reinterpreted as a
/// signed int, an empty <c>hwaddr</c> with type and source 0 when there is none (Kea cannot read a NULL
/// <c>hwtype</c>), an empty hostname and user context rather than NULL. <see cref="Lease6Statements"/> adds what a
/// schema version has beyond these (Kea 3.x's <c>pool_id</c>) and writes the SQL around them.
/// </summary>
internal static class Lease6Row
{
    /// <summary>
    /// How many columns <see cref="AddValues"/> binds and <see cref="Read"/> reads: address, duid, valid_lifetime,
    /// expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, hwaddr, hwtype,
    /// hwaddr_source, state, user_context, in that order.
    /// </summary>
    public const int ColumnCount = 17;

    /// <summary>Kea's text form of an address (compressed, lower case): the <c>address</c> key, or what is cast to it.</summary>
    public static string AddressText(Ipv6Address address) => address.ToString();

    /// <summary>Binds the shared columns of <paramref name="lease"/> as positional parameters.</summary>
    public static void AddValues(NpgsqlParameterCollection parameters, Lease6 lease)
    {
        parameters.Add(Text(AddressText(lease.Address)));
        parameters.Add(Bytes(lease.Duid));
        parameters.Add(BigInt(lease.ValidLifetime));
        parameters.Add(Expire(KeaDatabaseTime.ExpireOf(lease.Cltt, lease.ValidLifetime)));
        parameters.Add(BigInt(lease.SubnetId));
        parameters.Add(BigInt(lease.PreferredLifetime));
        parameters.Add(SmallInt((short)lease.Type));
        parameters.Add(Integer(unchecked((int)lease.Iaid)));
        parameters.Add(SmallInt(lease.PrefixLength));
        parameters.Add(Bool(lease.FqdnForward));
        parameters.Add(Bool(lease.FqdnReverse));
        parameters.Add(Text(lease.Hostname ?? string.Empty));
        parameters.Add(Bytes(lease.HardwareAddress ?? []));
        parameters.Add(SmallInt(checked((short)(lease.HardwareAddress is null ? 0 : lease.HardwareType))));
        parameters.Add(SmallInt(checked((short)(lease.HardwareAddress is null ? 0 : lease.HardwareAddressSource))));
        parameters.Add(BigInt((uint)lease.State));
        parameters.Add(Text(lease.UserContext ?? string.Empty));
    }

    /// <summary>Reads the shared columns of the current row, selected in that order from the first, into a new lease.</summary>
    public static Lease6 Read(NpgsqlDataReader reader)
    {
        var addressText = reader.GetString(0);
        if (!Ipv6Address.TryParse(addressText, out var address))
        {
            throw new FormatException($"lease6 row has an address that is not an IPv6 address: '{addressText}'");
        }

        var valid = checked((uint)Int64OrZero(reader, 2));
        var hardwareAddress = reader.IsDBNull(12) ? null : reader.GetFieldValue<byte[]>(12);
        var userContext = reader.IsDBNull(16) ? null : reader.GetString(16);
        return new Lease6
        {
            Address = address,
            Duid = reader.IsDBNull(1) ? [] : reader.GetFieldValue<byte[]>(1),
            ValidLifetime = valid,
            Cltt = KeaDatabaseTime.ClttOf(Int64OrZero(reader, 3), valid),
            SubnetId = checked((uint)Int64OrZero(reader, 4)),
            PreferredLifetime = checked((uint)Int64OrZero(reader, 5)),
            Type = (LeaseType)checked((byte)Int16OrZero(reader, 6)),
            Iaid = unchecked((uint)(reader.IsDBNull(7) ? 0 : reader.GetInt32(7))),
            PrefixLength = reader.IsDBNull(8) ? (byte)128 : checked((byte)reader.GetInt16(8)),
            FqdnForward = !reader.IsDBNull(9) && reader.GetBoolean(9),
            FqdnReverse = !reader.IsDBNull(10) && reader.GetBoolean(10),
            Hostname = reader.IsDBNull(11) ? string.Empty : reader.GetString(11),
            HardwareAddress = hardwareAddress is { Length: > 0 } ? hardwareAddress : null,
            HardwareType = unchecked((ushort)Int16OrZero(reader, 13)),
            HardwareAddressSource = unchecked((ushort)Int16OrZero(reader, 14)),
            State = (LeaseState)checked((uint)Int64OrZero(reader, 15)),
            UserContext = string.IsNullOrEmpty(userContext) ? null : userContext,
        };
    }

    public static NpgsqlParameter Text(string value) => new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = value };

    public static NpgsqlParameter Bytes(byte[] value) => new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = value };

    public static NpgsqlParameter BigInt(long value) => new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = value };

    public static NpgsqlParameter SmallInt(short value) => new NpgsqlParameter<short> { NpgsqlDbType = NpgsqlDbType.Smallint, TypedValue = value };

    public static NpgsqlParameter Integer(int value) => new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = value };

    public static NpgsqlParameter Bool(bool value) => new NpgsqlParameter<bool> { NpgsqlDbType = NpgsqlDbType.Boolean, TypedValue = value };

    /// <summary>An expiration as Kea binds it: zone-less local time, which the session's TimeZone turns into the instant.</summary>
    public static NpgsqlParameter Expire(long unixSeconds) =>
        new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.Timestamp, TypedValue = KeaDatabaseTime.ToLocalWallClock(unixSeconds) };

    private static long Int64OrZero(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : reader.GetInt64(ordinal);

    private static short Int16OrZero(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? (short)0 : reader.GetInt16(ordinal);
}
