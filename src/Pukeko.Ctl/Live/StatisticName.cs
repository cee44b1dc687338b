using System.Globalization;

namespace Pukeko.Ctl.Live;

/// <summary>An address pool (<c>pool[N]</c>) or a prefix-delegation pool (<c>pd-pool[N]</c>).</summary>
internal enum PoolKind
{
    Address,
    Prefix,
}

/// <summary>
/// A Kea statistic name taken apart: <c>pkt6-received</c> (global), <c>subnet[1].assigned-nas</c> (subnet),
/// <c>subnet[1].pool[0].total-nas</c> and <c>subnet[1].pd-pool[2].assigned-pds</c> (pool).
/// </summary>
internal readonly record struct StatisticName(string Name, uint? SubnetId = null, PoolKind? Pool = null, uint PoolId = 0)
{
    public static bool TryParse(string text, out StatisticName parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (!text.StartsWith("subnet[", StringComparison.Ordinal))
        {
            if (text.Contains('[', StringComparison.Ordinal))
            {
                return false;
            }

            parsed = new StatisticName(text);
            return true;
        }

        var rest = text.AsSpan("subnet".Length);
        if (!TryIndex(ref rest, out var subnetId))
        {
            return false;
        }

        PoolKind? kind = null;
        uint poolId = 0;
        if (rest.StartsWith("pool[", StringComparison.Ordinal))
        {
            kind = PoolKind.Address;
            rest = rest["pool".Length..];
        }
        else if (rest.StartsWith("pd-pool[", StringComparison.Ordinal))
        {
            kind = PoolKind.Prefix;
            rest = rest["pd-pool".Length..];
        }

        if (kind is not null && !TryIndex(ref rest, out poolId))
        {
            return false;
        }

        if (rest.IsEmpty || rest.Contains('['))
        {
            return false;
        }

        parsed = new StatisticName(rest.ToString(), subnetId, kind, poolId);
        return true;
    }

    /// <summary>Reads <c>[digits].</c> from the start of <paramref name="rest"/>.</summary>
    private static bool TryIndex(ref ReadOnlySpan<char> rest, out uint index)
    {
        index = 0;
        var close = rest.IndexOf("].", StringComparison.Ordinal);
        if (rest.Length == 0 || rest[0] != '[' || close < 2
            || !uint.TryParse(rest[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        rest = rest[(close + 2)..];
        return true;
    }

    public override string ToString() => (SubnetId, Pool) switch
    {
        (null, _) => Name,
        ({ } s, null) => $"subnet[{s}].{Name}",
        ({ } s, PoolKind.Address) => $"subnet[{s}].pool[{PoolId}].{Name}",
        ({ } s, _) => $"subnet[{s}].pd-pool[{PoolId}].{Name}",
    };
}
