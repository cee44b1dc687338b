using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Messages;

public class Dhcp6WriterTests
{
    [Fact]
    public void WriteThrowsArgumentExceptionWhenDestinationIsTooSmall()
    {
        var message = new Dhcp6Message(MessageType.Reply, 7);
        message.Options.Add(new PreferenceOption(1));
        var buffer = new byte[Dhcp6Writer.GetLength(message, []) - 1];

        Assert.Throws<ArgumentException>(() => Dhcp6Writer.Write(message, [], buffer));
    }

    [Fact]
    public void WriteReturnsTheNumberOfBytesWrittenIntoALargerBuffer()
    {
        var message = new Dhcp6Message(MessageType.Reply, 7);
        message.Options.Add(new PreferenceOption(1));
        var buffer = new byte[100];

        var written = Dhcp6Writer.Write(message, [new RelayLayer(MessageType.RelayReply, 0, default, default)], buffer);

        Assert.Equal(34 + 4 + 4 + 5, written);
        Assert.Equal((byte)MessageType.RelayReply, buffer[0]);
    }

    [Fact]
    public void WriteEmitsRelayOptionsBeforeTheRelayMessageOption()
    {
        var relay = new RelayLayer(MessageType.RelayReply, 1, Ipv6Address.Parse("2001:db8::1"), Ipv6Address.Parse("fe80::1"));
        relay.Options.Add(new RawOption(OptionCode.InterfaceId, [0xaa]));
        var bytes = Dhcp6Writer.ToArray(new Dhcp6Message(MessageType.Reply, 0xabcdef), [relay]);

        Assert.Equal(
            "0d01" + "20010db8000000000000000000000001" + "fe800000000000000000000000000001"
            + "00120001aa" + "00090004" + "07abcdef",
            Hex.Of(bytes));
    }

    [Fact]
    public void WriteRejectsARelayMessageTypeAsTheInnermostMessage()
    {
        var message = new Dhcp6Message(MessageType.RelayForward, 0);

        Assert.Throws<ArgumentException>(() => Dhcp6Writer.ToArray(message));
    }

    [Fact]
    public void TransactionIdAbove24BitsIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dhcp6Message(MessageType.Solicit, 0x1000000));
    }

    [Fact]
    public void OptionWriteToRejectsPayloadsLongerThan65535Bytes()
    {
        var option = new RawOption(300, new byte[70000]);

        Assert.Throws<InvalidOperationException>(() => option.WriteTo(new byte[70004]));
    }
}
