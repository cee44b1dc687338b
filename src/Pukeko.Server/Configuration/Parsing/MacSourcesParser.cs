using System.Text.Json;
using Pukeko.Server.Allocation;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Reads <c>mac-sources</c>: a non-empty list of Kea's source names (each RFC spelling is an alias of its name);
/// a source named twice, by either spelling, is an error as in Kea.
/// </summary>
internal static class MacSourcesParser
{
    private static readonly Dictionary<string, uint> Names = new(StringComparer.Ordinal)
    {
        ["any"] = HardwareAddressFinder.SourceAny,
        ["raw"] = HardwareAddressFinder.SourceRaw,
        ["duid"] = HardwareAddressFinder.SourceDuid,
        ["ipv6-link-local"] = HardwareAddressFinder.SourceLinkLocal,
        ["client-link-addr-option"] = HardwareAddressFinder.SourceClientLinkLayerOption,
        ["rfc6939"] = HardwareAddressFinder.SourceClientLinkLayerOption,
        ["remote-id"] = HardwareAddressFinder.SourceRemoteId,
        ["rfc4649"] = HardwareAddressFinder.SourceRemoteId,
        ["subscriber-id"] = HardwareAddressFinder.SourceSubscriberId,
        ["rfc4580"] = HardwareAddressFinder.SourceSubscriberId,
        ["docsis-cmts"] = HardwareAddressFinder.SourceDocsisCmts,
        ["docsis-modem"] = HardwareAddressFinder.SourceDocsisModem,
    };

    public static IReadOnlyList<uint> Parse(JsonElement value, string path, ParseContext context)
    {
        var sources = new List<uint>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            context.ExpectKind(value, path, JsonValueKind.Array);
            return HardwareAddressFinder.DefaultSources;
        }

        foreach (var (item, itemPath) in context.Items(value, path))
        {
            if (!context.TryString(item, itemPath, out var name))
            {
                continue;
            }

            if (!Names.TryGetValue(name, out var source))
            {
                context.Error(itemPath, $"'{name}' is not a MAC source; known: {string.Join(", ", Names.Keys)}");
            }
            else if (sources.Contains(source))
            {
                context.Error(itemPath, $"the mac-sources value '{name}' names a source already listed");
            }
            else
            {
                sources.Add(source);
            }
        }

        if (value.GetArrayLength() == 0)
        {
            context.Error(path, "mac-sources, if given, must not be empty");
        }

        return sources.Count > 0 ? sources : HardwareAddressFinder.DefaultSources;
    }
}
