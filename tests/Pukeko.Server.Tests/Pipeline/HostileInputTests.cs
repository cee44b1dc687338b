using System.Diagnostics;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Pipeline.Stages;
using Pukeko.Server.Tests.Support;
using Pukeko.Server.Transport;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// Queries built to cost the server: deep relay nesting, options repeated thousands of times, oversized options, as many
/// IAs as a datagram holds. Each is answered or dropped and counted, with bounded work and a reply that fits a datagram.
/// </summary>
public sealed class HostileInputTests
{
    // Generous: a quadratic blow-up takes minutes; a loaded two-core machine takes well under a second.
    private static readonly TimeSpan WorkBound = TimeSpan.FromSeconds(5);

    private static readonly Ipv6Address RelayLink = Ipv6Address.Parse("2001:db8:1::1");

    private static PipelineHarness Harness() => PipelineHarness.FromDhcp6("""
        "option-data": [ { "name": "dns-servers", "data": "2001:db8::53, 2001:db8::54" } ],
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/48", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::/64" } ],
            "pd-pools": [ { "prefix": "2001:db8:1:8000::", "prefix-len": 49, "delegated-len": 64 } ] } ]
        """);

    private static byte[] Bytes(Dhcp6Message query, IReadOnlyList<RelayLayer>? relays = null)
    {
        relays ??= [];
        var bytes = new byte[Dhcp6Writer.GetLength(query, relays)];
        Dhcp6Writer.Write(query, relays, bytes);
        return bytes;
    }

    /// <summary>Processes <paramref name="bytes"/> with an output buffer as large as a reply may be, as the transport does.</summary>
    private static (Dhcp6Message? Reply, List<RelayLayer> Relays, int Length, TimeSpan Took) Run(PipelineHarness h, byte[] bytes)
    {
        var datagram = new ReceivedDatagram
        {
            Buffer = bytes,
            Length = bytes.Length,
            RemoteAddress = PipelineHarness.ClientLinkLocal,
            RemotePort = 546,
            LocalAddress = Ipv6Address.AllDhcpRelayAgentsAndServers,
            LocalPort = 547,
            InterfaceIndex = 2,
            InterfaceName = "eth0",
            ReceivedAt = h.Time.GetUtcNow(),
        };
        var output = new byte[SendStage.MaxReply];
        var clock = Stopwatch.StartNew();
        var result = h.Processor.ProcessAsync(datagram, output).AsTask().GetAwaiter().GetResult();
        clock.Stop();
        if (result is not { Length: > 0 } sent)
        {
            return (null, [], 0, clock.Elapsed);
        }

        var relays = new List<RelayLayer>();
        Assert.Equal(ParseStatus.Ok, Dhcp6Parser.TryParse(output.AsSpan(0, sent.Length), relays, out var reply));
        return (reply, relays, sent.Length, clock.Elapsed);
    }

    private static List<RelayLayer> Relays(int levels) =>
        [.. Enumerable.Range(0, levels).Select(i => new RelayLayer(MessageType.RelayForward, (byte)(levels - 1 - i), RelayLink, PipelineHarness.ClientLinkLocal))];

    /// <summary>A query carrying as many IAs of one kind as fit in the largest datagram the transport takes.</summary>
    private static (Dhcp6Message Query, int Ias) Stuffed(MessageType type, bool prefixes)
    {
        var query = Create(type, serverId: type == MessageType.Request ? PipelineHarness.ServerDuid : null);
        var ias = 1;
        while (Dhcp6Writer.GetLength(query, []) + DhcpOption.HeaderLength + IaNaOption.FixedLength <= UdpTransport.MaxDatagram)
        {
            ias++;
            query.Options.Add(prefixes ? new IaPdOption((uint)ias, 0, 0) : new IaNaOption((uint)ias, 0, 0));
        }

        return (query, ias);
    }

