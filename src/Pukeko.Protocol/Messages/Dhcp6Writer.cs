using Pukeko.Protocol.Encoding;
using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Messages;

/// <summary>Serialises messages, optionally wrapped in relay levels, into a caller-provided buffer.</summary>
public static class Dhcp6Writer
{
    /// <summary>Bytes <see cref="Write(Dhcp6Message, IReadOnlyList{RelayLayer}, Span{byte})"/> will produce for this message and relay levels.</summary>
    public static int GetLength(Dhcp6Message message, IReadOnlyList<RelayLayer> relays)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(relays);
        var length = message.Length;
        for (var i = 0; i < relays.Count; i++)
        {
            length += RelayLayer.HeaderLength + relays[i].Options.DataLength + DhcpOption.HeaderLength;
        }

        return length;
    }

    public static int GetLength(Dhcp6Message message) => GetLength(message, []);

    /// <summary>
    /// Writes <paramref name="message"/> wrapped in <paramref name="relays"/> (index 0 outermost). Each
    /// level writes its own options first, then the Relay Message option holding the next level.
    /// Returns bytes written; throws <see cref="ArgumentException"/> when the destination is too small.
    /// </summary>
    public static int Write(Dhcp6Message message, IReadOnlyList<RelayLayer> relays, Span<byte> destination)
    {
        var total = GetLength(message, relays);
        if (destination.Length < total)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, the message needs {total}", nameof(destination));
        }

        if (message.Type is MessageType.RelayForward or MessageType.RelayReply)
        {
            throw new ArgumentException("the innermost message cannot be a relay message; pass relay levels as RelayLayer", nameof(message));
        }

        var writer = new WireWriter(destination);
        var remaining = total;
        for (var i = 0; i < relays.Count; i++)
        {
            var relay = relays[i];
            var optionsLength = relay.Options.DataLength;
            var innerLength = remaining - RelayLayer.HeaderLength - optionsLength - DhcpOption.HeaderLength;
            if (innerLength > ushort.MaxValue)
            {
                throw new InvalidOperationException($"relayed message of {innerLength} bytes does not fit a Relay Message option");
            }

            writer.WriteByte((byte)relay.Type);
            writer.WriteByte(relay.HopCount);
            writer.WriteAddress(relay.LinkAddress);
            writer.WriteAddress(relay.PeerAddress);
            writer.Advance(relay.Options.WriteTo(writer.RemainingSpan));
            writer.WriteUInt16(OptionCode.RelayMessage);
            writer.WriteUInt16((ushort)innerLength);
            remaining = innerLength;
        }

        writer.WriteByte((byte)message.Type);
        writer.WriteUInt24(message.TransactionId);
        writer.Advance(message.Options.WriteTo(writer.RemainingSpan));
        return writer.Position;
    }

    public static int Write(Dhcp6Message message, Span<byte> destination) => Write(message, [], destination);

    /// <summary>Convenience for tests and tools: the whole datagram as a new array.</summary>
    public static byte[] ToArray(Dhcp6Message message, IReadOnlyList<RelayLayer> relays)
    {
        var bytes = new byte[GetLength(message, relays)];
        Write(message, relays, bytes);
        return bytes;
    }

    public static byte[] ToArray(Dhcp6Message message) => ToArray(message, []);
}
