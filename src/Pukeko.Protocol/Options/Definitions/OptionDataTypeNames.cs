using System.Diagnostics.CodeAnalysis;

namespace Pukeko.Protocol.Options.Definitions;

/// <summary>Kea's textual type names ("ipv6-address", "uint16", ...) as used in <c>option-def</c> entries.</summary>
public static class OptionDataTypeNames
{
    public static string ToKeaName(OptionDataType type) => type switch
    {
        OptionDataType.Empty => "empty",
        OptionDataType.Binary => "binary",
        OptionDataType.Boolean => "boolean",
        OptionDataType.Int8 => "int8",
        OptionDataType.Int16 => "int16",
        OptionDataType.Int32 => "int32",
        OptionDataType.Uint8 => "uint8",
        OptionDataType.Uint16 => "uint16",
        OptionDataType.Uint32 => "uint32",
        OptionDataType.Ipv4Address => "ipv4-address",
        OptionDataType.Ipv6Address => "ipv6-address",
        OptionDataType.Ipv6Prefix => "ipv6-prefix",
        OptionDataType.Psid => "psid",
        OptionDataType.String => "string",
        OptionDataType.Fqdn => "fqdn",
        OptionDataType.Tuple => "tuple",
        OptionDataType.Record => "record",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(string? name, out OptionDataType type)
    {
        switch (name?.Trim())
        {
            case "empty": type = OptionDataType.Empty; return true;
            case "binary": type = OptionDataType.Binary; return true;
            case "boolean": type = OptionDataType.Boolean; return true;
            case "int8": type = OptionDataType.Int8; return true;
            case "int16": type = OptionDataType.Int16; return true;
            case "int32": type = OptionDataType.Int32; return true;
            case "uint8": type = OptionDataType.Uint8; return true;
            case "uint16": type = OptionDataType.Uint16; return true;
            case "uint32": type = OptionDataType.Uint32; return true;
            case "ipv4-address": type = OptionDataType.Ipv4Address; return true;
            case "ipv6-address": type = OptionDataType.Ipv6Address; return true;
            case "ipv6-prefix": type = OptionDataType.Ipv6Prefix; return true;
            case "psid": type = OptionDataType.Psid; return true;
            case "string": type = OptionDataType.String; return true;
            case "fqdn": type = OptionDataType.Fqdn; return true;
            case "tuple": type = OptionDataType.Tuple; return true;
            case "record": type = OptionDataType.Record; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Parses Kea's <c>record-types</c> text, e.g. "uint8, ipv6-address".</summary>
    public static bool TryParseList(string? text, [NotNullWhen(true)] out IReadOnlyList<OptionDataType>? types, [NotNullWhen(false)] out string? error)
    {
        types = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "record-types is empty";
            return false;
        }

        var result = new List<OptionDataType>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParse(part, out var type) || type is OptionDataType.Record or OptionDataType.Empty)
            {
                error = $"'{part}' is not a valid record field type";
                return false;
            }

            result.Add(type);
        }

        types = result;
        error = null;
        return true;
    }
}
