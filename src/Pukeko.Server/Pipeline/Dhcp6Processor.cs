using Microsoft.Extensions.Logging;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Classification;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// The packet pipeline, as named stages in Kea's order (digest §3.2):
/// parse → server-id test → unicast test → sanity check → subnet selection → per-message
/// processing → (lease commit happened inside, before) → pack. Each stage is a method so the
/// hook points (<c>buffer6_receive</c>, <c>pkt6_receive</c>, <c>subnet6_select</c>,
/// <c>leases6_committed</c>, <c>pkt6_send</c>, <c>buffer6_send</c>) slot in between them.
/// Thread-safe: workers call it concurrently; per-query state lives in <see cref="ProcessingContext"/>.
/// </summary>
public sealed partial class Dhcp6Processor
{
    private readonly ILogger _packetLog;
    private readonly ILogger _leaseLog;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private volatile ServerRuntime _runtime;
    private HooksManager _hooks;

    public Dhcp6Processor(ServerRuntime runtime, AllocationEngine allocation, PacketStatistics statistics, LeaseStatistics leaseStatistics, ILoggerFactory loggers, TimeProvider time)
    {
        _runtime = runtime;
        Allocation = allocation;
        _hooks = allocation.Hooks ??= new HooksManager(loggers);
        Statistics = statistics;
        LeaseStatistics = leaseStatistics;
        _time = time;
        _log = loggers.CreateLogger("kea-dhcp6.dhcp6");
        _packetLog = loggers.CreateLogger("kea-dhcp6.packets");
        _leaseLog = loggers.CreateLogger("kea-dhcp6.leases");
        allocation.Writer.Subscribe(new LeaseStatisticsObserver(leaseStatistics, id => _runtime.FindSubnet(id)));

        // host6_identifier: asked only when host-reservation-identifiers lists flex-id; the value
        // counts only when the callouts left the identifier type at flex-id.
        HostIdentifiers.FlexId = ctx =>
            _hooks.HasCallouts(HookPoints.Host6Identifier) && _hooks.CallHost6Identifier(ctx.Query, ctx.Handle) is { Type: HostIdentifierType.FlexId } id
                ? id.Value
                : null;
    }

    public AllocationEngine Allocation { get; }

    public PacketStatistics Statistics { get; }

    public LeaseStatistics LeaseStatistics { get; }

    public ServerRuntime Runtime => _runtime;

    /// <summary>False while the service is disabled (future <c>dhcp-disable</c>).</summary>
    public bool ServiceEnabled { get; set; } = true;

    /// <summary>Swaps the configuration; queries already in progress finish with the old one.</summary>
    public void Apply(ServerRuntime runtime)
    {
        _runtime = runtime;
        Allocation.Reset();
    }

    /// <summary>
    /// Processes one datagram end to end and encodes the reply into <paramref name="output"/>.
    /// Returns the reply length and destination, or null when nothing is to be sent now (dropped,
    /// or parked by a hook: a parked reply goes out later through <see cref="ParkedReplySender"/>).
    /// Never throws for bad input: every drop is counted.
    /// </summary>
    public OutgoingDatagram? ProcessDatagram(ReceivedDatagram datagram, byte[] output)
    {
        Statistics.Received.Increment();
        if (!ServiceEnabled)
        {
            Drop(DropReason.ServiceDisabled);
            return null;
        }

        CalloutHandle? handle = null;
        ProcessingContext? ctx = null;
        try
        {
            var query = _hooks.HasCallouts(HookPoints.Buffer6Receive) ? ReceiveBuffer(datagram, ref handle) : Parse(datagram);
            if (query is null)
            {
                _hooks.ReleaseHandle(handle);
                return null;
            }

            ctx = Accept(query, ref handle);
            if (ctx is null)
            {
                _hooks.ReleaseHandle(handle);
                return null;
            }

            return ContinueAtSubnetSelection(ctx, output);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug must cost one packet, not the server.
            Drop(DropReason.ProcessingFailed);
            _log.LogError(new EventId(0, "DHCP6_PACKET_PROCESS_EXCEPTION"), ex, "exception thrown during packet processing: {Reason}", ex.Message);
            if (ctx is not null)
            {
                FinishHandle(ctx);
            }
            else
            {
                _hooks.ReleaseHandle(handle);
            }

            return null;
        }
    }

