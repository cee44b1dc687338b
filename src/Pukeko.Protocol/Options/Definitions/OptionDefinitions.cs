// PLACEHOLDER written by the lead so other layers compile; the protocol work replaces this file.
using System.Diagnostics.CodeAnalysis;

namespace Pukeko.Protocol.Options.Definitions;

/// <summary>Data formats of option fields, named as in Kea's option definitions.</summary>
public enum OptionDataType
{
    Empty, Binary, Boolean, Int8, Int16, Int32, Uint8, Uint16, Uint32,
    Ipv4Address, Ipv6Address, Ipv6Prefix, Psid, String, Fqdn, Tuple, Record,
}

/// <summary>Describes one option: its name, code, space and data layout.</summary>
public sealed record OptionDefinition(
    string Name,
    ushort Code,
    string Space,
    OptionDataType Type,
    bool IsArray = false,
    IReadOnlyList<OptionDataType>? RecordFields = null,
    string? Encapsulates = null);

/// <summary>Kea's standard DHCPv6 option definitions.</summary>
public static class StandardOptionDefinitions
{
    public const string Dhcp6Space = "dhcp6";

    private static readonly OptionDefinition[] Table =
    [
        new("dns-servers", 23, Dhcp6Space, OptionDataType.Ipv6Address, IsArray: true),
        new("domain-search", 24, Dhcp6Space, OptionDataType.Fqdn, IsArray: true),
    ];

    public static IReadOnlyList<OptionDefinition> All => Table;

    public static bool TryGetByName(string space, string name, [NotNullWhen(true)] out OptionDefinition? definition)
    {
        definition = Array.Find(Table, d => d.Space == space && d.Name == name);
        return definition is not null;
    }

    public static bool TryGetByCode(string space, ushort code, [NotNullWhen(true)] out OptionDefinition? definition)
    {
        definition = Array.Find(Table, d => d.Space == space && d.Code == code);
        return definition is not null;
    }
}

/// <summary>Turns the <c>data</c> text of a Kea <c>option-data</c> entry into option payload bytes.</summary>
public static class OptionDataEncoder
{
    /// <summary>Encodes <paramref name="data"/> per <paramref name="definition"/>; throws <see cref="FormatException"/> with the reason.</summary>
    public static byte[] Encode(OptionDefinition definition, string data, bool csvFormat)
    {
        if (!csvFormat)
        {
            return EncodeHex(data);
        }

        if (definition.Type == OptionDataType.Ipv6Address)
        {
            var parts = data.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var bytes = new byte[parts.Length * 16];
            for (var i = 0; i < parts.Length; i++)
            {
                Addressing.Ipv6Address.Parse(parts[i]).Write(bytes.AsSpan(i * 16));
            }

            return bytes;
        }

        throw new FormatException($"encoding of {definition.Type} is not implemented yet");
    }

    /// <summary>Hex payload as Kea accepts it: optional 0x, optional ':' or ' ' separators.</summary>
    public static byte[] EncodeHex(string data)
    {
        var clean = data.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            clean = clean[2..];
        }

        return Convert.FromHexString(clean);
    }
}
