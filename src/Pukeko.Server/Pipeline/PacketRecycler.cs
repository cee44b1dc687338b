using Pukeko.Protocol.Messages;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Reuses the query and reply packets of a finished query on the thread that finished it, so a worker's steady
/// traffic does not make two packet objects (and the reply's message) per query.
/// </summary>
/// <remarks>
/// Hook callouts are given the packets (<c>query6</c>, <c>response6</c>) and may keep them, as Kea's shared
/// pointers let them. So packets are given back only when nothing outside the pipeline can hold one: no callout
/// was registered from the packet's arrival to the end of its processing (<see cref="Hooks.HooksManager.CalloutFreeTable"/>,
/// the same table throughout) and no HA hold or filter saw it. Everything else about the packet is forgotten when
/// it comes back: its options, relay layers, classes and addresses.
/// </remarks>
internal static class PacketRecycler
{
    [ThreadStatic]
    private static Dhcp6Packet? t_query;

    [ThreadStatic]
    private static Dhcp6Packet? t_reply;

    /// <summary>
    /// This thread's spare query packet holding <paramref name="placeholder"/>, or a new one; <paramref name="reusable"/>
    /// is the spare's last message, for the parser to fill again (null with a new packet).
    /// </summary>
    public static Dhcp6Packet RentQuery(Dhcp6Message placeholder, out Dhcp6Message? reusable)
    {
        if (t_query is not { } packet)
        {
            reusable = null;
            return new Dhcp6Packet(placeholder);
        }

        t_query = null;
        reusable = packet.Message;
        packet.Message = placeholder;
        return packet;
    }

    /// <summary>This thread's spare reply packet with an empty message of <paramref name="type"/>, or a new one.</summary>
    public static Dhcp6Packet RentReply(MessageType type, uint transactionId)
    {
        if (t_reply is not { } packet)
        {
            return new Dhcp6Packet(new Dhcp6Message(type, transactionId));
        }

        t_reply = null;
        packet.Message.Type = type;
        packet.Message.TransactionId = transactionId;
        return packet;
    }

    /// <summary>
    /// Keeps <paramref name="query"/> and <paramref name="reply"/> as this thread's spares. Only for packets nothing
    /// outside the pipeline was given (see the remarks); the caller must not touch them afterwards.
    /// </summary>
    public static void Return(Dhcp6Packet query, Dhcp6Packet? reply)
    {
        // The query keeps its message, which the parser fills again for the next query.
        Forget(query);
        query.Message.Options.CopyRetrievedOptions = false;
        t_query = query;
        if (reply is not null)
        {
            Forget(reply);
            reply.Message.Options.Clear();
            reply.Message.Options.CopyRetrievedOptions = false;
            t_reply = reply;
        }
    }

    /// <summary>For tests: whether this thread holds a spare query and reply packet.</summary>
    internal static (bool Query, bool Reply) Spares => (t_query is not null, t_reply is not null);

    private static void Forget(Dhcp6Packet packet)
    {
        if (packet.IsRelayed)
        {
            packet.Relays.Clear();
        }

        if (packet.Classes.Count > 0)
        {
            packet.Classes.Clear();
        }

        packet.RemoteAddress = default;
        packet.RemotePort = 0;
        packet.LocalAddress = default;
        packet.LocalPort = 0;
        packet.InterfaceIndex = 0;
        packet.InterfaceName = "";
        packet.ReceivedAt = default;
        packet.Data = null;
    }
}