    /// <summary>Stage: unpack. A malformed datagram is counted as <c>pkt6-parse-failed</c>.</summary>
    public Dhcp6Packet? Parse(ReceivedDatagram datagram)
    {
        PipelineLog.BufferReceived(_packetLog, datagram.RemoteAddress, datagram.RemotePort, datagram.LocalAddress, datagram.LocalPort, datagram.InterfaceName, datagram.Length);
        var packet = new Dhcp6Packet(EmptyMessage())
        {
            RemoteAddress = datagram.RemoteAddress,
            RemotePort = datagram.RemotePort,
            LocalAddress = datagram.LocalAddress,
            LocalPort = datagram.LocalPort,
            InterfaceIndex = datagram.InterfaceIndex,
            InterfaceName = datagram.InterfaceName,
            ReceivedAt = datagram.ReceivedAt,
        };
        return Unpack(datagram.Data, packet) ? packet : null;
    }

    private static Dhcp6Message EmptyMessage() => new(0, 0);

    /// <summary>Parses <paramref name="data"/> into the packet's message and relay layers.</summary>
    private bool Unpack(ReadOnlySpan<byte> data, Dhcp6Packet packet)
    {
        var relays = new List<RelayLayer>();
        var status = Dhcp6Parser.TryParse(data, relays, out var message);
        if (status != ParseStatus.Ok || message is null)
        {
            Drop(DropReason.ParseFailed);
            _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_PARSE_FAIL"), "failed to parse packet from {Remote} to {Local}, received over interface {Interface}, reason: {Reason}", packet.RemoteAddress, packet.LocalAddress, packet.InterfaceName, status);
            return false;
        }

        packet.Message = message;
        packet.Relays.Clear();
        packet.Relays.AddRange(relays);
        return true;
    }

    /// <summary>Statistics, server-id and unicast tests, <c>pkt6_receive</c>, sanity check: a context, or null when dropped.</summary>
    private ProcessingContext? Accept(Dhcp6Packet query, ref CalloutHandle? handle)
    {
        var runtime = _runtime;
        query.Classes.Add("ALL");
        Statistics.CountReceived(query.Type);
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
        ClassifyOnArrival(query, runtime);

        if (_hooks.HasCallouts(HookPoints.Pkt6Receive) && ReceivePacket(ref query, ref handle) is false)
        {
            return null;
        }

        if (!SanityCheck(query) || IsDropClass(query))
        {
            return null;
        }

        var ctx = new ProcessingContext(query, runtime, _time.GetUtcNow().ToUnixTimeSeconds()) { Handle = handle };
        if (query.Message.Options.Get<DuidOption>(OptionCode.ClientId) is { } clientId)
        {
            ctx.ClientDuid = clientId.Duid.ToArray();
        }

        return ctx;
    }

    /// <summary>Subnet selection and <c>subnet6_select</c> (which may park the packet).</summary>
    private OutgoingDatagram? ContinueAtSubnetSelection(ProcessingContext ctx, byte[] output)
    {
        ctx.Subnet = SelectSubnet(ctx.Query, ctx.Runtime);
        if (ctx.Subnet is { } selected)
        {
            PipelineLog.SubnetSelected(_log, ctx.Query.Label, selected.Id, selected.Prefix);
        }
        else
        {
            PipelineLog.SubnetSelectionFailed(_log, ctx.Query.Label);
        }

        if (_hooks.HasCallouts(HookPoints.Subnet6Select))
        {
            switch (SelectSubnetHook(ctx))
            {
                case HookFlow.Drop:
                    FinishHandle(ctx);
                    return null;
                case HookFlow.Parked:
                    return null;
            }
        }

        return ContinueAtDispatch(ctx, output);
    }

