using Pukeko.Protocol.Encoding;
using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Messages;

/// <summary>Parses DHCPv6 UDP payloads. Never throws for bad input: the result is a <see cref="ParseStatus"/>.</summary>
public static class Dhcp6Parser
{
    /// <summary>
    /// The most relay levels taken: Kea's HOP_COUNT_LIMIT of 32 (RFC 3315's value; RFC 8415 §7.6 lowered the relays' own
    /// limit to 8, but a server must still take what older relays forward). Deeper nesting, as a relay loop produces,
    /// is a parse failure. Kea's check runs before it adds a level, so it takes one level more than it says.
    /// </summary>
    public const int MaxRelayLevels = 32;

    /// <summary>
    /// Parses a UDP payload. Relay levels are peeled into <paramref name="relays"/> (cleared first;
    /// index 0 is the outermost level, next to the server); <paramref name="message"/> is the innermost
    /// client/server message. On failure <paramref name="relays"/> is left empty and the message null.
    /// </summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> datagram, List<RelayLayer> relays, out Dhcp6Message? message) =>
        TryParse(datagram, relays, lenient: false, out message);

    /// <summary>
    /// <see cref="TryParse(ReadOnlySpan{byte}, List{RelayLayer}, out Dhcp6Message?)"/>, with <paramref name="lenient"/>
    /// as Kea's <c>lenient-option-parsing</c>: instead of failing the packet, a Client FQDN, domain-list option or NTP
    /// server FQDN sub-option whose name cannot be read is left out, a User Class or Vendor Class entry longer than the
    /// option takes the rest of it, a fixed-length option longer than its value is read from its leading bytes (an
    /// empty one's data dropped), and an IA Prefix length over 128 becomes 128.
    /// </summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> datagram, List<RelayLayer> relays, bool lenient, out Dhcp6Message? message) =>
        TryParse(datagram, relays, lenient, reuse: null, out message);

    /// <summary>
    /// <see cref="TryParse(ReadOnlySpan{byte}, List{RelayLayer}, bool, out Dhcp6Message?)"/> into <paramref name="reuse"/>
    /// when given: its type, transaction id and options are replaced by the datagram's, and it is the message returned.
    /// Where the datagram has an option of the same kind at the same place, the option object (and the DUID it holds)
    /// is filled again rather than replaced, so the caller must not hold any of the reused message's options, or their
    /// DUIDs, past this call. For a caller that keeps one message per worker; after a failure its content is undefined.
    /// </summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> datagram, List<RelayLayer> relays, bool lenient, Dhcp6Message? reuse, out Dhcp6Message? message)
    {
        ArgumentNullException.ThrowIfNull(relays);
        relays.Clear();
        message = null;
        if (datagram.IsEmpty)
        {
            return ParseStatus.Empty;
        }

        var current = datagram;
        while (true)
        {
            if (current.IsEmpty)
            {
                // A Relay Message option with no content: no header at all.
                return Fail(relays, ParseStatus.TruncatedHeader);
            }

            var type = (MessageType)current[0];
            if (type is not (MessageType.RelayForward or MessageType.RelayReply))
            {
                var status = TryParseMessage(current, lenient, reuse, out message);
                if (status != ParseStatus.Ok)
                {
                    relays.Clear();
                }

                return status;
            }

            if (relays.Count == MaxRelayLevels)
            {
                return Fail(relays, ParseStatus.TooManyRelayHops);
            }

            var relayStatus = TryParseRelayLevel(current, lenient, out var layer, out var inner);
            if (relayStatus != ParseStatus.Ok)
            {
                return Fail(relays, relayStatus);
            }

            relays.Add(layer!);
            current = inner;
        }
    }

    /// <summary>Parses a single client/server message (no relay header expected).</summary>
    public static ParseStatus TryParseMessage(ReadOnlySpan<byte> data, out Dhcp6Message? message) =>
        TryParseMessage(data, lenient: false, reuse: null, out message);

    private static ParseStatus TryParseMessage(ReadOnlySpan<byte> data, bool lenient, Dhcp6Message? reuse, out Dhcp6Message? message)
    {
        message = null;
        if (data.IsEmpty)
        {
            return ParseStatus.Empty;
        }

        var reader = new WireReader(data);
        if (!reader.TryReadByte(out var type) || !reader.TryReadUInt24(out var transactionId))
        {
            return ParseStatus.TruncatedHeader;
        }

        Dhcp6Message parsed;
        if (reuse is null)
        {
            parsed = new Dhcp6Message((MessageType)type, transactionId);
        }
        else
        {
            parsed = reuse;
            parsed.Type = (MessageType)type;
            parsed.TransactionId = transactionId;
        }

        // A reused message's options are filled again where the new datagram has the same option at the same place.
        var status = OptionDecoder.DecodeAll(reader.ReadRemaining(), parsed.Options, 0, OptionSpace.Dhcp6, lenient, refill: reuse is not null);
        if (status == ParseStatus.Ok)
        {
            message = parsed;
        }

        return status;
    }

    private static ParseStatus TryParseRelayLevel(ReadOnlySpan<byte> data, bool lenient, out RelayLayer? layer, out ReadOnlySpan<byte> inner)
    {
        layer = null;
        inner = default;
        var reader = new WireReader(data);
        if (data.Length < RelayLayer.HeaderLength)
        {
            return ParseStatus.TruncatedHeader;
        }

        reader.TryReadByte(out var type);
        reader.TryReadByte(out var hopCount);
        reader.TryReadAddress(out var linkAddress);
        reader.TryReadAddress(out var peerAddress);
        var parsed = new RelayLayer((MessageType)type, hopCount, linkAddress, peerAddress);

        var foundRelayMessage = false;
        while (!reader.IsAtEnd)
        {
            var status = OptionDecoder.ReadNext(ref reader, out var code, out var payload);
            if (status != ParseStatus.Ok)
            {
                return status;
            }

            if (code == OptionCode.RelayMessage)
            {
                if (foundRelayMessage)
                {
                    return ParseStatus.DuplicateRelayMessage;
                }

                foundRelayMessage = true;
                inner = payload;
                continue;
            }

            status = OptionDecoder.DecodeOne(code, payload, lenient, out var option);
            if (status != ParseStatus.Ok)
            {
                return status;
            }

            if (option is not null)
            {
                parsed.Options.Add(option);
            }
        }

        // RFC 8415 §9.1/§9.2: Relay-forward and Relay-reply MUST include a Relay Message option.
        if (!foundRelayMessage)
        {
            return ParseStatus.MissingRelayMessage;
        }

        layer = parsed;
        return ParseStatus.Ok;
    }

    private static ParseStatus Fail(List<RelayLayer> relays, ParseStatus status)
    {
        relays.Clear();
        return status;
    }
}
