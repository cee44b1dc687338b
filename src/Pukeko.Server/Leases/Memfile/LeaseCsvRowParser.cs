using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// Turns one memfile CSV row into a <see cref="Lease6"/>. Rows of older schemas (fewer columns) get the
/// defaults of the missing columns; columns beyond the 18 we know are ignored.
/// </summary>
/// <remarks>
/// Works on the row's UTF-8 bytes as read from the file: a million-row load allocates the lease and its byte arrays
/// per row, no line, field or address strings (only a free-text column that is not empty becomes a string).
/// </remarks>
internal static class LeaseCsvRowParser
{
    /// <summary>Ethernet: what a hardware address without a recorded type is assumed to be.</summary>
    private const ushort DefaultHardwareType = 1;

    /// <summary>Column counts below this are split in stack memory (18 today; room for future schema versions).</summary>
    private const int StackColumns = 64;

    /// <param name="line">The row text.</param>
    /// <param name="columns">Number of columns declared by the file's header.</param>
    /// <param name="lease">The lease, or null on error.</param>
    /// <param name="error">Why the row was rejected (null on success).</param>
    /// <param name="warning">A non-fatal problem, e.g. an unreadable hardware address that was dropped.</param>
    public static bool TryParse(string line, int columns, out Lease6? lease, out string? error, out string? warning)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            return TryParse(bytes.AsSpan(0, Encoding.UTF8.GetBytes(line, bytes)), columns, out lease, out error, out warning);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <inheritdoc cref="TryParse(string, int, out Lease6?, out string?, out string?)"/>
    public static bool TryParse(ReadOnlySpan<byte> text, int columns, out Lease6? lease, out string? error, out string? warning)
    {
        lease = null;
        warning = null;
        // The header decides the column count and a newer schema may add any number (they are ignored), so only a
        // plausible count goes on the stack: a header of a million columns overflowed it and killed the process
        // (seen while writing the lease file fuzz target, then confirmed with it; a thread-pool thread's smaller
        // stack overflows from about 190 000).
        Span<Range> ranges = columns < StackColumns ? stackalloc Range[StackColumns] : new Range[columns + 1];
        ranges = ranges[..(columns + 1)];
        var count = SplitFields(text, ranges);
        if (count != columns)
        {
            error = $"row has {(count > columns ? "more than " + columns : count.ToString(CultureInfo.InvariantCulture))} columns, the header has {columns}";
            return false;
        }

        var addressField = Field(text, ranges, columns, LeaseCsvSchema.Address);
        if (!LeaseCsvAddress.TryParse(addressField, out var address))
        {
            return Fail($"invalid address '{Text(addressField)}'", out error);
        }

        if (!LeaseCsvHex.TryParse(Field(text, ranges, columns, LeaseCsvSchema.Duid), out var duid) || duid.Length == 0)
        {
            return Fail($"invalid DUID '{Text(Field(text, ranges, columns, LeaseCsvSchema.Duid))}'", out error);
        }

        if (duid.Length > 128)
        {
            return Fail($"DUID is {duid.Length} bytes long, at most 128 are allowed", out error);
        }

        if (!TryUInt(Field(text, ranges, columns, LeaseCsvSchema.ValidLifetime), out var valid)
            || !ulong.TryParse(Field(text, ranges, columns, LeaseCsvSchema.Expire), NumberStyles.None, CultureInfo.InvariantCulture, out var expire)
            || expire > long.MaxValue
            || !TryUInt(Field(text, ranges, columns, LeaseCsvSchema.SubnetId), out var subnetId)
            || !TryUInt(Field(text, ranges, columns, LeaseCsvSchema.PreferredLifetime), out var preferred)
            || !TryUInt(Field(text, ranges, columns, LeaseCsvSchema.LeaseType), out var type)
            || !TryUInt(Field(text, ranges, columns, LeaseCsvSchema.Iaid), out var iaid)
            || !TryUInt(Field(text, ranges, columns, LeaseCsvSchema.PrefixLength), out var prefixLength))
        {
            return Fail("invalid number in valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid or prefix_len", out error);
        }

        if (type > (uint)LeaseType.PD)
        {
            return Fail($"invalid lease_type {type}", out error);
        }

        if (prefixLength > 128)
        {
            return Fail($"invalid prefix_len {prefixLength}", out error);
        }

        if (!TryBool(Field(text, ranges, columns, LeaseCsvSchema.FqdnForward), out var fqdnForward)
            || !TryBool(Field(text, ranges, columns, LeaseCsvSchema.FqdnReverse), out var fqdnReverse))
        {
            return Fail("fqdn_fwd and fqdn_rev must be 0 or 1", out error);
        }

        // Columns added by later schemas: absent ones take the schema defaults.
        var stateField = Field(text, ranges, columns, LeaseCsvSchema.State);
        uint state = 0;
        if (!stateField.IsEmpty && !TryUInt(stateField, out state))
        {
            return Fail($"invalid state '{Text(stateField)}'", out error);
        }

        if (LeaseCsvFormatter.IsEmptyDuid(duid) && state != (uint)LeaseState.Declined)
        {
            return Fail("the empty DUID is only valid for declined leases", out error);
        }

        var poolField = Field(text, ranges, columns, LeaseCsvSchema.PoolId);
        uint poolId = 0;
        if (!poolField.IsEmpty && !TryUInt(poolField, out poolId))
        {
            return Fail($"invalid pool_id '{Text(poolField)}'", out error);
        }

        string? userContext = LeaseCsvEscaping.Unescape(Field(text, ranges, columns, LeaseCsvSchema.UserContext));
        if (userContext.Length == 0)
        {
            userContext = null;
        }
        else if (!IsJsonObject(userContext))
        {
            return Fail($"user context '{userContext}' is not a JSON map", out error);
        }

        // A broken hardware address costs the lease its hwaddr, not the lease itself (as in Kea).
        byte[]? hardwareAddress = null;
        ushort hardwareType = 0;
        uint hardwareSource = 0;
        var hwField = Field(text, ranges, columns, LeaseCsvSchema.HardwareAddress);
        if (!hwField.IsEmpty)
        {
            var hwTypeField = Field(text, ranges, columns, LeaseCsvSchema.HardwareType);
            var hwSourceField = Field(text, ranges, columns, LeaseCsvSchema.HardwareAddressSource);
            if (!LeaseCsvHex.TryParse(hwField, out var hw) || hw.Length > 20)
            {
                warning = $"ignoring invalid hwaddr '{Text(hwField)}'";
            }
            else if (!hwTypeField.IsEmpty && !ushort.TryParse(hwTypeField, NumberStyles.None, CultureInfo.InvariantCulture, out hardwareType))
            {
                warning = $"ignoring hwaddr with invalid hwtype '{Text(hwTypeField)}'";
            }
            else if (!hwSourceField.IsEmpty && !TryUInt(hwSourceField, out hardwareSource))
            {
                warning = $"ignoring hwaddr with invalid hwaddr_source '{Text(hwSourceField)}'";
                hardwareType = 0;
            }
            else
            {
                hardwareAddress = hw;
                if (hwTypeField.IsEmpty)
                {
                    hardwareType = DefaultHardwareType;
                }
            }

            if (hardwareAddress is null)
            {
                hardwareType = 0;
                hardwareSource = 0;
            }
        }

        lease = new Lease6
        {
            Address = address,
            Duid = duid,
            ValidLifetime = valid,
            Cltt = (long)expire - valid,
            SubnetId = subnetId,
            PreferredLifetime = preferred,
            Type = (LeaseType)type,
            Iaid = iaid,
            PrefixLength = (byte)prefixLength,
            FqdnForward = fqdnForward,
            FqdnReverse = fqdnReverse,
            Hostname = LeaseCsvEscaping.Unescape(Field(text, ranges, columns, LeaseCsvSchema.Hostname)),
            HardwareAddress = hardwareAddress,
            HardwareType = hardwareType,
            HardwareAddressSource = hardwareSource,
            State = (LeaseState)state,
            UserContext = userContext,
            PoolId = poolId,
        };
        error = null;
        return true;
    }

    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> text, ReadOnlySpan<Range> ranges, int columns, int index) =>
        index < columns ? text[ranges[index]] : default;

    // Fills ranges with the fields; the last range takes the rest of the row, so a count of ranges.Length means more
    // fields than ranges - 1.
    private static int SplitFields(ReadOnlySpan<byte> text, Span<Range> ranges)
    {
        var count = 0;
        var start = 0;
        while (count < ranges.Length - 1)
        {
            var comma = text[start..].IndexOf((byte)',');
            if (comma < 0)
            {
                break;
            }

            ranges[count++] = start..(start + comma);
            start += comma + 1;
        }

        ranges[count++] = start..text.Length;
        return count;
    }

    // A field as text, for messages.
    private static string Text(ReadOnlySpan<byte> field) => Encoding.UTF8.GetString(field);

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    private static bool TryUInt(ReadOnlySpan<byte> text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryBool(ReadOnlySpan<byte> text, out bool value)
    {
        value = text.SequenceEqual("1"u8);
        return value || text.SequenceEqual("0"u8);
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
