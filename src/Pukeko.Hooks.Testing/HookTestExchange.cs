using Pukeko.Protocol.Messages;

namespace Pukeko.Hooks.Testing;

/// <summary>
/// One query through the engine and what came of it: the reply as a client would decode it from the wire, or
/// why there was none, and the log lines written meanwhile.
/// </summary>
public sealed class HookTestExchange
{
    internal HookTestExchange(Dhcp6Message query, Dhcp6Message? reply, IReadOnlyList<RelayLayer> replyRelays, string? dropReason, IReadOnlyList<HookTestLogEntry> log)
    {
        Query = query;
        Reply = reply;
        ReplyRelays = replyRelays;
        DropReason = dropReason;
        Log = log;
    }

    /// <summary>The query as it was sent (the client's message, without relay layers).</summary>
    public Dhcp6Message Query { get; }

    /// <summary>The reply, decoded from the bytes the server would have sent (relay layers removed); null when there was none.</summary>
    public Dhcp6Message? Reply { get; }

    /// <summary>The Relay-reply layers around <see cref="Reply"/>, outermost first; empty for a client on the link.</summary>
    public IReadOnlyList<RelayLayer> ReplyRelays { get; }

    /// <summary>True when the server sent nothing.</summary>
    public bool Dropped => Reply is null;

    /// <summary>
    /// Why nothing was sent, as the server logged it (Kea's message id and text, e.g.
    /// <c>DHCP6_HOOK_PACKET_RCVD_SKIP: ... packet is dropped, because a callout set the next step to Drop</c>), or
    /// the drop statistics that rose; null when there was a reply.
    /// </summary>
    public string? DropReason { get; }

    /// <summary>
    /// The log lines written while the query was processed, in order. Exact when queries are sent one at a time;
    /// with queries in flight at once, their lines mix.
    /// </summary>
    public IReadOnlyList<HookTestLogEntry> Log { get; }

    /// <summary>Exceptions thrown by callouts while the query was processed (each logged as <c>HOOKS_CALLOUT_EXCEPTION</c>; its status became DROP).</summary>
    public IReadOnlyList<Exception> CalloutExceptions =>
        [.. Log.Where(e => e.EventName == "HOOKS_CALLOUT_EXCEPTION" && e.Exception is not null).Select(e => e.Exception!)];
}
