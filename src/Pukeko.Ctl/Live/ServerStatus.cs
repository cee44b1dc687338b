using System.Text.Json.Nodes;

namespace Pukeko.Ctl.Live;

/// <summary>What <c>status-get</c> says about the server: process, uptime, time since the last configuration, service state.</summary>
internal sealed record ServerStatus(long? Pid, TimeSpan? Uptime, TimeSpan? SinceReload, bool Disabled)
{
    public static ServerStatus Parse(JsonObject arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
        var uptime = Number(arguments["uptime"]);
        var reload = Number(arguments["reload"]);
        var disabled = arguments["dhcp-state"]?["globally-disabled"] is JsonValue state && state.TryGetValue<bool>(out var off) && off;
        return new ServerStatus(
            Number(arguments["pid"]),
            uptime is { } u ? TimeSpan.FromSeconds(u) : null,
            reload is { } r ? TimeSpan.FromSeconds(r) : null,
            disabled);
    }
}
