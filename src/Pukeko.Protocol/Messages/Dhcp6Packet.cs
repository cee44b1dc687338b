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
    public List<RelayLayer> Relays => _relays ??= [];

    // Made at first use: a reply that is not relayed, and never classified, then costs neither (one packet each way).
    private List<RelayLayer>? _relays;
    private ClientClassSet? _classes;

    public bool IsRelayed => _relays is { Count: > 0 };

    public Ipv6Address RemoteAddress { get; set; }

    public ushort RemotePort { get; set; }

    public Ipv6Address LocalAddress { get; set; }

    public ushort LocalPort { get; set; }

    public int InterfaceIndex { get; set; }

    public string InterfaceName { get; set; } = "";

    /// <summary>Client classes the packet belongs to (<c>ALL</c>, <c>KNOWN</c>, vendor classes...).</summary>
    public ClientClassSet Classes => _classes ??= new();

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

    /// <summary>
    /// The wire form, where there is one: for a query, the received datagram (set for the
    /// <c>buffer6_receive</c> hook point, Kea's <c>data_</c>); for a response, the packed reply
    /// (set for <c>buffer6_send</c>, Kea's <c>buffer_out_</c>). Null otherwise.
    /// </summary>
    public byte[]? Data { get; set; }

    /// <summary>
    /// Copy-on-retrieve for the message's and every relay level's options (see
    /// <see cref="Options.OptionCollection.CopyRetrievedOptions"/>). The server turns it on while
    /// callouts run and off afterwards; a callout may turn it off for speed if it never edits
    /// configured options.
    /// </summary>
    public bool CopyRetrievedOptions
    {
        get => Message.Options.CopyRetrievedOptions;
        set
        {
            Message.Options.CopyRetrievedOptions = value;
            if (_relays is null)
            {
                return;
            }

            foreach (var relay in _relays)
            {
                relay.Options.CopyRetrievedOptions = value;
            }
        }
    }
}
