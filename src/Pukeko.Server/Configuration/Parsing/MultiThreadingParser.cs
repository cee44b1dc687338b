using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Parses <c>multi-threading</c>.</summary>
internal static class MultiThreadingParser
{
    private static readonly KeyTable<StrongBox<MultiThreadingConfig>> Keys = new KeyTable<StrongBox<MultiThreadingConfig>>("multi-threading")
        .On("enable-multi-threading", (d, v, p, c) =>
        {
            if (c.TryBool(v, p, out var b))
            {
                d.Value = d.Value! with { Enabled = b };
            }
        })
        .On("thread-pool-size", (d, v, p, c) =>
        {
            // Kea stores these as uint32; an int is plenty and keeps the model simple.
            if (c.TryInteger(v, p, 0, int.MaxValue, out var x))
            {
                d.Value = d.Value! with { ThreadPoolSize = (int)x };
            }
        })
        .On("packet-queue-size", (d, v, p, c) =>
        {
            if (c.TryInteger(v, p, 0, int.MaxValue, out var x))
            {
                d.Value = d.Value! with { PacketQueueSize = (int)x };
            }
        });

    public static void Parse(StrongBox<MultiThreadingConfig> box, JsonElement value, string path, ParseContext context) =>
        Keys.Walk(value, path, box, context);
}
