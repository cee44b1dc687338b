using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>shared-networks</c>: each network's own parameters and its <c>subnet6</c> list.</summary>
internal static class SharedNetworkParser
{
    private static readonly KeyTable<SharedNetworkDraft> Keys = CreateKeys();

    public static void ParseList(JsonElement list, string path, List<SharedNetworkDraft> into, ParseContext context)
    {
        var names = new Dictionary<string, SharedNetworkDraft>(StringComparer.Ordinal);
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new SharedNetworkDraft(itemPath);
            if (!Keys.Walk(item, itemPath, draft, context))
            {
                continue;
            }

            ClientClassParser.RejectBothSpellings(item, itemPath, context);

            draft.Ddns.Check(itemPath, context);
            if (draft.Name is null)
            {
                if (!item.TryGetProperty("name", out _))
                {
                    context.Error(itemPath, "missing mandatory parameter 'name'");
                }

                continue;
            }

            if (!names.TryAdd(draft.Name, draft))
            {
                context.Error(draft.NamePath, $"shared network name '{draft.Name}' is already used by {names[draft.Name].Path}");
                continue;
            }

            foreach (var subnet in draft.Subnets)
            {
                subnet.Network = draft;
            }

            into.Add(draft);
        }
    }

    private static KeyTable<SharedNetworkDraft> CreateKeys()
    {
        var keys = new KeyTable<SharedNetworkDraft>("shared-networks")
            .On("name", (d, v, p, c) =>
            {
                if (!c.TryString(v, p, out var s))
                {
                    return;
                }

                if (s.Trim().Length == 0)
                {
                    c.Error(p, "shared network name must not be empty");
                    return;
                }

                d.Name = s;
            })
            .On("subnet6", (d, v, p, c) => SubnetParser.ParseList(v, p, d.Subnets, c))
            .On("interface", (d, v, p, c) =>
            {
                if (c.TryString(v, p, out var s))
                {
                    d.Interface = s.Length == 0 ? null : s;
                    d.InterfacePath = p;
                }
            })
            .On("rapid-commit", (d, v, p, c) =>
            {
                if (c.TryBool(v, p, out var b))
                {
                    d.RapidCommit = b;
                }
            })
            .On("option-data", (d, v, p, c) => d.Options = OptionDataParser.ParseList(v, p, c))
            .On("client-classes", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseNameList(v, p, c))
            .On("client-class", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseSingleName(v, p, c))
            .On("evaluate-additional-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseNameList(v, p, c))
            .On("require-client-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseRequiredNameList(v, p, c));
        LinkDraft.Register(keys, d => d.Link);
        AllocationDraft.Register(keys, d => d.Allocation);
        TimingDraft.Register(keys, d => d.Timing);
        DdnsDraft.Register(keys, d => d.Ddns);
        ReservationModesDraft.Register(keys, d => d.ReservationModes);
        NetworkLevelKeys.Register(keys);
        return keys.Unimplemented(KeaKeys.SharedNetworkUnimplemented);
    }
}
