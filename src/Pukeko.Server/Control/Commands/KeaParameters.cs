using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Typed reads of lease-command arguments with the messages of Kea's configuration parser ("missing parameter",
/// "invalid type specified for parameter", "out of range value"), which Kea's lease commands reuse.
/// </summary>
internal static class KeaParameters
{
    public static bool Has(JsonObject args, string name) => args.TryGetPropertyValue(name, out var node) && node is not null;

    public static string String(JsonObject args, string name) =>
        OptionalString(args, name) ?? throw new CommandArgumentException($"missing parameter '{name}'");

    public static string? OptionalString(JsonObject args, string name)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new CommandArgumentException($"invalid type specified for parameter '{name}'");
    }

    public static uint UInt32(JsonObject args, string name) =>
        OptionalUInt32(args, name) ?? throw new CommandArgumentException($"missing parameter '{name}'");

    public static uint? OptionalUInt32(JsonObject args, string name)
    {
        var value = OptionalInteger(args, name);
        if (value is null)
        {
            return null;
        }

        return value is >= 0 and <= uint.MaxValue
            ? (uint)value.Value
            : throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"out of range value ({value}) specified for parameter '{name}'"));
    }

    public static long? OptionalInteger(JsonObject args, string name)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var x)
            ? x
            : throw new CommandArgumentException($"invalid type specified for parameter '{name}'");
    }

    public static bool? OptionalBool(JsonObject args, string name)
    {
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? value.GetValue<bool>()
            : throw new CommandArgumentException($"invalid type specified for parameter '{name}'");
    }

    /// <summary>An IPv6 address parameter with Kea's two-level conversion message.</summary>
    public static Ipv6Address Address(JsonObject args, string name)
    {
        var text = String(args, name);
        return ParseAddress(text) ?? throw new CommandArgumentException(
            $"Failed to convert '{text}' to address: Failed to convert string to address '{text}': Invalid argument");
    }

    /// <summary>Parses an IPv6 address (no scope, no IPv4); null when the text is not one.</summary>
    public static Ipv6Address? ParseAddress(string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && text.Trim() == text && text.Length > 0
            ? Ipv6Address.FromIPAddress(ip)
            : null;
}
