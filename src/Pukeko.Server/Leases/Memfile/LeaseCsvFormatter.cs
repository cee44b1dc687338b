using System.Text;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>Renders a lease as one 18-column memfile CSV row (without line terminator).</summary>
internal static class LeaseCsvFormatter
{
    /// <summary>
    /// Appends the row for <paramref name="lease"/>. With <paramref name="asDelete"/> the lifetimes are
    /// written as 0, which is how the memfile log records a deletion.
    /// </summary>
    /// <exception cref="ArgumentException">A lease that is not declined has no (or the empty) DUID; Kea refuses to write such rows.</exception>
    public static void AppendRow(StringBuilder row, Lease6 lease, bool asDelete = false)
    {
        EnsureWritable(lease);

        var valid = asDelete ? 0u : lease.ValidLifetime;
        var preferred = asDelete ? 0u : lease.PreferredLifetime;
        var hasHardwareAddress = lease.HardwareAddress is { Length: > 0 };

        Span<char> address = stackalloc char[Pukeko.Protocol.Addressing.Ipv6Address.MaxTextLength];
        lease.Address.TryFormat(address, out var addressLength);
        row.Append(address[..addressLength]).Append(',');
        LeaseCsvHex.Append(row, lease.Duid);
        row.Append(',').Append(valid)
            .Append(',').Append(lease.Cltt + valid)
            .Append(',').Append(lease.SubnetId)
            .Append(',').Append(preferred)
            .Append(',').Append((byte)lease.Type)
            .Append(',').Append(lease.Iaid)
            .Append(',').Append(lease.PrefixLength)
            .Append(',').Append(lease.FqdnForward ? '1' : '0')
            .Append(',').Append(lease.FqdnReverse ? '1' : '0')
            .Append(',');
        LeaseCsvEscaping.Append(row, lease.Hostname);
        row.Append(',');
        if (hasHardwareAddress)
        {
            LeaseCsvHex.Append(row, lease.HardwareAddress);
        }

        row.Append(',').Append((uint)lease.State).Append(',');
        if (!string.IsNullOrEmpty(lease.UserContext))
        {
            LeaseCsvEscaping.Append(row, lease.UserContext);
        }

        // Without a hardware address Kea writes HTYPE_UNDEFINED (0) and source unknown (0).
        row.Append(',').Append(hasHardwareAddress ? lease.HardwareType : (ushort)0)
            .Append(',').Append(hasHardwareAddress ? lease.HardwareAddressSource : 0u)
            .Append(',').Append(lease.PoolId);
    }

    /// <summary>Formats a row as a string (tests, diagnostics).</summary>
    public static string FormatRow(Lease6 lease, bool asDelete = false)
    {
        var sb = new StringBuilder(160);
        AppendRow(sb, lease, asDelete);
        return sb.ToString();
    }

    /// <summary>True for the DUID Kea treats as "no client": zero length or 00:00:00.</summary>
    public static bool IsEmptyDuid(ReadOnlySpan<byte> duid) => duid.IsEmpty || duid.SequenceEqual(Lease6.DeclinedDuid);

    private static void EnsureWritable(Lease6 lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Duid is null || (IsEmptyDuid(lease.Duid) && lease.State != LeaseState.Declined))
        {
            throw new ArgumentException(
                $"Lease6 {lease.Address}, state {lease.State}, has no DUID; only declined leases may have the empty DUID",
                nameof(lease));
        }

        if (lease.Hostname is null)
        {
            throw new ArgumentException($"Lease6 {lease.Address} has a null hostname; use the empty string", nameof(lease));
        }
    }
}
