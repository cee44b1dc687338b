using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Control.Commands;

/// <summary>A subnet's map in the configuration document, the list holding it, and its shared network's map (or null).</summary>
internal sealed record SubnetNode(JsonObject Map, JsonArray Owner, JsonObject? Network)
{
    public string? NetworkName => Network?["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String ? name.GetValue<string>() : null;
}

/// <summary>
/// The running configuration's JSON document, for commands that read or change the configuration as written (host,
/// subnet and class commands). Subnets are matched to the running configuration by prefix, which the loader keeps
/// unique, so a subnet whose id was assigned automatically is found too.
/// </summary>
internal sealed class ConfigDocument
{
    public ConfigDocument(DhcpConfig running, JsonObject root)
    {
        Running = running;
        Root = root;
        Dhcp6 = root["Dhcp6"] as JsonObject ?? throw new InvalidOperationException("the running configuration has no Dhcp6 map");
    }

    public DhcpConfig Running { get; }

    public JsonObject Root { get; }

    public JsonObject Dhcp6 { get; }

    /// <summary>A detached copy of the running configuration's document, for reading.</summary>
    public static ConfigDocument Of(DhcpConfig running) =>
        new(running, JsonNode.Parse(running.Source.GetRawText(), documentOptions: ConfigLoader.JsonOptions) as JsonObject ?? []);

    /// <summary>The list under <paramref name="key"/> in <paramref name="map"/>, created when absent.</summary>
    public static JsonArray ListOf(JsonObject map, string key)
    {
        if (map[key] is JsonArray list)
        {
            return list;
        }

        var created = new JsonArray();
        map[key] = created;
        return created;
    }

    /// <summary>Every subnet map: plain subnets first, then those of each shared network.</summary>
    public IEnumerable<SubnetNode> Subnets()
    {
        if (Dhcp6["subnet6"] is JsonArray plain)
        {
            foreach (var item in plain)
            {
                if (item is JsonObject map)
                {
                    yield return new SubnetNode(map, plain, null);
                }
            }
        }

        foreach (var network in Networks())
        {
            if (network["subnet6"] is JsonArray members)
            {
                foreach (var item in members)
                {
                    if (item is JsonObject map)
                    {
                        yield return new SubnetNode(map, members, network);
                    }
                }
            }
        }
    }

    public IEnumerable<JsonObject> Networks() =>
        Dhcp6["shared-networks"] is JsonArray networks ? networks.OfType<JsonObject>() : [];

    public JsonObject? FindNetwork(string name) =>
        Networks().FirstOrDefault(n => n["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == name);

    /// <summary>The map of the running subnet <paramref name="id"/>, or null when no such subnet runs.</summary>
    public SubnetNode? FindSubnet(uint id) =>
        Running.FindSubnet(id) is { } subnet ? Subnets().FirstOrDefault(s => SamePrefix(s.Map, subnet.Prefix)) : null;

    /// <summary>
    /// Writes the running id into every subnet map that has none (or 0), so a change that adds or removes subnets
    /// does not renumber the others (the loader numbers subnets without an id by their order).
    /// </summary>
    public void PinSubnetIds()
    {
        foreach (var node in Subnets())
        {
            if (node.Map["id"] is JsonValue id && id.TryGetValue<long>(out var value) && value != 0)
            {
                continue;
            }

            if (Running.Subnets.FirstOrDefault(s => SamePrefix(node.Map, s.Prefix)) is { } running)
            {
                node.Map["id"] = running.Id;
            }
        }
    }

    /// <summary>The prefix a subnet map's <c>subnet</c> names, or null when it names none.</summary>
    public static Ipv6Prefix? PrefixOf(JsonObject subnet) =>
        subnet["subnet"] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && Ipv6Prefix.TryParse(value.GetValue<string>().Trim(), out var prefix, out _)
                ? prefix
                : null;

    private static bool SamePrefix(JsonObject subnet, Ipv6Prefix prefix) =>
        PrefixOf(subnet) is { } written && written.Length == prefix.Length && written.First == prefix.First;
}
