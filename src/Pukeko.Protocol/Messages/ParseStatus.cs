namespace Pukeko.Protocol.Messages;

/// <summary>Outcome of parsing a datagram. Anything but <see cref="Ok"/> means the packet is dropped.</summary>
public enum ParseStatus
{
    Ok,

    /// <summary>Zero-length datagram.</summary>
    Empty,

    /// <summary>Shorter than the fixed message header (4 bytes, or 34 for relay messages).</summary>
    TruncatedHeader,

    /// <summary>Fewer than 4 bytes left where an option header should start.</summary>
    TruncatedOption,

    /// <summary>An option's length field reaches beyond the end of its enclosing data.</summary>
    OptionLengthPastEnd,

    /// <summary>An option's payload does not have the format its code requires.</summary>
    MalformedOption,

    /// <summary>More than 32 relay levels (RFC 8415 §7.6 HOP_COUNT_LIMIT).</summary>
    TooManyRelayHops,

    /// <summary>A Relay-Forward/Relay-Reply without a Relay Message option (RFC 8415 §9.1).</summary>
    MissingRelayMessage,

    /// <summary>A relay level carrying more than one Relay Message option.</summary>
    DuplicateRelayMessage,

    /// <summary>Options encapsulated deeper than the parser allows (guards the stack against crafted packets).</summary>
    OptionNestingTooDeep,
}
