using System.Text.Json.Nodes;

namespace Pukeko.Server.HighAvailability;

/// <summary>The commands this server sends its HA peers, in the shape Kea's peers read (<c>service</c> is <c>dhcp6</c>).</summary>
internal static class HaPeerCommand
{
    public static JsonObject Create(string name, JsonObject? arguments)
    {
        var command = new JsonObject { ["command"] = name };
        if (arguments is not null)
        {
            command["arguments"] = arguments;
        }

        command["service"] = new JsonArray("dhcp6");
        return command;
    }

    /// <summary>
    /// A command the peer answers per relationship (<c>ha-heartbeat</c>, <c>ha-reset</c>, <c>ha-maintenance-notify</c>,
    /// <c>ha-sync-complete-notify</c>): it names the sender (<c>server-name</c>), as Kea 2.6+ sends it, so a hub with
    /// several relationships knows which one the command is for. Kea 2.2 ignores the argument.
    /// </summary>
    public static JsonObject Naming(string thisServerName, string name, JsonObject? arguments)
    {
        arguments ??= [];
        arguments["server-name"] = thisServerName;
        return Create(name, arguments);
    }
}
