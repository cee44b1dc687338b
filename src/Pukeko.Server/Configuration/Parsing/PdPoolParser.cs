using System.Text.Json;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses and checks the <c>pd-pools</c> list of a subnet.</summary>
internal static class PdPoolParser
{
    private static readonly KeyTable<PdPoolDraft> Keys = new KeyTable<PdPoolDraft>("pd-pools")
        .On("prefix", (d, v, p, c) => d.Prefix = ParseAddress(v, p, c, "prefix"))
        .On("prefix-len", (d, v, p, c) => d.PrefixLength = ParseLength(v, p, c))
        .On("delegated-len", (d, v, p, c) => d.DelegatedLength = ParseLength(v, p, c))
        .On("excluded-prefix", (d, v, p, c) => d.ExcludedPrefix = ParseAddress(v, p, c, "excluded-prefix"))
        .On("excluded-prefix-len", (d, v, p, c) => d.ExcludedPrefixLength = ParseLength(v, p, c))
        .On("pool-id", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.PoolId = x;
            }
        })
        .On("option-data", (d, v, p, c) => d.Options = OptionDataParser.ParseList(v, p, c))
        .On("client-classes", (d, v, p, c) =>
        {
            foreach (var (item, itemPath) in c.Items(v, p))
            {
                if (c.TryString(item, itemPath, out var name) && name.Length > 0 && !d.ClientClasses.Contains(name))
                {
                    d.ClientClasses.Add(name);
                }
            }
        })
        .On("client-class", (d, v, p, c) =>
        {
            // Kea 2.x's single guard class; an empty name guards nothing.
            foreach (var name in ClientClassParser.ParseSingleName(v, p, c))
            {
                if (!d.ClientClasses.Contains(name))
                {
                    d.ClientClasses.Add(name);
                }
            }
        })
        .On("evaluate-additional-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseNameList(v, p, c))
        .On("require-client-classes", (d, v, p, c) => d.AdditionalClasses = ClientClassParser.ParseRequiredNameList(v, p, c))
        .Unimplemented(KeaKeys.PoolUnimplemented);

    public static void ParseList(JsonElement list, string path, List<PdPoolDraft> into, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new PdPoolDraft(itemPath);
            if (!Keys.Walk(item, itemPath, draft, context))
            {
                continue;
            }

            ClientClassParser.RejectBothSpellings(item, itemPath, context);

            draft.Pool = Check(draft, item, context);
            into.Add(draft);
        }
    }

    /// <summary>The checks Kea's Pool6 constructor makes, each reported at the key it concerns.</summary>
    private static PrefixPool? Check(PdPoolDraft draft, JsonElement item, ParseContext context)
    {
        var ok = true;
        foreach (var key in (string[])["prefix", "prefix-len", "delegated-len"])
        {
            if (!item.TryGetProperty(key, out _))
            {
                context.Error(draft.Path, $"missing mandatory parameter '{key}'");
                ok = false;
            }
        }

        if (!ok || draft.Prefix is not { } address || draft.PrefixLength is not { } length || draft.DelegatedLength is not { } delegated)
        {
            return null;
        }

        if (delegated < length)
        {
            context.Error(draft.DelegatedLengthPath, $"delegated-len ({delegated}) must not be shorter than prefix-len ({length})");
            return null;
        }

        var prefix = new Ipv6Prefix(address, length);
        if (!prefix.IsNetworkAddress)
        {
            context.Error(draft.PrefixPath, $"prefix {address}/{length} has bits set beyond its length; did you mean {new Ipv6Prefix(prefix.First, length)}?");
            return null;
        }

        Ipv6Prefix? excluded = null;
        var hasExcluded = draft.ExcludedPrefix is { } e && !e.IsUnspecified;
        var hasExcludedLength = draft.ExcludedPrefixLength is > 0;
        if (hasExcluded != hasExcludedLength)
        {
            context.Error(draft.Path, "excluded-prefix and excluded-prefix-len must be given together");
            return null;
        }

        if (hasExcluded)
        {
            var excludedLength = draft.ExcludedPrefixLength!.Value;
            if (excludedLength <= delegated)
            {
                context.Error(ParseContext.Child(draft.Path, "excluded-prefix-len"),
                    $"excluded-prefix-len ({excludedLength}) must be longer than delegated-len ({delegated})");
                return null;
            }

            var candidate = new Ipv6Prefix(draft.ExcludedPrefix!.Value, excludedLength);
            if (!prefix.Contains(candidate.Address))
            {
                context.Error(draft.ExcludedPrefixPath, $"excluded prefix {candidate} is outside the pool prefix {prefix}");
                return null;
            }

            excluded = candidate;
        }

        return new PrefixPool
        {
            Prefix = prefix,
            DelegatedLength = (byte)delegated,
            ExcludedPrefix = excluded,
            PoolId = draft.PoolId,
            Options = draft.Options,
            ClientClasses = [.. draft.ClientClasses],
            AdditionalClasses = draft.AdditionalClasses,
        };
    }

    private static Ipv6Address? ParseAddress(JsonElement value, string path, ParseContext context, string what)
    {
        if (!context.TryString(value, path, out var text))
        {
            return null;
        }

        if (!Ipv6Address.TryParse(text.Trim(), out var address))
        {
            context.Error(path, $"{what} '{text}' is not a valid IPv6 address");
            return null;
        }

        return address;
    }

    private static int? ParseLength(JsonElement value, string path, ParseContext context) =>
        context.TryInteger(value, path, 0, 128, out var x) ? (int)x : null;
}
