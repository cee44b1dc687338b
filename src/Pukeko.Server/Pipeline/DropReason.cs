namespace Pukeko.Server.Pipeline;

/// <summary>Why the pipeline produced no reply. Each maps to one Kea drop counter.</summary>
internal enum DropReason
{
    None,
    /// <summary>Unpack failed (<c>pkt6-parse-failed</c>).</summary>
    ParseFailed,
    /// <summary>Server-ID present and not ours (<c>pkt6-not-for-us</c>).</summary>
    NotForUs,
    /// <summary>Unicast where RFC 8415 §16 requires multicast, or a sanity rule broken (<c>pkt6-rfc-violation</c>).</summary>
    RfcViolation,
    /// <summary>A message type a server does not answer (Advertise, Reply, Relay-Reply, ...).</summary>
    UnsupportedMessage,
    /// <summary>The message is valid but the rules say to discard it (e.g. Confirm without addresses).</summary>
    Discarded,
    /// <summary>An exception while processing (<c>pkt6-processing-failed</c>).</summary>
    ProcessingFailed,
    /// <summary>Service disabled (<c>pkt6-service-disabled</c>).</summary>
    ServiceDisabled,
    /// <summary>The worker queue was full (<c>pkt6-queue-full</c>).</summary>
    QueueFull,
    /// <summary>The packet arrived on an interface the server does not serve.</summary>
    WrongInterface,
    /// <summary>
    /// A newer packet of the same client replaced this one while it waited for the client's packet
    /// in progress (Kea's client handler; <c>pkt6-duplicate</c>).
    /// </summary>
    Duplicate,
}
