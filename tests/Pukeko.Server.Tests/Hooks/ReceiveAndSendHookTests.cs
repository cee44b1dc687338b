using Pukeko.Hooks;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;
using SubnetView = Pukeko.Hooks.Subnets.Subnet6;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>buffer6_receive, pkt6_receive, pkt6_send, buffer6_send (digest §8.2).</summary>
public class ReceiveAndSendHookTests
{
    private static readonly Duid OtherDuid = Duid.CreateLl(1, [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);

    private static byte[] Encode(Dhcp6Message message)
    {
        var bytes = new byte[Dhcp6Writer.GetLength(message, [])];
        Dhcp6Writer.Write(message, [], bytes);
        return bytes;
    }

    [Fact]
    public void Buffer6ReceiveSeesRawDataBeforeParsing()
    {
        using var h = new PipelineHarness();
        var record = new CalloutRecord();
        byte[]? seen = null;
        var placeholderType = (MessageType)255;
        h.On(HookNames.Buffer6Receive, record.Record(HookNames.Buffer6Receive, handle =>
        {
            var query = handle.GetArgument<Dhcp6Packet>("query6");
            seen = query.Data;
            placeholderType = query.Type;
        }));
        var solicit = Create(MessageType.Solicit);
        var (reply, _, _) = h.ExchangeRaw(Encode(solicit));
        Assert.Equal(MessageType.Advertise, reply!.Type);
        Assert.Equal(Encode(solicit), seen);
        Assert.Equal((MessageType)0, placeholderType);
        Assert.Equal(["query6"], record.ArgumentNames.Single());
        Assert.All(record.CopyFlags, Assert.True);
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Fact]
    public void Buffer6ReceiveValueChangeReachesTheReply()
    {
        using var h = new PipelineHarness();
        // Header (4) + option header (4): byte 8 is the first byte of the Client-ID's DUID.
        h.On(HookNames.Buffer6Receive, handle =>
        {
            handle.GetArgument<Dhcp6Packet>("query6").Data![8] = 0xff;
            return 0;
        });
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit));
        Assert.Equal(0xff, reply!.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid.Bytes[0]);
    }

    [Fact]
    public void Buffer6ReceiveReplacingTheBufferWithoutClientIdDropsThePacket()
    {
        using var h = new PipelineHarness();
        var withoutClientId = new Dhcp6Message(MessageType.Solicit, 0x1234);
        withoutClientId.Options.Add(new IaNaOption(1, 0, 0));
        h.On(HookNames.Buffer6Receive, handle =>
        {
            handle.GetArgument<Dhcp6Packet>("query6").Data = Encode(withoutClientId);
            return 0;
        });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
    }

    [Fact]
    public void Buffer6ReceiveSkipWithoutParsingGetsNoReply()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Buffer6Receive, handle => { handle.Status = NextStep.Skip; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
    }

    [Fact]
    public void Buffer6ReceiveSkipAfterParsingItselfIsServed()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Buffer6Receive, handle =>
        {
            var query = handle.GetArgument<Dhcp6Packet>("query6");
            var relays = new List<RelayLayer>();
            Dhcp6Parser.TryParse(query.Data, relays, out var message);
            query.Message = message!;
            handle.Status = NextStep.Skip;
            return 0;
        });
        Assert.Equal(MessageType.Advertise, h.Exchange(Create(MessageType.Solicit)).Reply!.Type);
    }

    [Fact]
    public void Buffer6ReceiveDropIsSilentAndNotCounted()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Buffer6Receive, handle => { handle.Status = NextStep.Drop; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.Equal(0, h.Statistics.Value("pkt6-receive-drop"));
        Assert.Equal(1, h.Statistics.Value("pkt6-received"));
    }

    [Fact]
    public void Pkt6ReceiveSeesTheParsedQuery()
    {
        using var h = new PipelineHarness();
        var record = new CalloutRecord();
        MessageType? type = null;
        h.On(HookNames.Pkt6Receive, record.Record(HookNames.Pkt6Receive, handle => type = handle.GetArgument<Dhcp6Packet>("query6").Type));
        Assert.Equal(MessageType.Advertise, h.Exchange(Create(MessageType.Solicit)).Reply!.Type);
        Assert.Equal(MessageType.Solicit, type);
        Assert.Equal(["query6"], record.ArgumentNames.Single());
        Assert.All(record.CopyFlags, Assert.True);
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Fact]
    public void Pkt6ReceiveValueChangeReplacesTheClientId()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Receive, handle =>
        {
            var options = handle.GetArgument<Dhcp6Packet>("query6").Message.Options;
            options.RemoveAll(OptionCode.ClientId);
            options.Insert(0, new DuidOption(OptionCode.ClientId, OtherDuid));
            return 0;
        });
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!;
        Assert.Equal(OtherDuid, reply.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid);
    }

    [Fact]
    public void Pkt6ReceiveDeletingTheClientIdFailsTheSanityCheck()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Receive, handle => { handle.GetArgument<Dhcp6Packet>("query6").Message.Options.RemoveAll(OptionCode.ClientId); return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-rfc-violation"));
    }

    [Theory]
    [InlineData(NextStep.Skip)]
    [InlineData(NextStep.Drop)]
    public void Pkt6ReceiveSkipOrDropDropsWithoutCounting(NextStep status)
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Receive, handle => { handle.Status = status; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.Equal(0, h.Statistics.Value("pkt6-receive-drop"));
        Assert.Empty(h.Store.GetAll());
    }

    [Fact]
    public void UnsupportedStatusIsTreatedAsContinue()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Receive, handle => { handle.Status = NextStep.Park; return 0; });
        Assert.Equal(MessageType.Advertise, h.Exchange(Create(MessageType.Solicit)).Reply!.Type);
    }

    [Fact]
    public void Pkt6SendSeesQueryResponseAndSubnet()
    {
        using var h = new PipelineHarness();
        var record = new CalloutRecord();
        (MessageType Query, MessageType Response, uint? Subnet)? seen = null;
        h.On(HookNames.Pkt6Send, record.Record(HookNames.Pkt6Send, handle => seen = (
            handle.GetArgument<Dhcp6Packet>("query6").Type,
            handle.GetArgument<Dhcp6Packet>("response6").Type,
            handle.GetArgument<SubnetView>("subnet6")?.Id)));
        h.Exchange(Create(MessageType.Solicit));
        Assert.Equal((MessageType.Solicit, MessageType.Advertise, (uint?)1), seen);
        Assert.Equal(["query6", "response6", "subnet6"], record.ArgumentNames.Single());
        Assert.Equal([true, true], record.CopyFlags);
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Fact]
    public void Pkt6SendValueChangeReplacesTheServerId()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Send, handle =>
        {
            var options = handle.GetArgument<Dhcp6Packet>("response6").Message.Options;
            options.RemoveAll(OptionCode.ServerId);
            options.Add(new DuidOption(OptionCode.ServerId, OtherDuid));
            return 0;
        });
        Assert.Equal(OtherDuid, h.Exchange(Create(MessageType.Solicit)).Reply!.Options.Get<DuidOption>(OptionCode.ServerId)!.Duid);
    }

    [Fact]
    public void Pkt6SendDeletingTheServerIdStillSends()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Send, handle => { handle.GetArgument<Dhcp6Packet>("response6").Message.Options.RemoveAll(OptionCode.ServerId); return 0; });
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!;
        Assert.False(reply.Options.Contains(OptionCode.ServerId));
    }

    [Fact]
    public void Pkt6SendSkipSendsWhatTheCalloutPackedOrNothing()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Send, handle => { handle.Status = NextStep.Skip; return 0; });
        var (reply, _, datagram) = h.Exchange(Create(MessageType.Solicit));
        Assert.Null(reply);
        Assert.Equal(0, datagram!.Value.Length);
        Assert.Equal(1, h.Statistics.Value("pkt6-sent"));
    }

    [Fact]
    public void Pkt6SendDropSendsNothing()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Pkt6Send, handle => { handle.Status = NextStep.Drop; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Datagram);
        Assert.Equal(0, h.Statistics.Value("pkt6-sent"));
    }

    [Fact]
    public void Buffer6SendSeesThePackedReplyAndMayChangeIt()
    {
        using var h = new PipelineHarness();
        var record = new CalloutRecord();
        h.On(HookNames.Buffer6Send, record.Record(HookNames.Buffer6Send, handle =>
        {
            var response = handle.GetArgument<Dhcp6Packet>("response6");
            Assert.Equal(MessageType.Advertise, (MessageType)response.Data![0]);
            response.Data[1] = 0x77; // first byte of the transaction id
        }));
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!;
        Assert.Equal(0x773456u, reply.TransactionId);
        Assert.Equal(["response6"], record.ArgumentNames.Single());
        Assert.All(record.CopyFlags, Assert.True);
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Theory]
    [InlineData(NextStep.Skip)]
    [InlineData(NextStep.Drop)]
    public void Buffer6SendSkipOrDropSendsNothingButTheLeaseIsKept(NextStep status)
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Buffer6Send, handle => { handle.Status = status; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Datagram);
        Assert.Single(h.Store.GetAll());
        Assert.Equal(0, h.Statistics.Value("pkt6-sent"));
    }
}
