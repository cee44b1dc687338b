using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.LeaseQuery;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.BuiltIn.LeaseQuery.LeaseQueryTestKit;

namespace Pukeko.Server.Tests.BuiltIn.LeaseQuery;

/// <summary>Bulk leasequery (RFC 5460) over a real loopback TCP connection, with a small requester written here.</summary>
public sealed class BulkLeaseQueryTests
{
    private const string Bulk = """ "requesters": [ "::1" ], "advanced": { "bulk-query-enabled": true, "lease-query-ip": "::1", "max-requester-idle-time": 2 } """;

    private static async Task<(PipelineHarness Harness, BulkLeaseQueryService Service)> StartAsync(string parameters = Bulk, string globals = "")
    {
        var h = Harness(parameters, globals: globals);
        var options = LeaseQueryTestKit.Options(h);
        var service = new BulkLeaseQueryService(options.Advanced!, options.Requesters, Engine(h, options), () => h.Runtime, h.Packets, NullLogger.Instance);
        service.Start(0);
        await Task.Yield();
        return (h, service);
    }

    /// <summary>A requester: connects, sends framed queries and reads framed answers.</summary>
    private sealed class Requester : IDisposable
    {
        private readonly TcpClient _client = new(AddressFamily.InterNetworkV6);

        public static async Task<Requester> ConnectAsync(BulkLeaseQueryService service)
        {
            var requester = new Requester();
            await requester._client.ConnectAsync(IPAddress.IPv6Loopback, service.LocalEndPoint!.Port);
            return requester;
        }

