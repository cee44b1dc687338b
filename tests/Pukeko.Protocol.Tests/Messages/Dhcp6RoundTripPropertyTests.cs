using CsCheck;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Tests.TestSupport;

namespace Pukeko.Protocol.Tests.Messages;

public class Dhcp6RoundTripPropertyTests
{
    [Fact]
    public void WriteThenParseRebuildsTheSameStructureAndIdenticalBytes()
    {
        Gen.Select(Generators.Message, Generators.Relays).Sample((message, relays) =>
        {
            var bytes = Dhcp6Writer.ToArray(message, relays);
            Assert.Equal(Dhcp6Writer.GetLength(message, relays), bytes.Length);

            var parsedRelays = new List<RelayLayer>();
            var status = Dhcp6Parser.TryParse(bytes, parsedRelays, out var parsed);

            Assert.Equal(ParseStatus.Ok, status);
            Assert.NotNull(parsed);
            Assert.Equal(Describe.Datagram(message, relays), Describe.Datagram(parsed, parsedRelays));
            Assert.Equal(bytes, Dhcp6Writer.ToArray(parsed, parsedRelays));
        }, iter: 2000);
    }

    [Fact]
    public void ClonedMessageWritesTheSameBytesAndSharesNoOptions()
    {
        Generators.Message.Sample(message =>
        {
            var clone = message.Clone();
            Assert.Equal(Dhcp6Writer.ToArray(message), Dhcp6Writer.ToArray(clone));
            for (var i = 0; i < message.Options.Count; i++)
            {
                Assert.NotSame(message.Options[i], clone.Options[i]);
            }
        }, iter: 300);
    }

    [Fact]
    public void ParseNeverThrowsOnRandomBytes()
    {
        // CsCheck samples on several threads, so each iteration needs its own list.
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var relays = new List<RelayLayer>();
            var status = Dhcp6Parser.TryParse(bytes, relays, out var message);
            Assert.Equal(status == ParseStatus.Ok, message is not null);
        }, iter: 20000);
    }

    [Fact]
    public void ParseNeverThrowsOnCorruptedValidPackets()
    {
        // Random bytes rarely get past the first option header; flipping bytes of real packets
        // exercises the typed option decoders and the relay peeling.
        var corrupted = Gen.Select(Generators.Message, Generators.Relay.List[0, 3], Gen.Int.Array[1, 4], Gen.Byte.Array[4, 4])
            .Select((message, relayLevels, positions, values) =>
            {
                var bytes = Dhcp6Writer.ToArray(message, relayLevels);
                for (var i = 0; i < positions.Length; i++)
                {
                    bytes[(int)((uint)positions[i] % (uint)bytes.Length)] = values[i];
                }

                return bytes;
            });

        corrupted.Sample(bytes =>
        {
            var relays = new List<RelayLayer> { new() };
            var status = Dhcp6Parser.TryParse(bytes, relays, out var message);
            Assert.Equal(status == ParseStatus.Ok, message is not null);
            if (status != ParseStatus.Ok)
            {
                Assert.Empty(relays);
            }
        }, iter: 5000);
    }
}
