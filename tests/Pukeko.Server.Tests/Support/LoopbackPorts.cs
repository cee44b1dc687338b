using System.Net;
using System.Net.Sockets;

namespace Pukeko.Server.Tests.Support;

/// <summary>
/// Ports for test listeners on loopback, taken below the kernel's ephemeral range (32768–60999 on Linux). A port from
/// bind(0) is an ephemeral one, so between the probe and the real bind any outgoing connection of a test running in
/// parallel may be given it; a port below the range is only ever taken by someone binding it by number.
/// </summary>
internal static class LoopbackPorts
{
    private const int First = 20000;
    private const int Count = 12000;

    /// <summary>A TCP and UDP port free on both loopback addresses when asked.</summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = First + Random.Shared.Next(Count);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port found in {First}-{First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
            {
                using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(address, port));
                using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(address, port));
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