        public async Task SendAsync(Dhcp6Message message)
        {
            var body = Dhcp6Writer.ToArray(message);
            var frame = new byte[2 + body.Length];
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)body.Length);
            body.CopyTo(frame, 2);
            await _client.GetStream().WriteAsync(frame);
        }

        /// <summary>The next answer, or null when the server closed the connection.</summary>
        public async Task<Dhcp6Message?> ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var header = new byte[2];
            if (!await ReadAsync(header, timeout.Token))
            {
                return null;
            }

            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
            Assert.True(await ReadAsync(body, timeout.Token));
            Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(body, [], out var message));
            return message;
        }

        /// <summary>Answers up to and including the one that ends the query (a DONE, or a REPLY without client data).</summary>
        public async Task<List<Dhcp6Message>> ReceiveAnswerAsync()
        {
            var messages = new List<Dhcp6Message>();
            while (await ReceiveAsync() is { } message)
            {
                messages.Add(message);
                if (message.Type == MessageType.LeasequeryDone || message.Type == MessageType.LeasequeryReply && !message.Options.Contains(OptionCode.ClientData))
                {
                    break;
                }
            }

            return messages;
        }

        private async Task<bool> ReadAsync(byte[] buffer, CancellationToken token)
        {
            var read = 0;
            try
            {
                while (read < buffer.Length)
                {
                    var n = await _client.GetStream().ReadAsync(buffer.AsMemory(read), token);
                    if (n == 0)
                    {
                        return false;
                    }

                    read += n;
                }
            }
            catch (IOException)
            {
                return false;
            }

            return true;
        }

        public void Dispose() => _client.Dispose();
    }

    private static IEnumerable<Ipv6Address> Addresses(IEnumerable<Dhcp6Message> messages) =>
        messages.Select(m => m.Options.Get<ClientDataOption>(OptionCode.ClientData)).OfType<ClientDataOption>()
            .SelectMany(d => d.Options.GetAll(OptionCode.IaAddr).Cast<IaAddressOption>().Select(a => a.Address));

    [Fact]
    public async Task Query_by_client_id_answers_a_reply_then_data_then_done()
    {
        var (h, service) = await StartAsync();
        await using var _ = service;
        using var __ = h;
        Add(h, "2001:db8:1::20", ClientA, 1, age: 300);
        Add(h, "2001:db8:1::21", ClientA, 1, age: 30);
        Add(h, "2001:db8:1::22", ClientB, 1);
        using var requester = await Requester.ConnectAsync(service);

        await requester.SendAsync(Query(LeasequeryType.ByClientId, Client(ClientA), xid: 77));
        var answer = await requester.ReceiveAnswerAsync();

        Assert.Equal([MessageType.LeasequeryReply, MessageType.LeasequeryData, MessageType.LeasequeryDone], answer.Select(m => m.Type));
        Assert.All(answer, m => Assert.Equal(77u, m.TransactionId));
        Assert.Equal(StatusCode.Success, StatusOf(answer[0]).Status);
        Assert.Equal(PipelineHarness.ServerDuid, answer[0].Options.Get<DuidOption>(OptionCode.ServerId)!.Duid);
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::21"), Ipv6Address.Parse("2001:db8:1::20")], Addresses(answer));
        Assert.Equal(1, Stat(h, "pkt6-lease-query-received"));
        Assert.Equal(3, await StatAfterSendsAsync(h, "pkt6-sent", 3));
        Assert.Equal(1, Stat(h, "pkt6-lease-query-reply-sent"));
    }

    [Fact]
    public async Task Query_by_link_address_streams_every_active_lease_of_the_link_and_carries_relay_data()
    {
        var (h, service) = await StartAsync();
        await using var _ = service;
        using var __ = h;
        for (var i = 0; i < 5; i++)
        {
            Add(h, $"2001:db8:1::{0x20 + i:x}", i % 2 == 0 ? ClientA : ClientB, 1, userContext: i == 0 ? RelayContext("2001:db8:1::1", "fe80::7", "") : null);
        }

        Add(h, "2001:db8:1::30", ClientA, 1, age: 10_000);
        Add(h, "2001:db8:2::20", ClientA, 2);
        using var requester = await Requester.ConnectAsync(service);

        await requester.SendAsync(Query(LeasequeryType.ByLinkAddress, link: Ipv6Address.Parse("2001:db8:1::")));
        var answer = await requester.ReceiveAnswerAsync();

        Assert.Equal(6, answer.Count);
        Assert.Equal(MessageType.LeasequeryDone, answer[^1].Type);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => Ipv6Address.Parse($"2001:db8:1::{0x20 + i:x}")), Addresses(answer));
        var first = answer[0].Options.Get<ClientDataOption>(OptionCode.ClientData)!;
        Assert.Equal(Ipv6Address.Parse("fe80::7"), first.Options.Get<LqRelayDataOption>(OptionCode.LqRelayData)!.PeerAddress);
    }

    [Fact]
    public async Task Query_by_relay_id_and_by_remote_id_find_the_leases_whose_relay_carried_them()
    {
        var (h, service) = await StartAsync(""" "requesters": [ "::1" ], "advanced": { "bulk-query-enabled": true, "lease-query-ip": "::1", "max-leases-per-fetch": 2 } """);
        await using var _ = service;
        using var __ = h;
        Add(h, "2001:db8:1::20", ClientA, 1, userContext: RelayContext("2001:db8:1::1", "fe80::7", "", remoteIdHex: "00000009abcd", relayIdHex: "000300010a0b0c0d0e0f"));
        Add(h, "2001:db8:1::21", ClientB, 1, userContext: RelayContext("2001:db8:1::1", "fe80::8", "0025000600000009abcd"));
        Add(h, "2001:db8:1::22", ClientB, 1, userContext: RelayContext("2001:db8:1::1", "fe80::9", "", remoteIdHex: "00000009ffff"));
        Add(h, "2001:db8:2::22", ClientB, 2);
        using var requester = await Requester.ConnectAsync(service);

        await requester.SendAsync(Query(LeasequeryType.ByRemoteId, new RawOption(OptionCode.RemoteId, Convert.FromHexString("00000009abcd")), xid: 1));
        var byRemote = await requester.ReceiveAnswerAsync();
        await requester.SendAsync(Query(LeasequeryType.ByRelayId, new RawOption(OptionCode.RelayId, Convert.FromHexString("000300010a0b0c0d0e0f")), xid: 2));
        var byRelay = await requester.ReceiveAnswerAsync();
        await requester.SendAsync(Query(LeasequeryType.ByRelayId, new RawOption(OptionCode.RelayId, Convert.FromHexString("0003000199")), xid: 3));
        var none = await requester.ReceiveAnswerAsync();

        Assert.Equal([Ipv6Address.Parse("2001:db8:1::20"), Ipv6Address.Parse("2001:db8:1::21")], Addresses(byRemote));
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::20")], Addresses(byRelay));
        var only = Assert.Single(none);
        Assert.Equal(MessageType.LeasequeryReply, only.Type);
        Assert.Equal("no active leases", StatusOf(only).Message);
    }

    [Fact]
    public async Task Query_by_relay_id_and_by_remote_id_find_a_lease_Pukeko_stored_for_a_relayed_client()
    {
        var (h, service) = await StartAsync(globals: "\"store-extended-info\": true,");
        await using var _ = service;
        using var __ = h;
        var relay = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8:1::1"), Ipv6Address.Parse("fe80::7"));
        relay.Options.Add(new RemoteIdOption(9, [0xab, 0xcd]));
        relay.Options.Add(new RawOption(OptionCode.RelayId, Convert.FromHexString("000300010a0b0c0d0e0f")));
        var request = ClientMessages.Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: ClientA);
        var (reply, _, _) = h.Exchange(request, [relay], Ipv6Address.Parse("2001:db8:9::1"));
        var leased = ClientMessages.AddressOf(reply!)!.Address;
        Add(h, "2001:db8:1::ff", ClientB, 1);
        using var requester = await Requester.ConnectAsync(service);

        await requester.SendAsync(Query(LeasequeryType.ByRemoteId, new RemoteIdOption(9, [0xab, 0xcd]), xid: 1));
        var byRemote = await requester.ReceiveAnswerAsync();
        await requester.SendAsync(Query(LeasequeryType.ByRelayId, new RawOption(OptionCode.RelayId, Convert.FromHexString("000300010a0b0c0d0e0f")), Ipv6Address.Parse("2001:db8:1::1"), xid: 2));
        var byRelay = await requester.ReceiveAnswerAsync();

        Assert.Equal([leased], Addresses(byRemote));
        Assert.Equal([leased], Addresses(byRelay));
        var relayData = byRelay[0].Options.Get<ClientDataOption>(OptionCode.ClientData)!.Options.Get<LqRelayDataOption>(OptionCode.LqRelayData)!;
        Assert.Equal(Ipv6Address.Parse("fe80::7"), relayData.PeerAddress);
    }

    [Fact]
    public async Task Without_extended_info_tables_relay_and_link_queries_are_NotAllowed_and_mistakes_get_their_status()
    {
        var (h, service) = await StartAsync(""" "requesters": [ "::1" ], "advanced": { "bulk-query-enabled": true, "lease-query-ip": "::1", "extended-info-tables-enabled": false } """);
        await using var _ = service;
        using var __ = h;
        using var requester = await Requester.ConnectAsync(service);

        async Task<StatusCodeOption> StatusAsync(Dhcp6Message query)
        {
            await requester.SendAsync(query);
            return StatusOf(Assert.Single(await requester.ReceiveAnswerAsync()));
        }

        Assert.Equal(StatusCode.NotAllowed, (await StatusAsync(Query(LeasequeryType.ByLinkAddress, link: Ipv6Address.Parse("2001:db8:1::")))).Status);
        Assert.Equal(StatusCode.NotAllowed, (await StatusAsync(Query(LeasequeryType.ByRelayId, new RawOption(OptionCode.RelayId, [0, 3, 0, 1, 9])))).Status);
        Assert.Equal("missing D6O_REMOTE_ID", (await StatusAsync(Query(LeasequeryType.ByRemoteId))).Message);
        Assert.Equal("undefined link address", (await StatusAsync(Query(LeasequeryType.ByLinkAddress))).Message);
        Assert.Equal(StatusCode.UnknownQueryType, (await StatusAsync(Query((LeasequeryType)42))).Status);
        Assert.Equal(StatusCode.NotConfigured, (await StatusAsync(Query(LeasequeryType.ByAddress, Address("2001:db8:99::1")))).Status);
    }

    [Fact]
    public async Task A_connection_from_outside_the_requesters_is_closed_at_once()
    {
        var (h, service) = await StartAsync(""" "requesters": [ "2001:db8:ff::1" ], "advanced": { "bulk-query-enabled": true, "lease-query-ip": "::1" } """);
        await using var _ = service;
        using var __ = h;
        using var requester = await Requester.ConnectAsync(service);

        Assert.Null(await requester.ReceiveAsync());
    }

    [Fact]
    public async Task Connections_beyond_max_requester_connections_are_refused_and_an_idle_one_is_closed()
    {
        var (h, service) = await StartAsync(""" "requesters": [ "::1" ], "advanced": { "bulk-query-enabled": true, "lease-query-ip": "::1", "max-requester-connections": 1, "max-requester-idle-time": 1 } """);
        await using var _ = service;
        using var __ = h;
        using var first = await Requester.ConnectAsync(service);
        await first.SendAsync(Query(LeasequeryType.ByClientId, Client(ClientA)));
        Assert.Single(await first.ReceiveAnswerAsync());

        using var second = await Requester.ConnectAsync(service);
        Assert.Null(await second.ReceiveAsync());

        // Silent for longer than max-requester-idle-time: the server closes the first connection.
        Assert.Null(await first.ReceiveAsync());
    }

    [Fact]
    public async Task A_query_without_a_client_id_is_ignored_and_the_connection_goes_on()
    {
        var (h, service) = await StartAsync();
        await using var _ = service;
        using var __ = h;
        Add(h, "2001:db8:1::20", ClientA, 1);
        using var requester = await Requester.ConnectAsync(service);

        await requester.SendAsync(Query(LeasequeryType.ByAddress, Address("2001:db8:1::20"), clientId: false, xid: 1));
        await requester.SendAsync(Query(LeasequeryType.ByAddress, Address("2001:db8:1::20"), xid: 2));
        var answer = await requester.ReceiveAnswerAsync();

        Assert.All(answer, m => Assert.Equal(2u, m.TransactionId));
        Assert.Equal([MessageType.LeasequeryReply, MessageType.LeasequeryDone], answer.Select(m => m.Type));
    }
}
