using System.Text.Json;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>pools</c> lists of a subnet.</summary>
internal static class PoolParser
{
    private static readonly KeyTable<PoolDraft> Keys = CreateKeys();

    private static KeyTable<PoolDraft> CreateKeys()
    {
        var keys = new KeyTable<PoolDraft>("pools")
            .On("pool", ParsePool)
            .On("pool-id", (d, v, p, c) =>
            {
                if (c.TryUInt32(v, p, out var x))
                {
                    d.PoolId = x;
                }
            })
            .On("option-data", (d, v, p, c) => d.Options = OptionDataParser.ParseList(v, p, c))
            .On("client-classes", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseNameList(v, p, c))
            .On("client-class", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseSingleName(v, p, c))
            .On("evaluate-additional-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseNameList(v, p, c))
            .On("require-client-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseRequiredNameList(v, p, c))
            .Unimplemented(KeaKeys.PoolUnimplemented);

        // Kea (3.0+) takes the DDNS keys in address pools, but not the deprecated ddns-use-conflict-resolution.
        DdnsDraft.Register(keys, d => d.Ddns, acceptsUseConflictResolution: false);
        return keys;
    }

    public static void ParseList(JsonElement list, string path, SubnetDraft subnet, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new PoolDraft(itemPath);
            if (!Keys.Walk(item, itemPath, draft, context))
            {
                continue;
            }

            ClientClassParser.RejectBothSpellings(item, itemPath, context);

            draft.Ddns.Check(itemPath, context);
            if (!item.TryGetProperty("pool", out _))
            {
                context.Error(itemPath, "missing mandatory parameter 'pool'");
                continue;
            }

            if (draft.HasRange)
            {
                subnet.Pools.Add(draft);
            }
        }
    }

    /// <summary>Accepts "first - last" (spaces optional) and "prefix/len".</summary>
    private static void ParsePool(PoolDraft draft, JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var text))
        {
            return;
        }

        draft.Text = text.Trim();
        if (TryParseRange(text, out var first, out var last, out var error))
        {
            if (first > last)
            {
                context.Error(path, $"pool {draft.Text} is reversed: first address {first} is greater than last address {last}");
                return;
            }

            draft.First = first;
            draft.Last = last;
            draft.HasRange = true;
        }
        else
        {
            context.Error(path, error);
        }
    }

    internal static bool TryParseRange(string text, out Ipv6Address first, out Ipv6Address last, out string error)
    {
        first = default;
        last = default;
        error = "";
        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (!Ipv6Prefix.TryParse(text.Trim(), out var prefix, out var prefixError))
            {
                error = $"invalid pool '{text}': {prefixError}";
                return false;
            }

            // Host bits beyond the length are ignored, as Kea does: the pool is the whole prefix.
            first = prefix.First;
            last = prefix.Last;
            return true;
        }

        // IPv6 text never contains '-', so a single dash separates the bounds.
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || text.IndexOf('-', dash + 1) >= 0)
        {
            error = $"invalid pool '{text}': expected 'first - last' or 'prefix/length'";
            return false;
        }

        var a = text[..dash].Trim();
        var b = text[(dash + 1)..].Trim();
        if (!Ipv6Address.TryParse(a, out first))
        {
            error = $"invalid pool '{text}': '{a}' is not a valid IPv6 address";
            return false;
        }

        if (!Ipv6Address.TryParse(b, out last))
        {
            error = $"invalid pool '{text}': '{b}' is not a valid IPv6 address";
            return false;
        }

        return true;
    }
}
