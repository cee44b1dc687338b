using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Classification;
using Pukeko.Server.Hooks;

namespace Pukeko.Server.Pipeline.Stages;

/// <summary>
/// The first stage (digest §3.2 steps 2–10): unpack the datagram (after <c>buffer6_receive</c>), the
/// server-id and unicast tests, the first classification pass, <c>pkt6_receive</c>, the sanity check
/// and the DROP class. What passes becomes a <see cref="ProcessingContext"/>; everything else is
/// counted under its drop reason.
/// </summary>
internal sealed class AcceptStage(PipelineServices services, HookInvoker hooks)
{
    [ThreadStatic]
    private static List<RelayLayer>? t_relays;

    private readonly ILogger _packetLog = services.PacketLog;

    /// <summary>The accepted query in its context, or null when it was dropped.</summary>
    public ProcessingContext? Accept(ReceivedDatagram datagram, ServerRuntime runtime)
    {
        CalloutHandle? handle = null;
        try
        {
            var lenient = runtime.Config.LenientOptionParsing;
            var query = hooks.HasCallouts(HookPoints.Buffer6Receive) ? ReceiveBuffer(datagram, lenient, ref handle) : Parse(datagram, lenient);
            var ctx = query is null ? null : Accept(query, runtime, ref handle);
            if (ctx is null)
            {
                services.Hooks.ReleaseHandle(handle);
            }

            return ctx;
        }
        catch
        {
            services.Hooks.ReleaseHandle(handle);
            throw;
        }
    }

    /// <summary>Unpack; a malformed datagram is counted as <c>pkt6-parse-failed</c>.</summary>
    public Dhcp6Packet? Parse(ReceivedDatagram datagram, bool lenient)
    {
        PipelineLog.BufferReceived(_packetLog, datagram.RemoteAddress, datagram.RemotePort, datagram.LocalAddress, datagram.LocalPort, datagram.InterfaceName, datagram.Length);
        var packet = Address(PacketRecycler.RentQuery(Unparsed, out var reusable), datagram);
        return Unpack(datagram.Data, packet, lenient, reusable) ? packet : null;
    }

    // The message of a packet parsed at once: the parsed message replaces it before anything sees the packet,
    // and a packet that does not parse is dropped with it. Shared, so that it costs no message per packet.
    private static readonly Dhcp6Message Unparsed = new(0, 0);

    private static Dhcp6Packet Address(Dhcp6Packet packet, ReceivedDatagram datagram)
    {
        packet.RemoteAddress = datagram.RemoteAddress;
        packet.RemotePort = datagram.RemotePort;
        packet.LocalAddress = datagram.LocalAddress;
        packet.LocalPort = datagram.LocalPort;
        packet.InterfaceIndex = datagram.InterfaceIndex;
        packet.InterfaceName = datagram.InterfaceName;
        packet.ReceivedAt = datagram.ReceivedAt;
        return packet;
    }

    /// <summary>Parses <paramref name="data"/> into the packet's message and relay layers (<paramref name="lenient"/>: lenient-option-parsing).</summary>
    private bool Unpack(ReadOnlySpan<byte> data, Dhcp6Packet packet, bool lenient, Dhcp6Message? reusable = null)
    {
        // Parsed into this thread's scratch list: the packet gets a relay list of its own only when it was relayed.
        var relays = t_relays ??= new List<RelayLayer>(2);
        var status = Dhcp6Parser.TryParse(data, relays, lenient, reusable, out var message);
        if (relays.Count > 0 || packet.IsRelayed)
        {
            packet.Relays.Clear();
            packet.Relays.AddRange(relays);
            relays.Clear();
        }

        if (status != ParseStatus.Ok || message is null)
        {
            services.Drop(DropReason.ParseFailed);
            _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_PARSE_FAIL"), "failed to parse packet from {Remote} to {Local}, received over interface {Interface}, reason: {Reason}", packet.RemoteAddress, packet.LocalAddress, packet.InterfaceName, status);
            return false;
        }

        packet.Message = message;
        return true;
    }

