using System.Text.Json;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>option-data</c> lists (global, subnet, pool, and later classes/reservations).</summary>
internal static class OptionDataParser
{
    private static readonly KeyTable<OptionDataDraft> Keys = new KeyTable<OptionDataDraft>("option-data")
        .On("user-context", (d, v, p, c) => d.UserContext = ParseContext.UserContextText(v))
        .On("name", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Name = s;
            }
        })
        .On("code", (d, v, p, c) =>
        {
            // Option code 0 is reserved in DHCPv6 and codes are 16-bit.
            if (c.TryInteger(v, p, 1, ushort.MaxValue, out var x))
            {
                d.Code = (ushort)x;
                d.CodePath = p;
            }
        })
        .On("space", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                if (s.Length == 0)
                {
                    c.Error(p, "option space must not be empty");
                }
                else
                {
                    d.Space = s;
                }
            }
        })
        .On("data", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Data = s;
                d.DataPath = p;
            }
        })
        .On("csv-format", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.CsvFormat = b;
                d.CsvFormatGiven = true;
            }
        })
        .On("always-send", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.AlwaysSend = b;
            }
        })
        .On("never-send", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.NeverSend = b;
            }
        })
        .On("client-classes", (d, v, p, c) => d.ClientClasses = ClientClassParser.ParseNameList(v, p, c));

    /// <summary>Parses the list at <paramref name="path"/>; entries with errors are reported and left out.</summary>
    public static IReadOnlyList<OptionDescriptor> ParseList(JsonElement list, string path, ParseContext context)
    {
        var result = new List<OptionDescriptor>();
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new OptionDataDraft();
            var errorsBefore = context.Errors.Count;
            if (!Keys.Walk(item, itemPath, draft, context) || context.Errors.Count != errorsBefore)
            {
                continue;
            }

            if (Build(draft, itemPath, context) is { } option)
            {
                result.Add(option);
            }
        }

        return result;
    }

    private static OptionDescriptor? Build(OptionDataDraft draft, string path, ParseContext context)
    {
        var definitions = context.Definitions;
        OptionDefinition? definition = null;
        if (draft.Name is { } name)
        {
            if (!definitions.TryGetByName(draft.Space, name, out definition))
            {
                // Kea's wording (Forge greps for it).
                context.Error(ParseContext.Child(path, "name"), $"definition for the option '{draft.Space}.{name}' having code '{draft.Code ?? 0}' does not exist");
                return null;
            }

            if (draft.Code is { } code && code != definition.Code)
            {
                context.Error(draft.CodePath!, $"option code {code} does not match code {definition.Code} of option '{name}'");
                return null;
            }
        }
        else if (draft.Code is { } code)
        {
            // A code without a known definition is allowed: its data is then opaque hex.
            definitions.TryGetByCode(draft.Space, code, out definition);
        }
        else
        {
            context.Error(path, "option-data entry needs a 'name' or a 'code'");
            return null;
        }

        var dataPath = draft.DataPath ?? path;
        if (definition is not null && draft.CsvFormat && string.IsNullOrWhiteSpace(draft.Data)
            && definition.Type is not (OptionDataType.Empty or OptionDataType.Binary) && definition.Encapsulates is null)
        {
            context.Error(dataPath, $"option data does not match option definition (space: {draft.Space}, code: {definition.Code}): no option value specified");
            return null;
        }

        byte[] data;
        var ignoredValues = 0;
        try
        {
            data = definition is not null && draft.CsvFormat
                ? OptionDataEncoder.Encode(definition, draft.Data, csvFormat: true, out ignoredValues)
                : OptionDataEncoder.EncodeHex(draft.Data);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            var what = definition?.Name ?? $"code {draft.Code}";
            var form = definition is not null && draft.CsvFormat ? "" : " (hex expected)";
            context.Error(dataPath, $"invalid data '{draft.Data}' for option {what}{form}: {ex.Message}");
            return null;
        }

        if (ignoredValues > 0)
        {
            // Kea drops them silently; saying so helps whoever wonders why a value never reaches clients.
            var what = ignoredValues == 1 ? "value is" : $"{ignoredValues} values are";
            context.Warn(dataPath, $"option '{definition!.Name}' holds fewer values than '{draft.Data}' gives: the last {what} ignored, as Kea does");
        }

        return new OptionDescriptor(definition?.Code ?? draft.Code!.Value, draft.Space, definition?.Name ?? draft.Name, data, draft.AlwaysSend, draft.NeverSend,
            draft.ClientClasses.Count == 0 ? null : draft.ClientClasses,
            definition is not null && draft.CsvFormat && draft.Data.Length > 0 ? draft.Data : null, draft.UserContext);
    }
}
