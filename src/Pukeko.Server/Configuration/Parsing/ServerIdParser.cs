using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>server-id</c>.</summary>
internal static class ServerIdParser
{
    private static readonly KeyTable<StrongBox<ServerIdConfig>> Keys = new KeyTable<StrongBox<ServerIdConfig>>("server-id")
        .On("type", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                return;
            }

            // Kea's grammar only knows the upper-case spellings.
            DuidKind? kind = s switch { "LLT" => DuidKind.Llt, "EN" => DuidKind.En, "LL" => DuidKind.Ll, _ => null };
            if (kind is { } k)
            {
                d.Value = d.Value! with { Type = k };
            }
            else
            {
                c.Error(p, $"invalid server-id type '{s}' (expected LLT, EN or LL)");
            }
        })
        .On("persist", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.Value = d.Value! with { Persist = b };
            }
        })
        .On("htype", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 0, ushort.MaxValue, out var x))
            {
                // 0 is what Kea's config-get prints for "not set": generate it, as Kea does.
                d.Value = d.Value! with { HardwareType = x == 0 ? null : (ushort)x };
            }
        })
        .On("identifier", (d, v, p, c) =>
        {
            if (!c.TryString(v, p, out var s))
            {
                return;
            }

            if (s.Length == 0)
            {
                // Kea writes "identifier": "" in config-get/config-write output for a generated DUID.
                return;
            }

            if (Hex.TryDecode(s, out var bytes) && bytes.Length > 0)
            {
                d.Value = d.Value! with { Identifier = bytes };
            }
            else
            {
                c.Error(p, $"invalid server-id identifier '{s}': expected a non-empty hexadecimal string");
            }
        })
        .On("time", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.Value = d.Value! with { Time = x == 0 ? null : x };
            }
        })
        .On("enterprise-id", (d, v, p, c) =>
        {
            if (c.TryUInt32(v, p, out var x))
            {
                d.Value = d.Value! with { EnterpriseId = x };
            }
        });

    public static void Parse(StrongBox<ServerIdConfig> box, JsonElement value, string path, ParseContext context) =>
        Keys.Walk(value, path, box, context);
}
