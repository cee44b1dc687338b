using System.Text.Json;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>option-def</c> (custom option definitions) into <see cref="ParseContext.Definitions"/>. Runs before any
/// <c>option-data</c> is read, wherever the key appears in the file, because option data is encoded by definition.
/// </summary>
internal static class OptionDefParser
{
    private static readonly KeyTable<OptionDefDraft> Keys = new KeyTable<OptionDefDraft>("option-def")
        .On("name", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Name = s;
            }
        })
        .On("code", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 1, ushort.MaxValue, out var x))
            {
                d.Code = (ushort)x;
            }
        })
        .On("type", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Type = s;
            }
        })
        .On("array", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.Array = b;
            }
        })
        .On("record-types", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.RecordTypes = s;
            }
        })
        .On("space", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Space = s;
            }
        })
        .On("encapsulate", (d, v, p, c) =>
        {
            if (c.TryString(v, p, out var s))
            {
                d.Encapsulate = s;
            }
        });

    public static void ParseList(JsonElement list, string path, ParseContext context)
    {
        foreach (var (item, itemPath) in context.Items(list, path))
        {
            var draft = new OptionDefDraft();
            var errorsBefore = context.Errors.Count;
            if (!Keys.Walk(item, itemPath, draft, context) || context.Errors.Count != errorsBefore)
            {
                continue;
            }

            if (Build(draft, itemPath, context) is { } definition && !context.Definitions.TryAdd(definition))
            {
                context.Error(itemPath, $"option definition with name '{definition.Name}' or code '{definition.Code}' already exists in option space '{definition.Space}'");
            }
        }
    }

    private static OptionDefinition? Build(OptionDefDraft draft, string path, ParseContext context)
    {
        foreach (var (value, key) in new[] { (draft.Name, "name"), (draft.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture), "code"), (draft.Type, "type") })
        {
            if (value is null)
            {
                context.Error(path, $"missing parameter '{key}'");
                return null;
            }
        }

        var name = draft.Name!;
        if (!IsValidName(name))
        {
            context.Error(ParseContext.Child(path, "name"), $"invalid option name '{name}': use letters, digits, '-' and '_'");
            return null;
        }

        if (!IsValidName(draft.Space))
        {
            context.Error(ParseContext.Child(path, "space"), $"invalid option space name '{draft.Space}'");
            return null;
        }

        if (draft.Space == StandardOptionDefinitions.Dhcp6Space && StandardOptionDefinitions.TryGetByCode(draft.Space, draft.Code!.Value, out var standard))
        {
            context.Error(ParseContext.Child(path, "code"), $"unable to override definition of option '{draft.Code}' in standard option space '{draft.Space}' (standard option '{standard.Name}')");
            return null;
        }

        if (!OptionDataTypeNames.TryParse(draft.Type, out var type))
        {
            context.Error(ParseContext.Child(path, "type"), $"unknown option data type '{draft.Type}'");
            return null;
        }

        IReadOnlyList<OptionDataType>? fields = null;
        if (type == OptionDataType.Record)
        {
            if (!OptionDataTypeNames.TryParseList(draft.RecordTypes, out var parsed, out var error))
            {
                context.Error(ParseContext.Child(path, "record-types"), $"invalid record-types '{draft.RecordTypes}': {error}");
                return null;
            }

            fields = parsed;
        }
        else if (draft.RecordTypes.Length > 0)
        {
            context.Error(ParseContext.Child(path, "record-types"), "record-types is only valid with type 'record'");
            return null;
        }

        if (draft.Encapsulate.Length > 0 && draft.Array)
        {
            context.Error(ParseContext.Child(path, "encapsulate"), "option definition can't be an array and encapsulate an option space at the same time");
            return null;
        }

        if (draft.Array && type is OptionDataType.Empty)
        {
            context.Error(ParseContext.Child(path, "array"), "an empty option cannot be an array");
            return null;
        }

        return new OptionDefinition(name, draft.Code!.Value, draft.Space, type, draft.Array, fields, draft.Encapsulate.Length == 0 ? null : draft.Encapsulate);
    }

    private static bool IsValidName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && name[0] != '-' && name[^1] != '-';
}