    /// <summary><c>buffer6_receive</c>: the callouts see the raw datagram before parsing.</summary>
    private Dhcp6Packet? ReceiveBuffer(ReceivedDatagram datagram, bool lenient, ref CalloutHandle? handle)
    {
        PipelineLog.BufferReceived(_packetLog, datagram.RemoteAddress, datagram.RemotePort, datagram.LocalAddress, datagram.LocalPort, datagram.InterfaceName, datagram.Length);
        // A message of its own: a callout that parses the buffer itself (SKIP) fills it.
        var query = Address(new Dhcp6Packet(new Dhcp6Message(0, 0)), datagram);
        query.Data = datagram.Data.ToArray();
        var (status, returned) = hooks.Call(
            HookPoints.Buffer6Receive,
            ref handle,
            query,
            static (h, q) => h.SetArgument("query6", q),
            static (h, _) => h.TryGetArgument<Dhcp6Packet>("query6", out var q) ? q : null,
            query);
        if (returned is null || status == NextStep.Drop)
        {
            _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_BUFFER_RCVD_DROP"), "received buffer from {Remote} to {Local} over interface {Interface} was dropped because a callout set the drop flag", datagram.RemoteAddress, datagram.LocalAddress, datagram.InterfaceName);
            return null;
        }

        if (status == NextStep.Skip)
        {
            // The callout parsed the buffer itself (digest §2).
            _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_BUFFER_RCVD_SKIP"), "received buffer from {Remote} was parsed by a callout", datagram.RemoteAddress);
            return returned;
        }

        return Unpack(returned.Data ?? [], returned, lenient) ? returned : null;
    }

    /// <summary>Statistics, server-id and unicast tests, <c>pkt6_receive</c>, sanity check: a context, or null when dropped.</summary>
    private ProcessingContext? Accept(Dhcp6Packet query, ServerRuntime runtime, ref CalloutHandle? handle)
    {
        // The lease query library takes LEASEQUERY before everything else, as Kea's does in buffer6_receive.
        if (query.Type == MessageType.Leasequery && services.LeaseQuery is not null)
        {
            services.Statistics.CountReceived(query.Type);
            var leaseQuery = ProcessingContext.Rent(query, runtime, services.Time.GetUtcNow().ToUnixTimeSeconds());
            leaseQuery.Handle = handle;
            return leaseQuery;
        }

        // HA decides first, as Kea's HA library does in buffer6_receive: a query for the partner is not counted by type.
        if (services.QueryFilter is { } filter && !filter.Accept(query))
        {
            services.Statistics.ReceiveDrop.Increment();
            _packetLog.LogDebug(new EventId(0, "HA_BUFFER6_RECEIVE_NOT_FOR_US"), "{Label}: dropping query to be processed by another server", query.Label);
            return null;
        }

        query.Classes.Add("ALL");
        services.Statistics.CountReceived(query.Type);
        // Every packet passes here: build the label and box the arguments only when debug is on.
        if (_packetLog.IsEnabled(LogLevel.Debug))
        {
            _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_RECEIVED"), "{Label}: {Type} (type {Code}) received from {Remote} to {Local} on interface {Interface}", query.Label, query.Type, (int)query.Type, query.RemoteAddress, query.LocalAddress, query.InterfaceName);
        }

        if (_packetLog.IsEnabled(LogLevel.Trace))
        {
            PipelineLog.QueryData(_packetLog, query.Label, PipelineLog.Describe(query.Message));
        }

        if (!TestServerId(query, runtime) || !TestUnicast(query))
        {
            return null;
        }

        // Kea's first classification pass comes before pkt6_receive (digest §3.2 step 7).
        runtime.Classifier.ClassifyOnArrival(query, services.Log);

        if (hooks.HasCallouts(HookPoints.Pkt6Receive))
        {
            var (status, returned) = hooks.Call(
                HookPoints.Pkt6Receive,
                ref handle,
                query,
                static (h, q) => h.SetArgument("query6", q),
                static (h, _) => h.TryGetArgument<Dhcp6Packet>("query6", out var q) ? q : null,
                query);
            if (returned is null || status is NextStep.Skip or NextStep.Drop)
            {
                _packetLog.LogDebug(new EventId(0, "DHCP6_HOOK_PACKET_RCVD_SKIP"), "{Label}: packet is dropped, because a callout set the next step to {Status}", query.Label, status);
                return null;
            }

            query = returned;
        }

        if (!SanityCheck(query) || IsDropClass(query))
        {
            return null;
        }

        var ctx = ProcessingContext.Rent(query, runtime, services.Time.GetUtcNow().ToUnixTimeSeconds());
        ctx.Handle = handle;
        if (query.Message.Options.Get<DuidOption>(OptionCode.ClientId) is { } clientId)
        {
            ctx.RentedLeases.SetClientDuid(clientId.Duid.Bytes);
        }

        return ctx;
    }

