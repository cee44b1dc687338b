using System.Text.Json;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks.Views;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Which relationship serves each subnet in hub and spoke (Kea 2.6+'s <c>HAConfig::getSubnetServerName</c>): the
/// <c>ha-server-name</c> of the subnet's <c>user-context</c>, else of its shared network's; any server name of a
/// relationship (this server's or a peer's) picks that relationship.
/// </summary>
internal sealed class HaSubnetMap
{
    private const string Key = "ha-server-name";

    private readonly Dictionary<uint, HaSubnetSelector> _bySubnetId;

    private HaSubnetMap(Dictionary<uint, HaSubnetSelector> bySubnetId) => _bySubnetId = bySubnetId;

    /// <summary>No subnet names a relationship (enough for one relationship, which serves every subnet).</summary>
    public static HaSubnetMap Empty { get; } = new([]);

    /// <summary>Reads the selectors of every subnet of <paramref name="config"/>.</summary>
    public static HaSubnetMap Of(DhcpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var views = ConfigViews.Of(config);
        var networks = views.Server.SharedNetworks.ToDictionary(n => n.Name, n => n.UserContext, StringComparer.Ordinal);
        var map = new Dictionary<uint, HaSubnetSelector>();
        foreach (var subnet in views.Subnets)
        {
            // Kea looks at the shared network only when the subnet's own context is not a map holding the key.
            var context = subnet.UserContext is { ValueKind: JsonValueKind.Object } own && own.TryGetProperty(Key, out _)
                ? own
                : subnet.SharedNetworkName is { } network ? networks.GetValueOrDefault(network) : null;
            map[subnet.Id] = Read(context);
        }

        return new HaSubnetMap(map);
    }

    /// <summary>The selector of the subnet with <paramref name="subnetId"/> (none for a subnet not in the configuration).</summary>
    public HaSubnetSelector SelectorOf(uint subnetId) => _bySubnetId.GetValueOrDefault(subnetId, HaSubnetSelector.None);

    /// <summary>The subnets mapped to <paramref name="relationship"/> (by any of its server names).</summary>
    public IReadOnlySet<uint> SubnetsOf(HaRelationshipConfig relationship)
    {
        ArgumentNullException.ThrowIfNull(relationship);
        return _bySubnetId.Where(e => e.Value.Name is { } name && relationship.Peers.Any(p => p.Name == name)).Select(e => e.Key).ToHashSet();
    }

    private static HaSubnetSelector Read(JsonElement? context)
    {
        if (context is not { ValueKind: JsonValueKind.Object } map || !map.TryGetProperty(Key, out var name))
        {
            return HaSubnetSelector.None;
        }

        return name.ValueKind == JsonValueKind.String && name.GetString() is { Length: > 0 } text
            ? new HaSubnetSelector(text, Valid: true)
            : HaSubnetSelector.Invalid;
    }
}

/// <summary>A subnet's <c>ha-server-name</c>: absent (<see cref="Name"/> null, valid), a name, or not a non-empty string (invalid).</summary>
internal readonly record struct HaSubnetSelector(string? Name, bool Valid)
{
    public static HaSubnetSelector None { get; } = new(null, Valid: true);

    public static HaSubnetSelector Invalid { get; } = new(null, Valid: false);
}
