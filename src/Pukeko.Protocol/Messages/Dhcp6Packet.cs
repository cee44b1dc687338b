using Pukeko.Protocol.Addressing;

namespace Pukeko.Protocol.Messages;

/// <summary>
/// A DHCPv6 message together with where it came from or goes to: the innermost client/server
/// message, the relay layers around it, the addresses, ports and interface. This is the object
/// the server's stages (and, later, hook callouts as <c>query6</c>/<c>response6</c>) work on.
/// </summary>
public sealed class Dhcp6Packet
{
    public Dhcp6Packet(Dhcp6Message message)
    {
        Message = message;
    }

    /// <summary>The client/server message (innermost when relayed).</summary>
    public Dhcp6Message Message { get; set; }

    /// <summary>Relay layers, index 0 = outermost (closest to the server).</summary>
    public List<RelayLayer> Relays { get; } = [];

    public bool IsRelayed => Relays.Count > 0;

    public Ipv6Address RemoteAddress { get; set; }

    public ushort RemotePort { get; set; }

    public Ipv6Address LocalAddress { get; set; }

    public ushort LocalPort { get; set; }

    public int InterfaceIndex { get; set; }

    public string InterfaceName { get; set; } = "";

    /// <summary>Client classes the packet belongs to (<c>ALL</c>, <c>KNOWN</c>, vendor classes...).</summary>
    public ClientClassSet Classes { get; } = new();

    /// <summary>When the datagram was received (for elapsed-time logging and parking timeouts).</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    public MessageType Type => Message.Type;

    public uint TransactionId => Message.TransactionId;

    /// <summary>Short text for log lines, as Kea's <c>getLabel()</c>: duid and transaction id.</summary>
    public string Label
    {
        get
        {
            var clientId = Message.Options.Get<Options.DuidOption>(Options.OptionCode.ClientId);
            return $"duid=[{(clientId is null ? "no info" : clientId.Duid.ToString())}], tid=0x{TransactionId:x}";
        }
    }
}
