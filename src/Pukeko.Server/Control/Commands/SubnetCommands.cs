using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>
/// Kea's subnet_cmds commands, built in: subnets and shared networks of the configuration listed, shown, added,
/// replaced, changed in parts and deleted. They exist only while <c>libdhcp_subnet_cmds.so</c> is in
/// <c>hooks-libraries</c>. Changes are validated as a whole configuration and swapped in (new packets use them;
/// <c>config-get</c>/<c>config-write</c> show them).
/// </summary>
internal static class SubnetCommands
{
    public const string Library = "libdhcp_subnet_cmds.so";

    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(server);
        var handlers = new SubnetCommandHandlers(server);
        bool Available() => server.HasKeaLibrary(Library);
        dispatcher.Register("subnet6-list", HostCommands.Sync(handlers.List), Available);
        dispatcher.Register("subnet6-get", HostCommands.Sync(handlers.Get), Available);
        dispatcher.Register("subnet6-add", handlers.AddAsync, Available);
        dispatcher.Register("subnet6-update", handlers.UpdateAsync, Available);
        dispatcher.Register("subnet6-del", handlers.DeleteAsync, Available);
        dispatcher.Register("subnet6-delta-add", (c, t) => handlers.DeltaAsync(c, add: true, t), Available);
        dispatcher.Register("subnet6-delta-del", (c, t) => handlers.DeltaAsync(c, add: false, t), Available);
        dispatcher.Register("network6-list", HostCommands.Sync(handlers.NetworkList), Available);
        dispatcher.Register("network6-get", HostCommands.Sync(handlers.NetworkGet), Available);
        dispatcher.Register("network6-add", handlers.NetworkAddAsync, Available);
        dispatcher.Register("network6-del", handlers.NetworkDeleteAsync, Available);
        dispatcher.Register("network6-subnet-add", handlers.NetworkSubnetAddAsync, Available);
        dispatcher.Register("network6-subnet-del", handlers.NetworkSubnetDeleteAsync, Available);
    }
}
