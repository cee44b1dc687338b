using System.Net;

namespace Pukeko.Server.Configuration;

/// <summary>
/// The <c>dhcp-ddns</c> map: whether name-change requests are sent at all and where to (kea-dhcp-ddns's listener).
/// Defaults are Kea's; only UDP and JSON exist, as in Kea.
/// </summary>
internal sealed record DhcpDdnsConfig
{
    public const int DefaultServerPort = 53001;

    public const uint DefaultMaxQueueSize = 1024;

    public static DhcpDdnsConfig Default { get; } = new();

    /// <summary><c>enable-updates</c>: the master switch (false by default).</summary>
    public bool EnableUpdates { get; init; }

    public IPAddress ServerIp { get; init; } = IPAddress.Loopback;

    public int ServerPort { get; init; } = DefaultServerPort;

    /// <summary><c>sender-ip</c>; the wildcard address of the server address's family when not given.</summary>
    public IPAddress SenderIp { get; init; } = IPAddress.Any;

    /// <summary><c>sender-port</c>; 0 lets the system pick one.</summary>
    public int SenderPort { get; init; }

    /// <summary><c>max-queue-size</c>: requests waiting to be sent beyond this are dropped.</summary>
    public uint MaxQueueSize { get; init; } = DefaultMaxQueueSize;

    /// <summary><c>ncr-protocol</c>; only "UDP" is implemented (as in Kea).</summary>
    public string NcrProtocol { get; init; } = "UDP";

    /// <summary><c>ncr-format</c>; only "JSON" exists.</summary>
    public string NcrFormat { get; init; } = "JSON";
}
