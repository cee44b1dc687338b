using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// <c>subnet6-delta-add</c>/<c>-delta-del</c> on a subnet's map: parts are found by their keys (a pool by its range,
/// a pd-pool by prefix, prefix-len and delegated-len, an option by space and code or name) and added, overwritten or
/// removed; <c>id</c> and <c>subnet</c> only name the subnet.
/// </summary>
internal sealed class SubnetDelta(OptionDefinitionSet definitions)
{
    private static readonly string[] PdPoolKeys = ["prefix", "prefix-len", "delegated-len"];

    public void Add(JsonObject subnet, JsonObject delta)
    {
        foreach (var (key, value) in delta)
        {
            switch (key)
            {
                case "id" or "subnet":
                    break;
                case "pools":
                    MergeList(ConfigDocument.ListOf(subnet, key), value, SamePool, MergeEntry);
                    break;
                case "pd-pools":
                    MergeList(ConfigDocument.ListOf(subnet, key), value, SamePdPool, MergeEntry);
                    break;
                case "option-data":
                    MergeList(ConfigDocument.ListOf(subnet, key), value, SameOption, MergeEntry);
                    break;
                default:
                    subnet[key] = value?.DeepClone();
                    break;
            }
        }
    }

    public void Delete(JsonObject subnet, JsonObject delta)
    {
        foreach (var (key, value) in delta)
        {
            switch (key)
            {
                case "id" or "subnet":
                    break;
                case "pools":
                    DeleteFromList(subnet[key] as JsonArray, value, SamePool, ["pool"]);
                    break;
                case "pd-pools":
                    DeleteFromList(subnet[key] as JsonArray, value, SamePdPool, PdPoolKeys);
                    break;
                case "option-data":
                    DeleteFromList(subnet[key] as JsonArray, value, SameOption, null);
                    break;
                default:
                    subnet.Remove(key);
                    break;
            }
        }
    }

    private static void MergeList(JsonArray target, JsonNode? given, Func<JsonObject, JsonObject, bool> same, Action<JsonObject, JsonObject> merge)
    {
        foreach (var item in Entries(given))
        {
            if (target.OfType<JsonObject>().FirstOrDefault(existing => same(existing, item)) is { } match)
            {
                merge(match, item);
            }
            else
            {
                target.Add(item.DeepClone());
            }
        }
    }

    // A pool's or option's own keys are overwritten; options inside a pool are merged by their keys.
    private void MergeEntry(JsonObject existing, JsonObject given)
    {
        foreach (var (key, value) in given)
        {
            if (key == "option-data" && existing[key] is JsonArray options)
            {
                MergeList(options, value, SameOption, MergeEntry);
            }
            else
            {
                existing[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>
    /// Removes each given entry: entirely when it holds nothing but its keys (and no options), otherwise only the
    /// options and parameters it names. <paramref name="keys"/> null: entries are always removed whole (options).
    /// </summary>
    private void DeleteFromList(JsonArray? target, JsonNode? given, Func<JsonObject, JsonObject, bool> same, string[]? keys)
    {
        if (target is null)
        {
            return;
        }

        foreach (var item in Entries(given))
        {
            if (target.OfType<JsonObject>().FirstOrDefault(existing => same(existing, item)) is not { } match)
            {
                continue;
            }

            var onlyKeys = keys is null || item.All(p => keys.Contains(p.Key) || (p.Key == "option-data" && p.Value is JsonArray { Count: 0 }));
            if (onlyKeys)
            {
                target.Remove(match);
                continue;
            }

            foreach (var (key, value) in item)
            {
                if (keys.Contains(key))
                {
                    continue;
                }

                if (key == "option-data")
                {
                    DeleteFromList(match[key] as JsonArray, value, SameOption, null);
                }
                else
                {
                    match.Remove(key);
                }
            }
        }
    }

    private static IEnumerable<JsonObject> Entries(JsonNode? list) =>
        list is JsonArray array
            ? array.Select(item => item as JsonObject ?? throw new CommandArgumentException("each entry of a list in the subnet must be a map"))
            : throw new CommandArgumentException("pools, pd-pools and option-data must be lists");

    private static bool SamePool(JsonObject a, JsonObject b) => PoolRange(a) is { } x && PoolRange(b) is { } y && x == y;

    /// <summary>A pool's range, written "first-last" or as a prefix; null when it is neither.</summary>
    private static (Ipv6Address First, Ipv6Address Last)? PoolRange(JsonObject pool)
    {
        if (pool["pool"] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetValue<string>().Trim();
        if (text.Contains('/', StringComparison.Ordinal))
        {
            return Ipv6Prefix.TryParse(text, out var prefix, out _) ? (prefix.First, prefix.Last) : null;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && Ipv6Address.TryParse(text[..dash].Trim(), out var first) && Ipv6Address.TryParse(text[(dash + 1)..].Trim(), out var last)
            ? (first, last)
            : null;
    }

    private static bool SamePdPool(JsonObject a, JsonObject b) =>
        a["prefix"] is JsonValue pa && b["prefix"] is JsonValue pb
        && pa.GetValueKind() == JsonValueKind.String && pb.GetValueKind() == JsonValueKind.String
        && Ipv6Address.TryParse(pa.GetValue<string>().Trim(), out var x) && Ipv6Address.TryParse(pb.GetValue<string>().Trim(), out var y) && x == y
        && JsonNode.DeepEquals(a["prefix-len"], b["prefix-len"])
        && JsonNode.DeepEquals(a["delegated-len"], b["delegated-len"]);

    private bool SameOption(JsonObject a, JsonObject b)
    {
        var (spaceA, codeA, nameA) = OptionKey(a);
        var (spaceB, codeB, nameB) = OptionKey(b);
        if (spaceA != spaceB)
        {
            return false;
        }

        return codeA is not null && codeB is not null ? codeA == codeB : nameA is not null && nameA == nameB;
    }

    /// <summary>An option's space (default dhcp6), its code (from the definition when only the name is written) and name.</summary>
    private (string Space, long? Code, string? Name) OptionKey(JsonObject option)
    {
        var space = option["space"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : "dhcp6";
        var name = option["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        long? code = option["code"] is JsonValue c && c.TryGetValue<long>(out var value) ? value : null;
        if (code is null && name is not null && definitions.TryGetByName(space, name, out var definition))
        {
            code = definition.Code;
        }

        return (space, code, name);
    }
}
