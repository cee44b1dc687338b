using System.Globalization;
using System.Text.Json.Nodes;

namespace Pukeko.Ctl.Live;

/// <summary>
/// The pools that share one statistics scope: Kea counts per pool ID, and pools without a <c>pool-id</c> all share ID 0.
/// </summary>
internal sealed record PoolLayout(PoolKind Kind, uint PoolId, IReadOnlyList<string> Ranges)
{
    public string Label => string.Join(", ", Ranges);
}

internal sealed record SubnetLayout(uint Id, string Prefix, IReadOnlyList<PoolLayout> Pools);

/// <summary>Subnets and pools as the running configuration (<c>config-get</c>) names them, to label the statistics.</summary>
internal sealed class ServerLayout(IReadOnlyList<SubnetLayout> subnets)
{
    public static readonly ServerLayout Empty = new([]);

    public IReadOnlyList<SubnetLayout> Subnets { get; } = subnets;

    /// <summary>Reads the arguments of <c>config-get</c>: <c>Dhcp6.subnet6</c> and the subnets of <c>Dhcp6.shared-networks</c>.</summary>
    public static ServerLayout Parse(JsonObject arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments["Dhcp6"] is not JsonObject dhcp6)
        {
            return Empty;
        }

        var subnets = new List<SubnetLayout>();
        AddSubnets(dhcp6["subnet6"], subnets);
        if (dhcp6["shared-networks"] is JsonArray networks)
        {
            foreach (var network in networks)
            {
                AddSubnets(network?["subnet6"], subnets);
            }
        }

        subnets.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new ServerLayout(subnets);
    }

    private static void AddSubnets(JsonNode? list, List<SubnetLayout> subnets)
    {
        if (list is not JsonArray array)
        {
            return;
        }

        foreach (var subnet in array.OfType<JsonObject>())
        {
            if (Number(subnet["id"]) is not { } id)
            {
                continue;
            }

            var pools = new List<(PoolKind Kind, uint Id, string Range)>();
            foreach (var pool in Items(subnet["pools"]))
            {
                if (Text(pool["pool"]) is { } range)
                {
                    pools.Add((PoolKind.Address, Number(pool["pool-id"]) ?? 0, range.Replace(" ", "", StringComparison.Ordinal)));
                }
            }

            foreach (var pool in Items(subnet["pd-pools"]))
            {
                if (Text(pool["prefix"]) is { } prefix)
                {
                    var range = string.Create(CultureInfo.InvariantCulture, $"{prefix}/{Number(pool["prefix-len"])} (/{Number(pool["delegated-len"])})");
                    pools.Add((PoolKind.Prefix, Number(pool["pool-id"]) ?? 0, range));
                }
            }

            var grouped = pools
                .GroupBy(p => (p.Kind, p.Id))
                .Select(g => new PoolLayout(g.Key.Kind, g.Key.Id, [.. g.Select(p => p.Range)]))
                .ToList();
            subnets.Add(new SubnetLayout(id, Text(subnet["subnet"]) ?? "", grouped));
        }
    }

    private static IEnumerable<JsonObject> Items(JsonNode? node) => node is JsonArray array ? array.OfType<JsonObject>() : [];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static uint? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) && number is >= 0 and <= uint.MaxValue ? (uint)number : null;
}
