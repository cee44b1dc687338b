using System.Text.Json.Nodes;
using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Kea's lease_cmds commands, built in (digest §5.3): add, get (by address, client, DUID, hostname, hardware
/// address, state, page), update, delete, wipe, bulk apply and write. Every change goes through the lease
/// store (so it is on disk before the answer) and keeps the address statistics in step.
/// </summary>
internal static class LeaseCommands
{
    private static readonly string[] Lease4Commands =
    [
        "lease4-add", "lease4-del", "lease4-get", "lease4-get-all", "lease4-get-by-client-id", "lease4-get-by-hostname",
        "lease4-get-by-hw-address", "lease4-get-by-state", "lease4-get-page", "lease4-resend-ddns", "lease4-update",
        "lease4-wipe", "lease4-write",
    ];

    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        var commands = new LeaseCommandHandlers(server);
        dispatcher.Register("lease6-add", commands.AddAsync);
        dispatcher.Register("lease6-update", commands.UpdateAsync);
        dispatcher.Register("lease6-get", commands.GetAsync);
        dispatcher.Register("lease6-del", commands.DeleteAsync);
        dispatcher.Register("lease6-get-all", commands.GetAllAsync);
        dispatcher.Register("lease6-get-page", commands.GetPageAsync);
        dispatcher.Register("lease6-get-by-duid", commands.GetByDuidAsync);
        dispatcher.Register("lease6-get-by-hostname", commands.GetByHostnameAsync);
        dispatcher.Register("lease6-get-by-hw-address", commands.GetByHardwareAddressAsync);
        dispatcher.Register("lease6-get-by-state", commands.GetByStateAsync);
        dispatcher.Register("lease6-wipe", commands.WipeAsync);
        dispatcher.Register("lease6-bulk-apply", commands.BulkApplyAsync);
        dispatcher.Register("lease6-write", Sync(commands.Write));
        dispatcher.Register("lease6-resend-ddns", commands.ResendDdnsAsync);
        foreach (var name in Lease4Commands)
        {
            // Kea's lease_cmds registers these in every server. A DHCPv6 server's IPv4 lease table is empty:
            // queries find nothing (result 3), changes are refused.
            dispatcher.Register(name, (command, _) => ValueTask.FromResult(Lease4Answer(name, command)));
        }
    }

    private static JsonObject Lease4Answer(string name, ControlCommand command)
    {
        if (name is "lease4-add" or "lease4-update" or "lease4-write" or "lease4-resend-ddns")
        {
            return ControlAnswer.Error($"'{name}' is not supported by the DHCPv6 server: it has no IPv4 leases");
        }

        if (name is "lease4-get" or "lease4-del")
        {
            return ControlAnswer.Empty(name == "lease4-get" ? "Lease not found." : "IPv4 lease not found.");
        }

        if (name == "lease4-wipe")
        {
            return ControlAnswer.Empty("Deleted 0 IPv4 lease(s) from subnet(s)");
        }

        var text = "0 IPv4 lease(s) found.";
        if (name == "lease4-get-by-state" && command.Arguments?["state"] is JsonValue state)
        {
            text = $"0 IPv4 lease(s) found with state {state.ToJsonString()}.";
        }

        var arguments = new JsonObject { ["leases"] = new JsonArray() };
        if (name == "lease4-get-page")
        {
            arguments["count"] = 0;
        }

        return ControlAnswer.Empty(text, arguments);
    }

    private static CommandHandler Sync(Func<ControlCommand, JsonObject> handler) =>
        (command, _) => ValueTask.FromResult(handler(command));
}
