using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Hosting;
using static Pukeko.Server.Tests.BuiltIn.LeaseQuery.LeaseQueryTestKit;

namespace Pukeko.Server.Tests.BuiltIn.LeaseQuery;

/// <summary>The library as the server runs it: configured by <c>hooks-libraries</c>, over real UDP and TCP sockets on loopback.</summary>
public sealed class LeaseQueryServerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static int FreeTcpPort() => Support.LoopbackPorts.Free();

    [Fact]
    public async Task A_configuration_naming_the_library_answers_leasequery_over_udp_and_tcp_until_it_is_removed()
    {
        var dhcp6 = LoopbackServer.Dhcp6();
        var tcpPort = FreeTcpPort();
        dhcp6["hooks-libraries"] = JsonNode.Parse($$"""
            [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_query.so",
                "parameters": { "requesters": [ "::1" ],
                                "advanced": { "bulk-query-enabled": true, "lease-query-ip": "::1", "lease-query-tcp-port": {{tcpPort}} } } } ]
            """);
        await using var server = await LoopbackServer.StartAsync(dhcp6);
        var client = LoopbackServer.Client(1);
        var leased = await server.RequestAsync(client, Patience);
        Assert.NotNull(leased);

        // RFC 5007 over UDP, from the requester's own socket: the reply comes back to it.
        using var udp = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await udp.SendToAsync(Dhcp6Writer.ToArray(Query(LeasequeryType.ByAddress, new IaAddressOption(leased.Value, 0, 0))), SocketFlags.None, new IPEndPoint(IPAddress.IPv6Loopback, server.ServerPort));
        var buffer = new byte[4096];
        using (var deadline = new CancellationTokenSource(Patience))
        {
            var received = await udp.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(buffer.AsSpan(0, received), [], out var reply));
            Assert.Equal(MessageType.LeasequeryReply, reply!.Type);
            Assert.Equal(client, reply.Options.Get<ClientDataOption>(OptionCode.ClientData)!.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid);
        }

        // RFC 5460 over TCP.
        Assert.NotNull(server.Server.BulkLeaseQuery);
        using (var tcp = new TcpClient(AddressFamily.InterNetworkV6))
        {
            await tcp.ConnectAsync(IPAddress.IPv6Loopback, tcpPort);
            var body = Dhcp6Writer.ToArray(Query(LeasequeryType.ByClientId, Client(client)));
            var frame = new byte[body.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)body.Length);
            body.CopyTo(frame, 2);
            await tcp.GetStream().WriteAsync(frame);
            var types = new List<MessageType>();
            using var deadline = new CancellationTokenSource(Patience);
            while (types.LastOrDefault() != MessageType.LeasequeryDone)
            {
                var header = new byte[2];
                await tcp.GetStream().ReadExactlyAsync(header, deadline.Token);
                var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
                await tcp.GetStream().ReadExactlyAsync(message, deadline.Token);
                Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(message, [], out var answer));
                types.Add(answer!.Type);
            }

            Assert.Equal([MessageType.LeasequeryReply, MessageType.LeasequeryDone], types);
        }

        // A configuration without the library: LEASEQUERY is dropped again and the TCP listener is gone.
        dhcp6.Remove("hooks-libraries");
        Assert.Equal(0, (int)(await server.ConfigSetAsync(dhcp6))["result"]!);
        Assert.Null(server.Server.Processor!.LeaseQuery);
        Assert.Null(server.Server.BulkLeaseQuery);
        using var refused = new TcpClient(AddressFamily.InterNetworkV6);
        await Assert.ThrowsAnyAsync<SocketException>(() => refused.ConnectAsync(IPAddress.IPv6Loopback, tcpPort));
    }
}
