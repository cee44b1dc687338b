using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Kea's host_cmds commands, built in: reservations of the configuration (global ones have subnet-id 0) and of the
/// host databases are read, added, replaced and deleted, as <c>operation-target</c> says. They exist only while
/// <c>libdhcp_host_cmds.so</c> is in <c>hooks-libraries</c>, as in Kea. Changes to the configuration go through
/// <see cref="Dhcp6Server.ChangeConfigAsync"/>: validated as a whole configuration, in force for new packets, and in
/// <c>config-get</c>/<c>config-write</c>.
/// </summary>
internal static class HostCommands
{
    public const string Library = "libdhcp_host_cmds.so";

    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        var handlers = new HostCommandHandlers(server);
        bool Available() => server.HasKeaLibrary(Library);
        dispatcher.Register("reservation-add", handlers.AddAsync, Available);
        dispatcher.Register("reservation-update", handlers.UpdateAsync, Available);
        dispatcher.Register("reservation-del", handlers.DeleteAsync, Available);
        dispatcher.Register("reservation-get", handlers.GetAsync, Available);
        dispatcher.Register("reservation-get-all", handlers.GetAllAsync, Available);
        dispatcher.Register("reservation-get-page", handlers.GetPageAsync, Available);
        dispatcher.Register("reservation-get-by-hostname", handlers.GetByHostnameAsync, Available);
        dispatcher.Register("reservation-get-by-id", handlers.GetByIdAsync, Available);
        dispatcher.Register("reservation-get-by-address", handlers.GetByAddressAsync, Available);
    }

    internal static CommandHandler Sync(Func<ControlCommand, System.Text.Json.Nodes.JsonObject> handler) =>
        (command, _) => ValueTask.FromResult(handler(command));
}