    [Fact]
    public void Thirty_two_relay_levels_are_served_and_a_thirty_third_is_dropped_as_a_parse_failure()
    {
        using var h = Harness();
        var served = Run(h, Bytes(Create(MessageType.Solicit), Relays(32)));
        Assert.NotNull(served.Reply);
        Assert.Equal(32, served.Relays.Count);
        Assert.All(served.Relays, r => Assert.Equal(MessageType.RelayReply, r.Type));

        var tooDeep = Run(h, Bytes(Create(MessageType.Solicit), Relays(33)));
        Assert.Null(tooDeep.Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-parse-failed"));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
    }

    [Fact]
    public void A_relay_message_looped_through_relays_until_the_datagram_is_full_is_dropped()
    {
        using var h = Harness();
        // A relay loop nests the same relay again and again; the nesting limit ends it long before the datagram does.
        var looped = Bytes(Create(MessageType.Solicit), Relays(200));
        Assert.True(looped.Length <= UdpTransport.MaxDatagram);
        var result = Run(h, looped);
        Assert.Null(result.Reply);
        Assert.True(result.Took < WorkBound);
        Assert.Equal(1, h.Statistics.Value("pkt6-parse-failed"));
    }

    [Theory]
    [InlineData(MessageType.Solicit, false)]
    [InlineData(MessageType.Solicit, true)]
    [InlineData(MessageType.Request, false)]
    [InlineData(MessageType.Request, true)]
    public void A_query_with_as_many_ias_as_a_datagram_holds_is_answered_for_each_with_bounded_work(MessageType type, bool prefixes)
    {
        using var h = Harness();
        var (query, ias) = Stuffed(type, prefixes);
        Assert.InRange(ias, 500, 600);
        var result = Run(h, Bytes(query));
        Assert.NotNull(result.Reply);
        Assert.True(result.Took < WorkBound, $"{ias} IAs took {result.Took}");
        Assert.InRange(result.Length, 1, SendStage.MaxReply);
        // Create's own IA_NA and the added ones: every IA is answered.
        Assert.Equal(ias, result.Reply!.Options.CountOf(OptionCode.IaNa) + result.Reply.Options.CountOf(OptionCode.IaPd));
        if (type == MessageType.Request)
        {
            Assert.Equal(ias, h.Store.Count);
        }
    }

    [Fact]
    public void A_reply_too_large_for_the_send_buffer_is_not_sent_and_is_counted()
    {
        using var h = Harness();
        var (query, _) = Stuffed(MessageType.Solicit, prefixes: false);
        var (reply, _, datagram) = h.ExchangeRaw(Bytes(query)); // the harness sends from a 9216-byte buffer
        Assert.Null(reply);
        Assert.Null(datagram);
        Assert.Equal(1, h.Statistics.Value("pkt6-processing-failed"));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
    }

    [Fact]
    public void Options_repeated_thousands_of_times_are_answered_once()
    {
        using var h = Harness();
        var oneLong = Create(MessageType.Solicit);
        oneLong.Options.Add(new OptionRequestOption(Enumerable.Repeat((ushort)OptionCode.DnsServers, 4000)));
        var many = Create(MessageType.Solicit);
        for (var i = 0; i < 2000; i++)
        {
            many.Options.Add(new OptionRequestOption([OptionCode.DnsServers]));
        }

        var userClasses = Create(MessageType.Solicit, oro: OptionCode.DnsServers);
        for (var i = 0; i < 1500; i++)
        {
            userClasses.Options.Add(new RawOption(OptionCode.UserClass, [0, 3, 1, 2, 3]));
        }

        foreach (var query in new[] { oneLong, many, userClasses })
        {
            var result = Run(h, Bytes(query));
            Assert.True(result.Took < WorkBound);
            Assert.Equal(1, result.Reply!.Options.CountOf(OptionCode.DnsServers));
            Assert.True(result.Length < 200, $"reply of {result.Length} bytes");
        }
    }

    [Fact]
    public void Client_ids_repeated_thousands_of_times_are_dropped_as_an_rfc_violation()
    {
        using var h = Harness();
        var query = Create(MessageType.Solicit);
        for (var i = 0; i < 2000; i++)
        {
            query.Options.Add(new DuidOption(OptionCode.ClientId, ClientDuid));
        }

        Assert.Null(Run(h, Bytes(query)).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-rfc-violation"));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
    }

    [Fact]
    public void An_oversized_client_id_is_dropped_as_an_rfc_violation()
    {
        using var h = Harness();
        var huge = Duid.CreateEn(9, new byte[4000]);
        Assert.Null(Run(h, Bytes(Create(MessageType.Solicit, clientId: huge))).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-rfc-violation"));
    }

    [Fact]
    public void An_oversized_interface_id_is_echoed_and_the_reply_still_fits_a_datagram()
    {
        using var h = Harness();
        var relays = Relays(1);
        var interfaceId = new byte[8000];
        Random.Shared.NextBytes(interfaceId);
        relays[0].Options.Add(new RawOption(OptionCode.InterfaceId, interfaceId));
        var result = Run(h, Bytes(Create(MessageType.Solicit), relays));
        Assert.NotNull(result.Reply);
        Assert.Equal(interfaceId, result.Relays[0].Options.Get(OptionCode.InterfaceId)!.GetData());
        Assert.InRange(result.Length, interfaceId.Length, SendStage.MaxReply);
    }

    [Fact]
    public void An_option_longer_than_the_datagram_is_a_parse_failure()
    {
        using var h = Harness();
        var bytes = Bytes(Create(MessageType.Solicit));
        // The elapsed-time option (last but one) claims 60000 bytes.
        var at = bytes.Length - (DhcpOption.HeaderLength + 2) - (DhcpOption.HeaderLength + IaNaOption.FixedLength);
        Assert.Equal(OptionCode.ElapsedTime, (bytes[at] << 8) | bytes[at + 1]);
        bytes[at + 2] = 0xea;
        bytes[at + 3] = 0x60;
        Assert.Null(Run(h, bytes).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-parse-failed"));
    }
}
