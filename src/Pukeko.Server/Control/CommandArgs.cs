using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pukeko.Server.Control;

/// <summary>Typed access to command arguments with Kea-style error texts.</summary>
internal static class CommandArgs
{
    public static string RequireString(this JsonObject args, string name) =>
        OptionalString(args, name) ?? throw new CommandArgumentException($"'{name}' parameter not specified");

    public static string? OptionalString(this JsonObject args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new CommandArgumentException($"'{name}' parameter must be a string");
    }

    public static long RequireInteger(this JsonObject args, string name) =>
        OptionalInteger(args, name) ?? throw new CommandArgumentException($"'{name}' parameter not specified");

    public static long? OptionalInteger(this JsonObject args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var x)
            ? x
            : throw new CommandArgumentException($"'{name}' parameter must be an integer");
    }

    public static bool? OptionalBool(this JsonObject args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? value.GetValue<bool>()
            : throw new CommandArgumentException($"'{name}' parameter must be a boolean");
    }

    public static bool RequireBool(this JsonObject args, string name) =>
        OptionalBool(args, name) ?? throw new CommandArgumentException($"'{name}' parameter not specified");

    public static JsonObject? OptionalMap(this JsonObject args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node as JsonObject ?? throw new CommandArgumentException($"'{name}' parameter must be a map");
    }

    public static JsonArray? OptionalList(this JsonObject args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node as JsonArray ?? throw new CommandArgumentException($"'{name}' parameter must be a list");
    }
}