    /// <summary>Per-message processing, then <c>leases6_committed</c> (which may park the reply).</summary>
    private OutgoingDatagram? ContinueAtDispatch(ProcessingContext ctx, byte[] output)
    {
        // Host reservations and the second classification pass (digest §3.2 step 15), then DROP again.
        LookupHost(ctx);
        if (IsDropClass(ctx.Query))
        {
            FinishHandle(ctx);
            return null;
        }

        if (!Dispatch(ctx, out var droppedByHook))
        {
            if (!droppedByHook)
            {
                Drop(DropReason.Discarded);
            }

            FinishHandle(ctx);
            return null;
        }

        AppendRelaySuppliedOptions(ctx);

        if (_hooks.HasCallouts(HookPoints.Leases6Committed) && !ctx.FakeAllocation && ctx.Query.Type is not (MessageType.Confirm or MessageType.InformationRequest))
        {
            switch (LeasesCommittedHook(ctx))
            {
                case HookFlow.Drop:
                    FinishHandle(ctx);
                    return null;
                case HookFlow.Parked:
                    return null;
            }
        }

        return ContinueAtSend(ctx, output);
    }

    /// <summary>Runs the message handler under the client's lock; false when there is no reply.</summary>
    private bool Dispatch(ProcessingContext ctx, out bool droppedByHook)
    {
        bool handled;
        var query = ctx.Query;
        if (query.Type is MessageType.InformationRequest or MessageType.Confirm)
        {
            handled = Dispatch(ctx);
        }
        else
        {
            // One client's messages are processed one at a time (Kea's ClientHandler), so a
            // retransmitted Request handled by two workers can't create two leases.
            using (Allocation.Claims.Claim(ctx.ClientDuid))
            {
                handled = Dispatch(ctx);
            }
        }

        droppedByHook = ctx.DroppedByHook;
        return handled && !ctx.DroppedByHook && ctx.Response is not null;
    }

    private bool Dispatch(ProcessingContext ctx)
    {
        return ctx.Query.Type switch
        {
            MessageType.Solicit => ProcessSolicit(ctx),
            MessageType.Request => ProcessRequest(ctx),
            MessageType.Renew => ProcessExtend(ctx),
            MessageType.Rebind => ProcessExtend(ctx),
            MessageType.Release => ProcessRelease(ctx),
            MessageType.Decline => ProcessDecline(ctx),
            MessageType.Confirm => ProcessConfirm(ctx),
            MessageType.InformationRequest => ProcessInformationRequest(ctx),
            _ => false,
        };
    }

    /// <summary>Encodes the reply into <paramref name="output"/>; -1 (logged) when it does not fit.</summary>
    private int Encode(Dhcp6Packet response, byte[] output)
    {
        var length = Dhcp6Writer.GetLength(response.Message, response.Relays);
        if (length > output.Length)
        {
            _log.LogError(new EventId(0, "DHCP6_PACK_FAIL"), "{Label}: reply of {Length} bytes does not fit the send buffer", response.Label, length);
            return -1;
        }

        return Dhcp6Writer.Write(response.Message, response.Relays, output);
    }

    /// <summary>Counts the reply as sent and addresses it.</summary>
    private OutgoingDatagram Sent(Dhcp6Packet response, byte[] output, int written)
    {
        if (_packetLog.IsEnabled(LogLevel.Trace))
        {
            PipelineLog.ResponseData(_packetLog, response.Label, (int)response.Type, PipelineLog.Describe(response.Message));
        }

        Statistics.CountSent(response.Type);
        if (_packetLog.IsEnabled(LogLevel.Debug))
        {
            _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_SEND"), "{Label}: trying to send packet {Type} (type {Code}) from [{Local}]:{LocalPort} to [{Remote}]:{RemotePort} on interface {Interface}", response.Label, response.Type, (int)response.Type, response.LocalAddress, response.LocalPort, response.RemoteAddress, response.RemotePort, response.InterfaceName);
        }

        return new OutgoingDatagram(output, written, response.RemoteAddress, response.RemotePort, response.InterfaceIndex);
    }