    /// <summary>Steps 10 and 15: a packet in class DROP is discarded and counted as <c>pkt6-admin-filtered</c>.</summary>
    public bool IsDropClass(Dhcp6Packet query)
    {
        if (!query.Classes.Contains(PacketClassifier.Drop))
        {
            return false;
        }

        services.Statistics.AdminFiltered.Increment();
        services.Statistics.ReceiveDrop.Increment();
        _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_DROP_CLASS"), "{Label}: dropped packet with class DROP", query.Label);
        return true;
    }

    /// <summary>RFC 8415 §16: a Server-ID that is not ours means the message is for another server.</summary>
    private bool TestServerId(Dhcp6Packet query, ServerRuntime runtime)
    {
        var serverId = query.Message.Options.Get<DuidOption>(OptionCode.ServerId);
        if (serverId is null || serverId.Duid.Equals(runtime.ServerDuid))
        {
            return true;
        }

        services.Drop(DropReason.NotForUs);
        _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_SERVERID_MISMATCH"), "{Label}: dropping packet with server identifier: {Theirs}, server is using: {Ours}", query.Label, serverId.Duid, runtime.ServerDuid);
        return false;
    }

    /// <summary>
    /// RFC 8415 §16.2/§16.5/§16.7/§16.12: Solicit, Confirm, Rebind and Information-Request sent
    /// straight to a unicast address are discarded (relayed ones arrive unicast legitimately).
    /// </summary>
    private bool TestUnicast(Dhcp6Packet query)
    {
        if (query.IsRelayed || query.LocalAddress.IsMulticast || query.LocalAddress.IsUnspecified)
        {
            return true;
        }

        if (query.Type is MessageType.Solicit or MessageType.Confirm or MessageType.Rebind or MessageType.InformationRequest)
        {
            services.Drop(DropReason.RfcViolation);
            _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_UNICAST"), "{Label}: dropping unicast {Type} packet as this packet should be sent to multicast", query.Label, query.Type);
            return false;
        }

        return true;
    }

    /// <summary>Client-ID / Server-ID presence rules per message type (digest §3.3, RFC 8415 §16).</summary>
    private bool SanityCheck(Dhcp6Packet query)
    {
        var options = query.Message.Options;
        var clients = options.CountOf(OptionCode.ClientId);
        var servers = options.CountOf(OptionCode.ServerId);
        string? violation = query.Type switch
        {
            MessageType.Solicit or MessageType.Rebind or MessageType.Confirm =>
                clients != 1 ? "exactly one client-id required" : servers != 0 ? "server-id forbidden" : null,
            MessageType.Request or MessageType.Renew or MessageType.Release or MessageType.Decline =>
                clients != 1 ? "exactly one client-id required" : servers != 1 ? "exactly one server-id required" : null,
            MessageType.InformationRequest =>
                clients > 1 ? "at most one client-id allowed" : servers > 1 ? "at most one server-id allowed" : null,
            _ => "unsupported message type",
        };

        if (violation is null && clients == 1 && !IsValidDuid(options.Get<DuidOption>(OptionCode.ClientId)))
        {
            violation = "invalid client-id";
        }

        if (violation is null)
        {
            return true;
        }

        services.Drop(violation == "unsupported message type" ? DropReason.UnsupportedMessage : DropReason.RfcViolation);
        _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_SANITY_CHECK"), "{Label}: dropping {Type}: {Reason}", query.Label, query.Type, violation);
        return false;
    }

    /// <summary>Kea accepts DUIDs of 3..130 bytes.</summary>
    private static bool IsValidDuid(DuidOption? option) => option is not null && option.Duid.Bytes.Length is >= 3 and <= 130;
}
