using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>lease-database</c>. Only memfile is supported; the SQL backends are refused.</summary>
internal static class LeaseDatabaseParser
{
    private static readonly KeyTable<StrongBox<LeaseDatabaseConfig>> Keys = new KeyTable<StrongBox<LeaseDatabaseConfig>>("lease-database")
        .On("type", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var type))
            {
                return;
            }

            switch (type)
            {
                case LeaseDatabaseConfig.Memfile:
                    d.Value = d.Value! with { Type = type };
                    break;
                case "mysql" or "postgresql":
                    c.Error(p, $"lease database type '{type}' is not supported yet (only memfile)");
                    break;
                default:
                    c.Error(p, $"unknown lease database type '{type}' (expected memfile, mysql or postgresql)");
                    break;
            }
        })
        .On("name", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var name))
            {
                return;
            }

            if (name.Trim().Length == 0)
            {
                c.Error(p, "lease file name must not be empty");
                return;
            }

            // Kea resolves a bare name inside its data directory; an absolute path is used as given.
            d.Value = d.Value! with { FilePath = Path.GetFullPath(Path.Combine(c.Environment.DataDirectory, name)) };
        })
        .On("persist", (d, v, p, c) =>
        {
            // Kea accepts the strings "true"/"false" as well as booleans here.
            bool? persist = v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when v.GetString() == "true" => true,
                JsonValueKind.String when v.GetString() == "false" => false,
                _ => null,
            };
            if (persist is { } b)
            {
                d.Value = d.Value! with { Persist = b };
            }
            else
            {
                c.Error(p, $"expected a boolean or \"true\"/\"false\", got {ParseContext.KindName(v.ValueKind)} {ParseContext.Show(v)}");
            }
        })
        .On("lfc-interval", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.Value = d.Value! with { LfcInterval = x };
            }
        })
        .On("max-row-errors", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.Value = d.Value! with { MaxRowErrors = x };
            }
        })
        .Unimplemented(KeaKeys.LeaseDatabaseUnimplemented);

    public static void Parse(StrongBox<LeaseDatabaseConfig> box, JsonElement value, string path, ParseContext context)
    {
        if (Keys.Walk(value, path, box, context) && !value.TryGetProperty("type", out _))
        {
            context.Error(path, "missing mandatory parameter 'type'");
        }
    }
}
