using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Support;

/// <summary>
/// Drives one Request/Reply exchange through the hook points the pipeline calls for it (pkt6_receive,
/// leases6_committed, pkt6_send), for tests of libraries that observe lease events without a whole server.
/// Linked into Pukeko.Server.PostgreSql.Tests as well.
/// </summary>
internal static class LeaseExchangeThroughHooks
{
    /// <summary>A query or reply with one IA_NA holding the lease's address.</summary>
    public static Dhcp6Packet Packet(MessageType type, Lease6 lease)
    {
        var message = new Dhcp6Message(type, 0x1234);
        var ia = new IaNaOption(lease.Iaid, 100, 200);
        ia.Options.Add(new IaAddressOption(lease.Address, 1800, lease.ValidLifetime));
        message.Options.Add(ia);
        return new Dhcp6Packet(message);
    }

    /// <summary>Runs the exchange that assigns <paramref name="assigned"/>; returns the status after pkt6_send.</summary>
    public static NextStep Run(HooksManager hooks, Lease6 assigned)
    {
        var query = Packet(MessageType.Request, assigned);
        var response = Packet(MessageType.Reply, assigned);
        var handle = hooks.CreateHandle();
        handle.SetArgument("query6", query);
        hooks.Call(HookPoints.Pkt6Receive, handle);
        HooksManager.EndCall(handle);
        handle.SetArgument("query6", query);
        handle.SetArgument("response6", response);
        handle.SetArgument("leases6", LeaseViews.ToViews([assigned]));
        handle.SetArgument("deleted_leases6", LeaseViews.ToViews([]));
        hooks.Call(HookPoints.Leases6Committed, handle);
        HooksManager.EndCall(handle);
        handle.SetArgument("query6", query);
        handle.SetArgument("response6", response);
        handle.SetArgument<Pukeko.Hooks.Subnets.Subnet6?>("subnet6", null);
        hooks.Call(HookPoints.Pkt6Send, handle);
        var status = handle.Status;
        HooksManager.EndCall(handle);
        hooks.ReleaseHandle(handle);
        return status;
    }
}
