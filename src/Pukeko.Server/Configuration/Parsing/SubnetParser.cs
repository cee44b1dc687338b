using System.Text.Json;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>subnet6</c> lists into drafts.</summary>
internal static class SubnetParser
{
    private static readonly KeyTable<SubnetDraft> Keys = CreateKeys();

    public static void ParseList(JsonElement list, string path, List<SubnetDraft> into, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new SubnetDraft(itemPath);
            if (!Keys.Walk(item, itemPath, draft, context))
            {
                continue;
            }

            ClientClassParser.RejectBothSpellings(item, itemPath, context);

            draft.Ddns.Check(itemPath, context);
            if (!item.TryGetProperty("subnet", out _))
            {
                context.Error(itemPath, "missing mandatory parameter 'subnet'");
                continue;
            }

            if (draft.Prefix is not null)
            {
                into.Add(draft);
            }
        }
    }

    private static KeyTable<SubnetDraft> CreateKeys()
    {
        var keys = new KeyTable<SubnetDraft>("subnet6")
            .On("id", (d, v, p, c) =>
            {
                // Kea reads 0 as "assign one automatically"; 0xFFFFFFFF is its "unused" marker and not allowed.
                if (c.TryInteger(v, p, 0, uint.MaxValue - 1, out var x) && x != 0)
                {
                    d.Id = (uint)x;
                }
            })
            .On("subnet", ParsePrefix)
            .On("pools", (d, v, p, c) => PoolParser.ParseList(v, p, d, c))
            .On("interface", (d, v, p, c) =>
            {
                if (c.TryString(v, p, out var s))
                {
                    d.Interface = s.Length == 0 ? null : s;
                    d.InterfacePath = p;
                }
            })
            .On("option-data", (d, v, p, c) => d.Options = OptionDataParser.ParseList(v, p, c))
            .On("client-classes", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseNameList(v, p, c))
            .On("client-class", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseSingleName(v, p, c))
            .On("evaluate-additional-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseNameList(v, p, c))
            .On("require-client-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseRequiredNameList(v, p, c))
            .On("reservations", (d, v, p, c) => d.Reservations = v)
            .On("rapid-commit", (d, v, p, c) =>
            {
                if (c.TryBool(v, p, out var b))
                {
                    d.RapidCommit = b;
                }
            });
        keys.On("pd-pools", (d, v, p, c) => PdPoolParser.ParseList(v, p, d.PdPools, c));
        LinkDraft.Register(keys, d => d.Link);
        AllocationDraft.Register(keys, d => d.Allocation);
        TimingDraft.Register(keys, d => d.Timing);
        ReservationModesDraft.Register(keys, d => d.ReservationModes);
        DdnsDraft.Register(keys, d => d.Ddns);
        NetworkLevelKeys.Register(keys);
        return keys.Unimplemented(KeaKeys.SubnetUnimplemented);
    }

    private static void ParsePrefix(SubnetDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        if (!Ipv6Prefix.TryParse(text.Trim(), out var prefix, out var error))
        {
            context.Error(path, $"invalid subnet prefix '{text}': {error}");
            return;
        }

        if (!prefix.IsNetworkAddress)
        {
            // Kea keeps working with such a subnet by masking; say so, since it usually is a typo.
            var network = new Ipv6Prefix(prefix.First, prefix.Length);
            context.Warn(path, $"subnet prefix {text} has host bits set; using {network}");
            prefix = network;
        }

        draft.Prefix = prefix;
    }
}
