using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Parses <c>hosts-database</c> (a map) and <c>hosts-databases</c> (a list of maps). Only PostgreSQL is served; the
/// connection keys are <c>lease-database</c>'s own (the same handlers), plus <c>readonly</c>. Kea has no memfile host
/// backend, so <c>"type": "memfile"</c> is refused as Kea refuses it; MySQL is refused as for leases.
/// </summary>
internal static class HostsDatabaseParser
{
    /// <summary>Keys Kea's database grammar accepts that only a memfile lease file uses: meaningless for hosts.</summary>
    private static readonly HashSet<string> MemfileOnly = new(StringComparer.Ordinal) { "persist", "lfc-interval", "max-row-errors" };

    private static readonly HashSet<string> Metadata = new(StringComparer.Ordinal) { "user-context", "comment" };

    public static void ParseList(JsonElement list, string path, List<HostsDatabaseConfig> into, ParseContext context)
    {
        if (!context.ExpectKind(list, path, JsonValueKind.Array))
        {
            return;
        }

        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            Parse(entry, $"{path}[{index++}]", into, context);
        }
    }

    public static void Parse(JsonElement map, string path, List<HostsDatabaseConfig> into, ParseContext context)
    {
        if (!context.ExpectKind(map, path, JsonValueKind.Object))
        {
            return;
        }

        // The connection keys fill a lease-database draft through lease-database's handlers, so both maps read
        // them the same way (and the same errors come out).
        var draft = new StrongBox<LeaseDatabaseConfig>(LeaseDatabaseConfig.Default(context.Environment) with { Sql = SqlDatabaseAccess.Default });
        string? type = null;
        var readOnly = false;
        var valid = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            var key = property.Name;
            var keyPath = ParseContext.Child(path, key);
            var value = property.Value;
            var errorsBefore = context.Errors.Count;
            if (!seen.Add(key))
            {
                context.Error(keyPath, $"duplicate key '{key}'");
            }
            else if (key == "type")
            {
                type = ParseType(value, keyPath, context);
            }
            else if (key == "readonly")
            {
                readOnly = ParseReadOnly(value, keyPath, context);
            }
            else if (MemfileOnly.Contains(key))
            {
                context.Warn(keyPath, "applies to memfile lease files only; ignored in a hosts database");
            }
            else if (Metadata.Contains(key) || LeaseDatabaseParser.Keys.TryHandle(key, draft, value, keyPath, context))
            {
                // handled (or metadata)
            }
            else if (KeaKeys.LeaseDatabaseUnimplemented.Contains(key, StringComparer.Ordinal))
            {
                context.Warn(keyPath, ParseContext.NotImplementedMessage);
            }
            else
            {
                context.Error(keyPath, $"unknown parameter '{key}' in hosts-database");
            }

            valid &= context.Errors.Count == errorsBefore;
        }

        if (!seen.Contains("type"))
        {
            context.Error(path, "missing mandatory parameter 'type'");
            return;
        }

        if (draft.Value!.Sql is not { Name.Length: > 0 } access)
        {
            context.Error(path, "missing mandatory parameter 'name' (the PostgreSQL database)");
            return;
        }

        if (valid && type == LeaseDatabaseConfig.PostgreSql && DatabasePasswordFile.Apply(access, map, path, context) is { } withPassword)
        {
            into.Add(new HostsDatabaseConfig(withPassword, readOnly));
        }
    }

    private static string? ParseType(JsonElement value, string path, ParseContext context)
    {
        if (!context.TryString(value, path, out var type))
        {
            return null;
        }

        switch (type)
        {
            case LeaseDatabaseConfig.PostgreSql:
                return type;
            case LeaseDatabaseConfig.Memfile:
                // Kea's wording: host reservations live in the configuration or in an SQL database, never in a file.
                context.Error(path, "the type of host backend: 'memfile' is not supported (hosts are kept in the configuration's reservations or in postgresql)");
                return null;
            case "mysql":
                context.Error(path, "hosts database type 'mysql' is not supported: Pukeko has no MySQL backend, so the reservations kept there would be missing (use postgresql)");
                return null;
            default:
                context.Error(path, $"unknown hosts database type '{type}' (expected postgresql)");
                return null;
        }
    }

    private static bool ParseReadOnly(JsonElement value, string path, ParseContext context)
    {
        // Kea reads every database parameter as text, so "true"/"false" strings work as well as booleans.
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String when value.GetString() is "true" or "false":
                return value.GetString() == "true";
            default:
                context.Error(path, $"invalid value {ParseContext.Show(value)} for boolean parameter 'readonly'");
                return false;
        }
    }
}
