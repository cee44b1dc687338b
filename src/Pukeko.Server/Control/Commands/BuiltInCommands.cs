using Pukeko.Server.Hosting;

namespace Pukeko.Server.Control.Commands;

/// <summary>Registers every built-in command family on a dispatcher.</summary>
internal static class BuiltInCommands
{
    public static void Register(CommandDispatcher dispatcher, Dhcp6Server server)
    {
        ServerCommands.Register(dispatcher, server);
        ConfigCommands.Register(dispatcher, server);
        StatisticCommands.Register(dispatcher, server.Statistics);
        StatLeaseCommands.Register(dispatcher, server);
        LeaseCommands.Register(dispatcher, server);
        HostCommands.Register(dispatcher, server);
        LeaseQueryCommands.Register(dispatcher, server);
        SubnetCommands.Register(dispatcher, server);
        ClassCommands.Register(dispatcher, server);
        HighAvailability.HaCommands.Register(dispatcher, server);
    }
}