    /// <summary>RFC 8415 §16: a Server-ID that is not ours means the message is for another server.</summary>
    private bool TestServerId(Dhcp6Packet query, ServerRuntime runtime)
    {
        var serverId = query.Message.Options.Get<DuidOption>(OptionCode.ServerId);
        if (serverId is null || serverId.Duid.Equals(runtime.ServerDuid))
        {
            return true;
        }

        Drop(DropReason.NotForUs);
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
            Drop(DropReason.RfcViolation);
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

        if (violation == "unsupported message type")
        {
            Drop(DropReason.UnsupportedMessage);
        }
        else
        {
            Drop(DropReason.RfcViolation);
        }

        _packetLog.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_SANITY_CHECK"), "{Label}: dropping {Type}: {Reason}", query.Label, query.Type, violation);
        return false;
    }

    /// <summary>Kea accepts DUIDs of 3..130 bytes.</summary>
    private static bool IsValidDuid(DuidOption? option) => option is not null && option.Duid.Bytes.Length is >= 3 and <= 130;

    private void Drop(DropReason reason)
    {
        switch (reason)
        {
            case DropReason.ParseFailed: Statistics.ParseFailed.Increment(); break;
            case DropReason.NotForUs: Statistics.NotForUs.Increment(); break;
            case DropReason.RfcViolation: Statistics.RfcViolation.Increment(); break;
            case DropReason.ProcessingFailed: Statistics.ProcessingFailed.Increment(); break;
            case DropReason.ServiceDisabled: Statistics.ServiceDisabled.Increment(); break;
            case DropReason.QueueFull: Statistics.QueueFull.Increment(); break;
        }

        Statistics.ReceiveDrop.Increment();
    }

    /// <summary>Counts a drop decided outside the processor (transport queue full, wrong interface).</summary>
    public void CountDrop(DropReason reason)
    {
        Statistics.Received.Increment();
        Drop(reason);
    }

    /// <summary>The reply skeleton: same transaction, Client-ID echoed, Server-ID, relay layers mirrored.</summary>
    private Dhcp6Packet CreateResponse(ProcessingContext ctx, MessageType type)
    {
        var query = ctx.Query;
        var message = new Dhcp6Message(type, query.TransactionId);
        if (query.Message.Options.Get(OptionCode.ClientId) is { } clientId)
        {
            message.Options.Add(clientId);
        }

        message.Options.Add(ctx.Runtime.ServerIdOption);
        var response = new Dhcp6Packet(message)
        {
            RemoteAddress = query.RemoteAddress,
            LocalAddress = query.LocalAddress,
            LocalPort = ctx.Runtime.ServerPort,
            InterfaceIndex = query.InterfaceIndex,
            InterfaceName = query.InterfaceName,
            RemotePort = ctx.Runtime.ClientPort,
        };

        if (query.IsRelayed)
        {
            foreach (var relay in query.Relays)
            {
                var layer = new RelayLayer
                {
                    Type = MessageType.RelayReply,
                    HopCount = relay.HopCount,
                    LinkAddress = relay.LinkAddress,
                    PeerAddress = relay.PeerAddress,
                };

                // RFC 8415 §19.3 / RFC 8357: only Interface-ID and Relay-Source-Port are echoed.
                foreach (var option in relay.Options)
                {
                    if (option.Code is OptionCode.InterfaceId or OptionCode.RelaySourcePort)
                    {
                        layer.Options.Add(option);
                    }
                }

                response.Relays.Add(layer);
            }

            // Replies go back to the relay: its source port when it said so (RFC 8357), else 547.
            response.RemotePort = query.Relays[0].Options.Contains(OptionCode.RelaySourcePort) ? query.RemotePort : (ushort)547;
        }

        ctx.Response = response;
        return response;
    }

    private static Ipv6Address? FirstAddress(IaNaOption ia, out uint preferred, out uint valid)
    {
        foreach (var option in ia.Options)
        {
            if (option is IaAddressOption address)
            {
                preferred = address.PreferredLifetime;
                valid = address.ValidLifetime;
                return address.Address;
            }
        }

        preferred = 0;
        valid = 0;
        return null;
    }
}
